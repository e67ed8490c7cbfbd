using GnnSim.Operators;
using GnnSim.Torch;
using GnnSim.Training.Data;

namespace GnnSim.Training.Objectives;

/// <summary>
/// Next-state training samples: windows of <c>pushforward + unroll</c> steps of every training
/// trajectory, and their loss. A sample's input state is its first frame with noise on NORMAL nodes
/// (the model learns to pull a perturbed state back, which keeps rollouts stable); push-forward
/// rolls k steps without gradient first (with random push-forward, a count drawn anew for each loss
/// from 0..k); the unrolled steps then feed each prediction to the next step, with the gradient
/// through it unless told to detach it, and the loss is the sum of theirs.
/// </summary>
public sealed class NextStateTrainingSet : ITrainingSet
{
    private readonly NextStateObjective objective;
    private readonly List<TrajectoryTensors> trajectories;
    private readonly WindowSampler sampler;

    internal NextStateTrainingSet(NextStateObjective objective, IReadOnlyList<SimulationTrajectory> training, Device? device, IReadOnlyList<DerivedEdgeSet>? derivedEdgeSets)
    {
        this.objective = objective;
        var o = objective.Options;
        var window = o.PushforwardSteps + o.UnrollSteps;
        if (training.Count == 0) throw new ArgumentException("no training trajectories");
        foreach (var trajectory in training)
        {
            objective.CheckFits(trajectory);
            if (!trajectory.PredictedNodes().Contains(true))
                throw new InvalidDataException($"{trajectory.Name}: no NORMAL or OUTFLOW node: nothing to train on");
            if (trajectory.FrameCount < window + 1)
                throw new InvalidDataException($"{trajectory.Name}: {trajectory.FrameCount} frames, training with {o.PushforwardSteps} push-forward and {o.UnrollSteps} unrolled steps needs at least {window + 1}");
        }
        sampler = new WindowSampler(training.Select(t => t.FrameCount).ToList(), window);
        trajectories = [];
        try
        {
            foreach (var t in training) trajectories.Add(TrajectoryTensors.Create(t, device, derivedEdgeSets));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public long Count => sampler.Count;

    /// <summary>The trajectory and first frame of a sample.</summary>
    public (int Trajectory, int Frame) Sample(long index) => sampler[index];

    public Tensor Loss(GraphOperator model, IReadOnlyList<long> samples)
    {
        var o = objective.Options;
        var windows = samples.Select(i => sampler[i]).ToList();
        var graphs = windows.Select(w => trajectories[w.Trajectory]).ToList();
        var predictedNodes = Cat(graphs.Select(g => g.PredictedMask));
        var predicted = predictedNodes.unsqueeze(1);
        var normalNodes = Cat(graphs.Select(g => g.NoiseMask));
        var pushforward = PushforwardCount();
        var state = TruthAt(windows, 0);
        state = state + torch.randn_like(state) * o.NoiseStd * normalNodes;
        for (var k = 1; k <= pushforward; k++)
        {
            using var noGrad = torch.no_grad();
            var next = state + objective.Change(model.forward(Inputs(graphs, state, FramesAt(windows, k - 1), accumulate: false)));
            state = torch.where(predicted, next, TruthAt(windows, k)).detach();
        }
        Tensor? loss = null;
        for (var j = 1; j <= o.UnrollSteps; j++)
        {
            // Statistics come from the first step's inputs only: later ones are the model's own predictions.
            var first = j == 1;
            var target = TruthAt(windows, pushforward + j);
            // Normalized under either loss: it feeds the change statistics (which de-normalize predictions in change units).
            var normalizedTarget = objective.NormalizedChange(target - state, accumulate: first);
            var batch = Inputs(graphs, state, FramesAt(windows, pushforward + j - 1), accumulate: first);
            var prediction = model.forward(batch);
            var stepLoss = o.Loss == NextStateObjective.RelativeL2Loss
                ? Losses.RelativeL2(state + objective.Change(prediction), target, predictedNodes, batch.BatchVector, batch.GraphCount)
                : Losses.MaskedMse(prediction, normalizedTarget, predictedNodes);
            loss = loss is null ? stepLoss : loss + stepLoss;
            if (j < o.UnrollSteps)
            {
                state = torch.where(predicted, state + objective.Change(prediction), target);
                if (o.DetachUnrolled) state = state.detach();
            }
        }
        return loss!;
    }

    /// <summary>
    /// The push-forward steps of this loss: PushforwardSteps, or with RandomPushforward a count drawn
    /// uniformly from 0..PushforwardSteps by libtorch's generator (whose state a checkpoint keeps, so a
    /// resumed run draws what the uninterrupted one would). The window still starts at the sample's
    /// frame, so a shorter push-forward trains on earlier frames.
    /// </summary>
    private int PushforwardCount()
    {
        var o = objective.Options;
        return o.RandomPushforward ? torch.random_int(o.PushforwardSteps + 1) : o.PushforwardSteps;
    }

    private static int[] FramesAt(IReadOnlyList<(int Trajectory, int Frame)> windows, int offset) => windows.Select(w => w.Frame + offset).ToArray();

    private OperatorBatch Inputs(List<TrajectoryTensors> graphs, Tensor state, int[] frames, bool accumulate)
    {
        if (graphs.Count == 1) return objective.Inputs([(graphs[0], state)], accumulate, frames);
        var states = new List<(TrajectoryTensors, Tensor)>(graphs.Count);
        long row = 0;
        foreach (var g in graphs)
        {
            states.Add((g, state.narrow(0, row, g.Trajectory.NodeCount)));
            row += g.Trajectory.NodeCount;
        }
        return objective.Inputs(states, accumulate, frames);
    }

    private Tensor TruthAt(IReadOnlyList<(int Trajectory, int Frame)> windows, int offset) =>
        Cat(windows.Select(w => trajectories[w.Trajectory].State(w.Frame + offset)));

    private static Tensor Cat(IEnumerable<Tensor> parts)
    {
        var list = parts.ToList();
        return list.Count == 1 ? list[0] : torch.cat(list);
    }

    public void Dispose()
    {
        foreach (var t in trajectories) t.Dispose();
    }
}
