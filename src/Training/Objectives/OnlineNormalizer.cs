using GnnSim.Torch;
using GnnSim.Torch.Distributed;
using GnnSim.Torch.Modules;

namespace GnnSim.Training.Objectives;

/// <summary>
/// MeshGraphNets' normalizer: running per-feature sums and counts over the first
/// <c>maxAccumulations</c> batches give mean and std; forward maps x to (x - mean) / std,
/// <see cref="Inverse"/> maps back. The sums are buffers, so the statistics travel in the checkpoint.
/// They accumulate in float64: a million batches of float32 sums would lose the small ones.
/// A feature that was constant in training (std at most 1e-6 of its magnitude, or 1e-8: below
/// float32's resolution, so what is left is rounding) is centred but not scaled. DeepMind floors
/// the std at 1e-8 instead, which makes a value one float step away 12 and an unseen node type 1e8.
/// </summary>
public sealed class OnlineNormalizer : Module
{
    private readonly Tensor sum;
    private readonly Tensor sumOfSquares;
    private readonly Tensor count;
    private readonly Tensor accumulations;

    /// <summary>A std at most this, or at most <see cref="RelativeConstantStd"/> of the mean's magnitude, marks a constant feature.</summary>
    public const double AbsoluteConstantStd = 1e-8;
    public const double RelativeConstantStd = 1e-6;

    public OnlineNormalizer(long features, long maxAccumulations = 1_000_000)
    {
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), "a normalizer needs at least one feature");
        Features = features;
        MaxAccumulations = maxAccumulations;
        sum = RegisterBuffer("sum", torch.zeros([features], ScalarType.Float64));
        sumOfSquares = RegisterBuffer("sum_squared", torch.zeros([features], ScalarType.Float64));
        count = RegisterBuffer("count", torch.zeros([1], ScalarType.Float64));
        accumulations = RegisterBuffer("accumulations", torch.zeros([1], ScalarType.Float64));
    }

    public long Features { get; }
    public long MaxAccumulations { get; }

    /// <summary>
    /// In a data-parallel run (set by <see cref="Training.DataParallel"/>), each batch's sums are all-reduced
    /// over the ranks before they are added: every rank accumulates the global batch, as one process would.
    /// </summary>
    public ProcessGroup? Group { get; set; }

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

    /// <summary>[features] float32: sqrt(E[x^2] - mean^2), or 1 for a feature that was constant (and before any data).</summary>
    public Tensor Std()
    {
        using var scope = torch.NewDisposeScope();
        var safeCount = count.clamp_min(1);
        var mean = sum / safeCount;
        var std = (sumOfSquares / safeCount - mean * mean).clamp_min(0).sqrt();
        var varies = std.gt((mean.abs() * RelativeConstantStd).clamp_min(AbsoluteConstantStd));
        return torch.where(varies, std, torch.ones_like(std)).@float().MoveToOuterDisposeScope();
    }

    private void Accumulate(Tensor x)
    {
        if (x.dim() != 2 || x.shape[1] != Features)
            throw new ArgumentException($"the normalizer takes [rows, {Features}], got [{string.Join(", ", x.shape)}]");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var wide = x.detach().@double();
        var rows = torch.zeros([1], ScalarType.Float64, x.device) + (double)x.shape[0];
        // [sum, sum of squares, rows]: one all-reduce carries the whole batch's statistics.
        var batch = torch.cat([wide.sum(0), wide.square().sum(0), rows]);
        Group?.AllReduce(batch);
        sum.add_(batch.narrow(0, 0, Features));
        sumOfSquares.add_(batch.narrow(0, Features, Features));
        count.add_(batch.narrow(0, 2 * Features, 1));
        accumulations.add_(1.0);
    }
}
