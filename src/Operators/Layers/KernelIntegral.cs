using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.Layers;

/// <summary>
/// A graph neural operator's kernel integral (Li et al. 2020; neuraloperator's IntegralTransform of
/// the linear kind) from source points to target points over the pairs closer than a radius r:
/// <c>v(x) = 1 / |N(x)| sum over y in N(x) of kappa((y - x) / r) * W f(y)</c>, the kernel kappa an
/// MLP of the scaled offset (GELU), the product elementwise. A target without sources gets 0.
/// </summary>
public sealed class KernelIntegral : Module
{
    readonly Mlp kernel;
    readonly Linear value;

    public KernelIntegral(int dimension, long inputs, long outputs, long kernelHidden)
    {
        kernel = RegisterModule("kernel", new Mlp(dimension, kernelHidden, outputs, hiddenLayers: 2, layerNorm: false, activation: Activation.GELU));
        value = RegisterModule("value", new Linear(inputs, outputs));
    }

    /// <param name="offsets">[P, D] per pair (y - x) / r</param>
    /// <param name="features">[S, F] f at the sources</param>
    /// <param name="sources">[P] int64: each pair's source</param>
    /// <param name="targets">[P] int64: each pair's target</param>
    /// <param name="targetCount">how many targets there are</param>
    /// <returns>[targetCount, outputs]</returns>
    public Tensor forward(Tensor offsets, Tensor features, Tensor sources, Tensor targets, long targetCount)
    {
        using var weights = kernel.call(offsets);
        using var values = value.call(features);
        using var gathered = values.index_select(0, sources);
        using var messages = weights * gathered;
        using var sum = torch.scatter_sum(messages, targets, targetCount);
        using var ones = torch.ones([targets.shape[0], 1], device: offsets.device);
        using var counts = torch.scatter_sum(ones, targets, targetCount);
        using var denominator = counts.clamp_min(1);
        return sum / denominator;
    }
}
