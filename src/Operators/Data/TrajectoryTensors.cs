using GnnSim.Graph;
using GnnSim.Torch;

namespace GnnSim.Operators.Data;

/// <summary>
/// The per-trajectory tensors that never change over a trajectory (edges, edge features, one-hot node
/// types, parameters, masks), made once and kept outside every dispose scope. Dispose to free them.
/// </summary>
public sealed class TrajectoryTensors : IDisposable
{
    private TrajectoryTensors(SimulationTrajectory trajectory, Tensor senders, Tensor receivers, Tensor edgeFeatures,
        Tensor nodeTypes, Tensor staticNodeFeatures, Tensor predictedMask, Tensor noiseMask)
    {
        Trajectory = trajectory;
        Senders = senders;
        Receivers = receivers;
        EdgeFeatures = edgeFeatures;
        NodeTypes = nodeTypes;
        StaticNodeFeatures = staticNodeFeatures;
        PredictedMask = predictedMask;
        NoiseMask = noiseMask;
    }

    public SimulationTrajectory Trajectory { get; }
    /// <summary>[E] int64</summary>
    public Tensor Senders { get; }
    public Tensor Receivers { get; }
    /// <summary>[E, 3]: x_s - x_r and its norm (mesh positions).</summary>
    public Tensor EdgeFeatures { get; }
    /// <summary>[N] int64 DeepMind codes.</summary>
    public Tensor NodeTypes { get; }
    /// <summary>[N, 9 + P]: one-hot node type, then the case parameters broadcast to every node.</summary>
    public Tensor StaticNodeFeatures { get; }
    /// <summary>[N] bool: NORMAL or OUTFLOW.</summary>
    public Tensor PredictedMask { get; }
    /// <summary>[N, 1] float32: 1 on NORMAL nodes, the ones training noise perturbs.</summary>
    public Tensor NoiseMask { get; }

    public static TrajectoryTensors Create(SimulationTrajectory trajectory, Device? device = null)
    {
        using var scope = torch.NewDisposeScope();
        var graph = trajectory.Graph;
        var (senders, receivers) = graph.ToTensors(device);
        var edgeFeatures = GraphFeatures.RelativePositions(graph, trajectory.Positions, 2).ToTensor(device);
        var oneHot = GraphFeatures.OneHotNodeTypes(trajectory.NodeTypes).ToTensor(device);
        var parameterCount = trajectory.Parameters.Length;
        var staticFeatures = parameterCount == 0
            ? oneHot
            : torch.cat([oneHot, torch.tensor(trajectory.Parameters, 1, parameterCount).to(oneHot.device).expand(graph.NodeCount, parameterCount)], 1);
        var types = torch.tensor(trajectory.NodeTypes.Select(t => (long)t).ToArray(), graph.NodeCount).to(oneHot.device);
        var predicted = torch.tensor(trajectory.PredictedNodes(), graph.NodeCount).to(oneHot.device);
        var normal = types.eq((double)NodeType.Normal).unsqueeze(1).@float();
        return new TrajectoryTensors(trajectory, Keep(senders), Keep(receivers), Keep(edgeFeatures), Keep(types),
            Keep(staticFeatures.contiguous()), Keep(predicted), Keep(normal));
    }

    private static Tensor Keep(Tensor t) => t.DetachFromDisposeScope();

    /// <summary>[N, F] float32 on this trajectory's device: the fields at <paramref name="frame"/>.</summary>
    public Tensor State(int frame) =>
        torch.tensor(Trajectory.Frame(frame), Trajectory.NodeCount, Trajectory.FieldCount).to(Senders.device);

    public void Dispose()
    {
        Senders.Dispose();
        Receivers.Dispose();
        EdgeFeatures.Dispose();
        NodeTypes.Dispose();
        StaticNodeFeatures.Dispose();
        PredictedMask.Dispose();
        NoiseMask.Dispose();
    }
}
