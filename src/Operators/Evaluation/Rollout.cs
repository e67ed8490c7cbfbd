using GnnSim.Operators.Data;
using GnnSim.Torch;

namespace GnnSim.Operators.Evaluation;

/// <summary>One trajectory rolled out: truth and prediction, <c>[steps + 1, nodes, fields]</c>, frame 0 being the start frame.</summary>
public sealed record RolloutResult(SimulationTrajectory Trajectory, int StartFrame, int Steps, float[] Truth, float[] Prediction);

/// <summary>
/// Autoregressive rollout: from the true state at the start frame, the model's output is fed back
/// as its next input. Nodes the model is not asked to predict (walls, inflow, obstacles) are reset to
/// the true state every step, as boundary conditions are in a solver.
/// </summary>
public static class Rollout
{
    public static RolloutResult Run(GraphSimulator model, SimulationTrajectory trajectory, int startFrame = 0, int? steps = null, Device? device = null)
    {
        model.CheckFits(trajectory);
        var available = trajectory.FrameCount - 1 - startFrame;
        if (startFrame < 0 || available < 1)
            throw new ArgumentException($"{trajectory.Name}: start frame {startFrame} leaves nothing to roll out ({trajectory.FrameCount} frames)");
        var count = steps is > 0 ? Math.Min(steps.Value, available) : available;
        var frameSize = trajectory.NodeCount * trajectory.FieldCount;
        var truth = new float[(count + 1) * frameSize];
        var prediction = new float[(count + 1) * frameSize];
        for (var s = 0; s <= count; s++) trajectory.Frame(startFrame + s).CopyTo(truth.AsSpan(s * frameSize, frameSize));
        trajectory.Frame(startFrame).CopyTo(prediction.AsSpan(0, frameSize));

        using var tensors = TrajectoryTensors.Create(trajectory, device);
        using var noGrad = torch.no_grad();
        var wasTraining = model.training;
        model.eval();
        var predicted = tensors.PredictedMask.unsqueeze(1);
        var state = tensors.State(startFrame);
        try
        {
            for (var s = 1; s <= count; s++)
            {
                using var scope = torch.NewDisposeScope();
                var next = model.NextState(GraphInputs.For(tensors, state));
                next = torch.where(predicted, next, tensors.State(startFrame + s));
                next.cpu().ToArray<float>().CopyTo(prediction.AsSpan(s * frameSize, frameSize));
                state.Dispose();
                state = next.DetachFromDisposeScope();
            }
        }
        finally
        {
            state.Dispose();
            predicted.Dispose();
            model.train(wasTraining);
        }
        return new RolloutResult(trajectory, startFrame, count, truth, prediction);
    }
}
