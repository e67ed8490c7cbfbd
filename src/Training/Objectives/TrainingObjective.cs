using GnnSim.Operators;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Training.Objectives;

/// <summary>
/// What a learned simulator's outputs mean, and how it is trained (DeepMind splits <c>cfd_model</c>
/// from <c>core_model</c> the same way): the objective owns the input features, the normalizers
/// (its buffers, saved in the checkpoint as <c>objective.*</c>), the noise, the target, the loss and
/// the step that advances the state. The operator it drives is a pure module.
/// </summary>
/// <remarks>
/// The trainer sees only <see cref="ITrainingSet"/>: how many samples there are and the loss of a
/// batch of them. Next-state prediction on fixed nodes (<see cref="NextStateObjective"/>) is one
/// objective; particles (positions as state, a radius graph rebuilt every step) and mesh movement
/// (coordinates out, single meshes, no time stepping) are others, with their own samples and losses.
/// </remarks>
public abstract class TrainingObjective : Module
{
    /// <summary>The objective's name in configs (<c>training.objective</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The widths the operator must take in and give out for this objective on this data.</summary>
    public abstract OperatorWidths Widths { get; }
}

/// <summary>
/// The training data as an objective prepared it: <see cref="Count"/> samples (frame pairs, k-step
/// windows, single meshes), drawn uniformly by index, and the loss of a batch of them.
/// </summary>
public interface ITrainingSet : IDisposable
{
    long Count { get; }

    /// <summary>
    /// The loss of the samples (indices in <c>0 .. Count - 1</c>), with the graph for backward;
    /// normalizer statistics accumulate as they go. Runs inside the caller's dispose scope.
    /// </summary>
    Tensor Loss(GraphOperator model, IReadOnlyList<long> samples);
}
