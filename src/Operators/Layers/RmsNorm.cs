using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.Layers;

/// <summary>
/// RMSNorm as graph-physics writes it: <c>scale * x / (||x||_2 / sqrt(d) + eps)</c> over the last
/// dimension (eps added to the RMS, not under the root), a learned scale and no bias.
/// </summary>
public sealed class RmsNorm : Module<Tensor, Tensor>
{
    private readonly Tensor scale;
    private readonly double eps;
    private readonly long features;

    public RmsNorm(long features, double eps = 1e-8)
    {
        this.features = features;
        this.eps = eps;
        scale = RegisterParameter("scale", torch.ones([features]));
    }

    public override Tensor forward(Tensor x)
    {
        using var norm = x.norm(-1, keepdim: true);
        using var rms = norm * (1.0 / Math.Sqrt(features));
        using var denominator = rms + eps;
        using var normalized = x / denominator;
        return normalized * scale;
    }
}
