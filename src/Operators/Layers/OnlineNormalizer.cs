using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.Layers;

/// <summary>
/// MeshGraphNets' normalizer: running per-feature sums and counts over the first
/// <c>maxAccumulations</c> batches give mean and std (floored at <c>stdEpsilon</c>);
/// forward maps x to (x - mean) / std, <see cref="Inverse"/> maps back. The sums are buffers, so the
/// statistics travel in the checkpoint. They accumulate in float64: a million batches of float32
/// sums would lose the small ones.
/// </summary>
public sealed class OnlineNormalizer : Module
{
    private readonly Tensor sum;
    private readonly Tensor sumOfSquares;
    private readonly Tensor count;
    private readonly Tensor accumulations;

    public OnlineNormalizer(long features, long maxAccumulations = 1_000_000, double stdEpsilon = 1e-8)
    {
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), "a normalizer needs at least one feature");
        Features = features;
        MaxAccumulations = maxAccumulations;
        StdEpsilon = stdEpsilon;
        sum = RegisterBuffer("sum", torch.zeros([features], ScalarType.Float64));
        sumOfSquares = RegisterBuffer("sum_squared", torch.zeros([features], ScalarType.Float64));
        count = RegisterBuffer("count", torch.zeros([1], ScalarType.Float64));
        accumulations = RegisterBuffer("accumulations", torch.zeros([1], ScalarType.Float64));
    }

    public long Features { get; }
    public long MaxAccumulations { get; }
    public double StdEpsilon { get; }

    /// <summary>Batches accumulated so far.</summary>
    public long Accumulations => (long)accumulations.item();

    /// <summary>Normalizes <paramref name="x"/> <c>[rows, features]</c>; first adds its rows to the statistics when asked and still accumulating.</summary>
    public Tensor forward(Tensor x, bool accumulate)
    {
        if (accumulate && Accumulations < MaxAccumulations) Accumulate(x);
        return (x - Mean()) / Std();
    }

    public Tensor Inverse(Tensor normalized) => normalized * Std() + Mean();

    /// <summary>[features] float32: sum / count (zero before any data).</summary>
    public Tensor Mean()
    {
        using var scope = torch.NewDisposeScope();
        return (sum / count.clamp_min(1)).@float().MoveToOuterDisposeScope();
    }

    /// <summary>[features] float32: sqrt(E[x^2] - mean^2), at least the epsilon.</summary>
    public Tensor Std()
    {
        using var scope = torch.NewDisposeScope();
        var safeCount = count.clamp_min(1);
        var mean = sum / safeCount;
        var variance = (sumOfSquares / safeCount - mean * mean).clamp_min(0);
        return variance.sqrt().clamp_min(StdEpsilon).@float().MoveToOuterDisposeScope();
    }

    private void Accumulate(Tensor x)
    {
        if (x.dim() != 2 || x.shape[1] != Features)
            throw new ArgumentException($"the normalizer takes [rows, {Features}], got [{string.Join(", ", x.shape)}]");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var wide = x.detach().@double();
        sum.add_(wide.sum(0));
        sumOfSquares.add_(wide.square().sum(0));
        count.add_(x.shape[0]);
        accumulations.add_(1.0);
    }
}
