using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.GraphTransformers;

/// <summary>
/// One block of the mesh graph transformer (graph-physics' <c>Transformer</c>):
/// <code>
///   x += MaskedAttention(RMSNorm_1 x)
///   x += GatedMLP(RMSNorm_2 x),   GatedMLP(n) = W3 (GELU(W1 RMSNorm n) * W2 RMSNorm n), hidden 3 h
/// </code>
/// (the gated MLP normalizes once more inside, as the reference's does).
/// </summary>
public sealed class MeshTransformerBlock : Module
{
    private readonly MaskedAttention attention;
    private readonly RmsNorm attentionNorm;
    private readonly RmsNorm mlpNorm;
    private readonly GatedMlp mlp;

    public MeshTransformerBlock(long width, int heads, int rotaryPositions, double rotaryBase)
    {
        attention = RegisterModule("attention", new MaskedAttention(width, heads, rotaryPositions, rotaryBase));
        attentionNorm = RegisterModule("norm1", new RmsNorm(width));
        mlpNorm = RegisterModule("norm2", new RmsNorm(width));
        mlp = RegisterModule("gated_mlp", new GatedMlp(width, width, width));
    }

    /// <param name="x">[N, h]; the result is a new tensor (x is the caller's)</param>
    public Tensor forward(Tensor x, Tensor senders, Tensor receivers, Tensor? positions)
    {
        Tensor mixed;
        using (var normalized = attentionNorm.call(x))
        using (var attended = attention.forward(normalized, senders, receivers, positions))
            mixed = x + attended;
        using (mixed)
        using (var normalized = mlpNorm.call(mixed))
        using (var fed = mlp.call(normalized))
            return mixed + fed;
    }
}
