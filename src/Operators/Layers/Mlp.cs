using GnnSim.Torch;
using GnnSim.Torch.Modules;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Operators.Layers;

/// <summary>The nonlinearity between an <see cref="Mlp"/>'s layers: MeshGraphNets' ReLU, PhysGTO's SiLU and GELU, UM2N's SELU.</summary>
public enum Activation { ReLU, SiLU, GELU, SELU }

/// <summary>
/// MeshGraphNets' MLP: Linear layers with an activation between them (ReLU unless told otherwise;
/// <c>hiddenLayers</c> hidden layers of <c>hidden</c> units, then the output layer), optionally a
/// LayerNorm on the output. The layers are named as PyTorch's
/// <c>nn.Sequential(Linear, ReLU, Linear, ..., LayerNorm)</c> names them (<c>0</c>, <c>2</c>, ...,
/// the norm last), so a state dict loads into that module as it is.
/// </summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    private readonly Linear[] layers;
    private readonly Module<Tensor, Tensor>? outputNorm;
    private readonly Activation activation;

    /// <param name="rmsNorm">an <see cref="RmsNorm"/> on the output instead of the LayerNorm (graph-physics' build_mlp)</param>
    public Mlp(long input, long hidden, long output, int hiddenLayers = 2, bool layerNorm = true, Activation activation = Activation.ReLU, bool rmsNorm = false)
    {
        if (layerNorm && rmsNorm) throw new ArgumentException("an MLP ends in one norm: LayerNorm or RMSNorm, not both");
        this.activation = activation;
        if (hiddenLayers < 0) throw new ArgumentOutOfRangeException(nameof(hiddenLayers), "an MLP needs at least zero hidden layers");
        var widths = new List<long> { input };
        for (var i = 0; i < hiddenLayers; i++) widths.Add(hidden);
        widths.Add(output);
        layers = new Linear[widths.Count - 1];
        // Sequential indices: Linear at 2i, its ReLU at 2i + 1, so the output layer is 2 (L - 1) and the norm 2 L - 1.
        for (var i = 0; i < layers.Length; i++) layers[i] = RegisterModule($"{2 * i}", new Linear(widths[i], widths[i + 1]));
        if (layerNorm) outputNorm = RegisterModule($"{2 * layers.Length - 1}", new LayerNorm(output));
        if (rmsNorm) outputNorm = RegisterModule($"{2 * layers.Length - 1}", new RmsNorm(output));
    }

    /// <summary>The first layer, for callers that apply it piecewise (the concat trick of <see cref="MeshGraphNets.GraphNetBlock"/>).</summary>
    public Linear FirstLayer => layers[0];

    public override Tensor forward(Tensor input)
    {
        using var firstLayerOutput = FirstLayer.forward(input); // the watch sees it in ForwardFromFirstLayer
        return ForwardFromFirstLayer(firstLayerOutput);
    }

    /// <summary>
    /// The rest of the MLP, given the first layer's output (before its activation; the caller keeps
    /// it). Intermediates are disposed as soon as they are consumed (autograd holds what it saves).
    /// </summary>
    public Tensor ForwardFromFirstLayer(Tensor firstLayerOutput)
    {
        // Callers compute the first layer piecewise (the concat trick): its output is reported here, for all of them.
        Report(FirstLayer, firstLayerOutput);
        var x = firstLayerOutput;
        for (var i = 1; i < layers.Length; i++)
        {
            Tensor next;
            using (var activated = Activate(x)) next = layers[i].call(activated);
            if (!ReferenceEquals(x, firstLayerOutput)) x.Dispose();
            x = next;
        }
        if (outputNorm is not null)
        {
            var normalized = outputNorm.call(x);
            if (!ReferenceEquals(x, firstLayerOutput)) x.Dispose();
            x = normalized;
        }
        var output = ReferenceEquals(x, firstLayerOutput) ? x.alias() : x;
        Report(this, output);
        return output;
    }

    /// <summary>
    /// The MLP of <c>cat(parts, dim 1)</c> without building the concatenation: the first layer is a
    /// sum of one product per part, <c>W [a, b] = W_a a + W_b b</c>.
    /// </summary>
    public Tensor ForwardConcatenated(params Tensor[] parts)
    {
        var weight = FirstLayer.weight;
        long total = parts.Sum(part => part.shape[^1]);
        if (total != FirstLayer.InFeatures) throw new ArgumentException($"the parts have {total} features in all, the MLP takes {FirstLayer.InFeatures}");
        Tensor? sum = null;
        long column = 0;
        foreach (var part in parts)
        {
            var width = part.shape[^1];
            var product = F.linear(part, weight.narrow(1, column, width));
            sum = sum is null ? product : SumAndDispose(sum, product);
            column += width;
        }
        if (FirstLayer.bias is not null) sum = SumAndDispose(sum!, FirstLayer.bias.alias());
        using (sum) return ForwardFromFirstLayer(sum!);
    }

    private Tensor Activate(Tensor x) => activation switch
    {
        Activation.SiLU => x.silu(),
        Activation.GELU => x.gelu(),
        Activation.SELU => x.selu(),
        _ => x.relu(),
    };

    private static Tensor SumAndDispose(Tensor a, Tensor b)
    {
        using (a) using (b) return a + b;
    }
}
