using GnnSim.Torch;

namespace GnnSim.Training.Objectives;

/// <summary>The losses objectives choose from.</summary>
public static class Losses
{
    /// <summary>
    /// DeepMind's: the mean over masked nodes of the squared error summed over fields.
    /// <paramref name="mask"/> [N] bool must hold at least one node (the training sets check).
    /// </summary>
    public static Tensor MaskedMse(Tensor prediction, Tensor target, Tensor mask)
    {
        var weights = mask.@float();
        return ((prediction - target).square().sum(1) * weights).sum() / weights.sum();
    }

    /// <summary>
    /// PhysGTO's: per graph, ||prediction - truth|| / ||truth|| over its masked nodes and all fields,
    /// then the mean over the <paramref name="graphs"/> graphs. <paramref name="batch"/> [N] int64 is the graph of every node.
    /// </summary>
    public static Tensor RelativeL2(Tensor prediction, Tensor truth, Tensor mask, Tensor batch, long graphs)
    {
        var weights = mask.@float();
        var errors = torch.scatter_sum(((prediction - truth).square().sum(1) * weights).unsqueeze(1), batch, graphs);
        var norms = torch.scatter_sum((truth.square().sum(1) * weights).unsqueeze(1), batch, graphs);
        // A graph whose truth is zero everywhere is scored by its absolute error.
        return (errors.sqrt() / norms.sqrt().clamp_min(1e-12)).mean();
    }
}
