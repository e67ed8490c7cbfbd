using GnnSim.Operators;
using GnnSim.Torch.Modules;
using GnnSim.Training.Objectives;

namespace GnnSim.Training;

/// <summary>
/// An operator and the objective that gives its outputs meaning, as one module: its state dict is
/// <c>model.*</c> (the operator's weights, keyed as its PyTorch twin keys them) and <c>objective.*</c>
/// (the normalizer statistics), which is what a checkpoint stores besides the optimizer.
/// </summary>
public sealed class LearnedSimulator : Module
{
    public LearnedSimulator(GraphOperator model, TrainingObjective objective)
    {
        Model = RegisterModule("model", model);
        Objective = RegisterModule("objective", objective);
    }

    public GraphOperator Model { get; }
    public TrainingObjective Objective { get; }

    /// <summary>The objective as the type a caller needs; an error names both when it is another.</summary>
    public T ObjectiveAs<T>() where T : TrainingObjective => Objective as T
        ?? throw new ArgumentException($"this run trains the '{Objective.Name}' objective, which {typeof(T).Name} does not cover");
}
