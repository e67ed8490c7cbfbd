using static GnnSim.Torch.torch.nn;

namespace GnnSim.Torch.Modules;

/// <summary>Layer normalization over the trailing dimensions, with a learned scale (ones) and shift (zeros).</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    private readonly long[] normalizedShape;
    private readonly double eps;

    public LayerNorm(long features, double eps = 1e-5, bool elementwiseAffine = true, Device? device = null)
        : this([features], eps, elementwiseAffine, device) { }

    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, Device? device = null)
    {
        this.normalizedShape = (long[])normalizedShape.Clone();
        this.eps = eps;
        if (!elementwiseAffine) return;
        weight = RegisterParameter(nameof(weight), torch.ones(normalizedShape, device: device));
        bias = RegisterParameter(nameof(bias), torch.zeros(normalizedShape, device: device));
    }

    public Tensor? weight { get; }
    public Tensor? bias { get; }

    public override Tensor forward(Tensor input) => functional.layer_norm(input, normalizedShape, weight, bias, eps);
}
