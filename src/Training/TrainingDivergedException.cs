namespace GnnSim.Training;

/// <summary>
/// Training stopped because a step's loss or gradient norm was NaN or infinite (more often than
/// training.skip_nonfinite_steps allows). The failing step wrote nothing, so the run's checkpoint
/// on disk is the last good one. An <see cref="ArithmeticException"/>, so the command
/// line shows its message alone.
/// </summary>
public sealed class TrainingDivergedException(int step, string what, string message) : ArithmeticException(message)
{
    /// <summary>The step that went bad (1-based, as the log counts).</summary>
    public int Step { get; } = step;

    /// <summary>What went bad: the loss, or the gradient norm (with the first parameter whose gradient is not finite).</summary>
    public string What { get; } = what;
}
