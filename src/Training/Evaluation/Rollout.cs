using System.Diagnostics;
using GnnSim.Torch;
using GnnSim.Training.Data;
using GnnSim.Training.Objectives;

namespace GnnSim.Training.Evaluation;

/// <summary>
/// One trajectory rolled out: truth and prediction, <c>[steps + 1, nodes, fields]</c>, frame 0 being
/// the start frame. Where nodes move (particles, moved meshes) <see cref="TruthPositions"/> and
/// <see cref="PredictedPositions"/> hold their positions per frame <c>[steps + 1, nodes, 2]</c>; a
/// neural-field decoder's query points are <see cref="QueryPoints"/> <c>[Q, 2]</c>.
/// <see cref="StepSeconds"/> is each step's wall time (the model's step and the copy of its
/// prediction to the host), <c>[steps]</c>.
/// </summary>
public sealed record RolloutResult(SimulationTrajectory Trajectory, int StartFrame, int Steps, float[] Truth, float[] Prediction)
{
    public float[]? TruthPositions { get; init; }
    public float[]? PredictedPositions { get; init; }
    public float[]? QueryPoints { get; init; }
    public double[]? StepSeconds { get; init; }
}

/// <summary>
/// Autoregressive rollout of a next-state simulator: from the true state at the start frame, the
/// model's output is fed back as its next input. Nodes the model is not asked to predict (walls,
/// inflow, obstacles) are reset to the true state every step, as boundary conditions are in a solver.
/// </summary>
public static class Rollout
{
    public static RolloutResult Run(LearnedSimulator simulator, SimulationTrajectory trajectory, int startFrame = 0, int? steps = null, Device? device = null)
    {
        var objective = simulator.ObjectiveAs<NextStateObjective>();
        objective.CheckFits(trajectory);
        var available = trajectory.FrameCount - 1 - startFrame;
        if (startFrame < 0 || available < 1)
            throw new ArgumentException($"{trajectory.Name}: start frame {startFrame} leaves nothing to roll out ({trajectory.FrameCount} frames)");
        var count = steps is > 0 ? Math.Min(steps.Value, available) : available;
        var frameSize = trajectory.NodeCount * trajectory.FieldCount;
        var truth = new float[(count + 1) * frameSize];
        var prediction = new float[(count + 1) * frameSize];
        for (var s = 0; s <= count; s++) trajectory.Frame(startFrame + s).CopyTo(truth.AsSpan(s * frameSize, frameSize));
        trajectory.Frame(startFrame).CopyTo(prediction.AsSpan(0, frameSize));

        using var tensors = TrajectoryTensors.Create(trajectory, device, simulator.Model.DerivedEdgeSets);
        using var noGrad = torch.no_grad();
        var wasTraining = simulator.training;
        simulator.eval();
        var predicted = tensors.PredictedMask.unsqueeze(1);
        var state = tensors.State(startFrame);
        var stepSeconds = new double[count];
        try
        {
            for (var s = 1; s <= count; s++)
            {
                var clock = Stopwatch.StartNew();
                using var scope = torch.NewDisposeScope();
                var next = objective.NextState(simulator.Model, tensors, state, startFrame + s - 1);
                next = torch.where(predicted, next, tensors.State(startFrame + s));
                next.cpu().ToArray<float>().CopyTo(prediction.AsSpan(s * frameSize, frameSize));
                state.Dispose();
                state = next.DetachFromDisposeScope();
                stepSeconds[s - 1] = clock.Elapsed.TotalSeconds;
            }
        }
        finally
        {
            state.Dispose();
            predicted.Dispose();
            simulator.train(wasTraining);
        }
        return new RolloutResult(trajectory, startFrame, count, truth, prediction) { StepSeconds = stepSeconds };
    }
}
