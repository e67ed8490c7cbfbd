using GnnSim.Torch;

namespace GnnSim.Operators.Data;

/// <summary>
/// What an operator gets for one step: a graph (one trajectory's or a batch of several, joined with
/// node offsets as jraph does) and the current state on its nodes.
/// </summary>
/// <param name="State">[N, F] the fields now.</param>
/// <param name="StaticNodeFeatures">[N, S] one-hot node type and case parameters.</param>
/// <param name="NodeTypes">[N] int64 DeepMind codes.</param>
/// <param name="PredictedMask">[N] bool, NORMAL or OUTFLOW: the nodes the model is scored on.</param>
/// <param name="Senders">[E] int64</param>
/// <param name="Receivers">[E] int64</param>
/// <param name="EdgeFeatures">[E, 3] relative position and its norm.</param>
public sealed record GraphInputs(Tensor State, Tensor StaticNodeFeatures, Tensor NodeTypes, Tensor PredictedMask,
    Tensor Senders, Tensor Receivers, Tensor EdgeFeatures)
{
    public long NodeCount => State.shape[0];

    public GraphInputs WithState(Tensor state) => this with { State = state };

    /// <summary>One trajectory's graph with the given state.</summary>
    public static GraphInputs For(TrajectoryTensors trajectory, Tensor state) =>
        new(state, trajectory.StaticNodeFeatures, trajectory.NodeTypes, trajectory.PredictedMask,
            trajectory.Senders, trajectory.Receivers, trajectory.EdgeFeatures);

    /// <summary>Several graphs as one: nodes stacked, each graph's edge indices shifted by its node offset.</summary>
    public static GraphInputs Batch(IReadOnlyList<(TrajectoryTensors Trajectory, Tensor State)> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("a batch needs at least one graph");
        if (parts.Count == 1) return For(parts[0].Trajectory, parts[0].State);
        var senders = new List<Tensor>();
        var receivers = new List<Tensor>();
        long offset = 0;
        foreach (var (trajectory, _) in parts)
        {
            senders.Add(trajectory.Senders + offset);
            receivers.Add(trajectory.Receivers + offset);
            offset += trajectory.Trajectory.NodeCount;
        }
        return new GraphInputs(
            torch.cat(parts.Select(p => p.State).ToList()),
            torch.cat(parts.Select(p => p.Trajectory.StaticNodeFeatures).ToList()),
            torch.cat(parts.Select(p => p.Trajectory.NodeTypes).ToList()),
            torch.cat(parts.Select(p => p.Trajectory.PredictedMask).ToList()),
            torch.cat(senders), torch.cat(receivers),
            torch.cat(parts.Select(p => p.Trajectory.EdgeFeatures).ToList()));
    }
}
