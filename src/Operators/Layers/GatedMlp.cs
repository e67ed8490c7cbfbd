using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.Layers;

/// <summary>
/// graph-physics' gated MLP: <c>W3 (GELU(W1 n) * W2 n)</c> with <c>n = RMSNorm(x)</c> and hidden width
/// <c>expansion x hidden</c>. Keyed as its <c>nn.Sequential(RMSNorm, GatedMLP, Linear)</c>:
/// <c>0.scale</c>, <c>1.linear1</c>, <c>1.linear2</c>, <c>2</c>.
/// </summary>
public sealed class GatedMlp : Module<Tensor, Tensor>
{
    private readonly RmsNorm norm;
    private readonly Gate gate;
    private readonly Linear output;

    public GatedMlp(long input, long hidden, long outputWidth, int expansion = 3)
    {
        norm = RegisterModule("0", new RmsNorm(input));
        gate = RegisterModule("1", new Gate(input, expansion * hidden));
        output = RegisterModule("2", new Linear(expansion * hidden, outputWidth));
    }

    public override Tensor forward(Tensor x)
    {
        using var normalized = norm.call(x);
        using var gated = gate.call(normalized);
        return output.call(gated);
    }

    /// <summary>GELU(linear1 x) * linear2 x.</summary>
    private sealed class Gate : Module<Tensor, Tensor>
    {
        private readonly Linear left;
        private readonly Linear right;

        public Gate(long input, long width)
        {
            left = RegisterModule("linear1", new Linear(input, width));
            right = RegisterModule("linear2", new Linear(input, width));
        }

        public override Tensor forward(Tensor x)
        {
            using var l = left.call(x);
            using var activated = l.gelu();
            using var r = right.call(x);
            return activated * r;
        }
    }
}
