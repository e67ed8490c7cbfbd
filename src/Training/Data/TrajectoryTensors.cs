using GnnSim.Graph;
using GnnSim.Operators;
using GnnSim.Torch;

namespace GnnSim.Training.Data;

/// <summary>
/// The per-trajectory tensors that never change over a trajectory (edges, edge features, one-hot node
/// types, parameters, masks), made once and kept outside every dispose scope. Dispose to free them.
/// </summary>
public sealed class TrajectoryTensors : IDisposable
{
    /// <summary>Width of the one-hot node type (DeepMind's codes).</summary>
    public const int NodeTypeWidth = (int)NodeType.Size;
    /// <summary>Width of a mesh edge's features in 2D: x_s - x_r and its norm.</summary>
    public const int EdgeFeatureWidth = 3;

    private readonly Dictionary<string, OperatorGraph.Edges> fixedEdgeSets = [];
    // On a GPU every frame is uploaded once ([T, N, F]), so that a training step copies nothing from the host;
    // on the CPU a frame is wrapped when asked for, which costs no second copy of the trajectory.
    private Tensor? framesOnDevice;
    private readonly List<DerivedEdgeSet> redrawnEdgeSets = [];

    private TrajectoryTensors(SimulationTrajectory trajectory, Tensor positions, Tensor senders, Tensor receivers, Tensor edgeFeatures,
        Tensor nodeTypes, Tensor staticNodeFeatures, Tensor parameters, Tensor predictedMask, Tensor noiseMask, Tensor frameTimes)
    {
        FrameTimes = frameTimes;
        Trajectory = trajectory;
        Positions = positions;
        Senders = senders;
        Receivers = receivers;
        EdgeFeatures = edgeFeatures;
        NodeTypes = nodeTypes;
        StaticNodeFeatures = staticNodeFeatures;
        Parameters = parameters;
        PredictedMask = predictedMask;
        NoiseMask = noiseMask;
    }

    public SimulationTrajectory Trajectory { get; }
    /// <summary>[N, 2] mesh positions.</summary>
    public Tensor Positions { get; }
    /// <summary>[E] int64</summary>
    public Tensor Senders { get; }
    public Tensor Receivers { get; }
    /// <summary>[E, 3]: x_s - x_r and its norm (mesh positions).</summary>
    public Tensor EdgeFeatures { get; }
    /// <summary>[N] int64 DeepMind codes.</summary>
    public Tensor NodeTypes { get; }
    /// <summary>[N, 9 + P]: one-hot node type, then the case parameters broadcast to every node.</summary>
    public Tensor StaticNodeFeatures { get; }
    /// <summary>[P] the case parameters (the graph's conditions).</summary>
    public Tensor Parameters { get; }
    /// <summary>[N] bool: NORMAL or OUTFLOW.</summary>
    public Tensor PredictedMask { get; }
    /// <summary>[N, 1] float32: 1 on NORMAL nodes, the ones training noise perturbs.</summary>
    public Tensor NoiseMask { get; }
    /// <summary>[T] float32: each frame's time, frame x dt (seconds since the first frame).</summary>
    public Tensor FrameTimes { get; }

    /// <summary>
    /// The tensors of <paramref name="trajectory"/> on <paramref name="device"/>, with the edge sets an
    /// operator derives from the mesh (<see cref="GraphOperator.DerivedEdgeSets"/>): the fixed ones
    /// built here once, the redrawn ones at every <see cref="Graph"/>.
    /// </summary>
    public static TrajectoryTensors Create(SimulationTrajectory trajectory, Device? device = null, IReadOnlyList<DerivedEdgeSet>? derivedEdgeSets = null)
    {
        var tensors = MeshTensors(trajectory, device);
        try
        {
            foreach (var set in derivedEdgeSets ?? [])
            {
                if (set.Name == OperatorBatch.MeshEdges || tensors.fixedEdgeSets.ContainsKey(set.Name) || tensors.redrawnEdgeSets.Any(r => r.Name == set.Name))
                    throw new ArgumentException($"two edge sets are named '{set.Name}'");
                if (set.Redrawn) tensors.redrawnEdgeSets.Add(set);
                else tensors.fixedEdgeSets[set.Name] = tensors.Edges(set.Build(trajectory.Graph, new Random(0)), keep: true);
            }
            if (tensors.Senders.device.Type != DeviceType.CPU)
            {
                using var host = torch.tensor(trajectory.States, trajectory.FrameCount, trajectory.NodeCount, trajectory.FieldCount);
                tensors.framesOnDevice = Keep(host.to(tensors.Senders.device));
            }
            return tensors;
        }
        catch
        {
            tensors.Dispose();
            throw;
        }
    }

    private static TrajectoryTensors MeshTensors(SimulationTrajectory trajectory, Device? device)
    {
        using var scope = torch.NewDisposeScope();
        var graph = trajectory.Graph;
        var (senders, receivers) = graph.ToTensors(device);
        var target = senders.device;
        var edgeFeatures = GraphFeatures.RelativePositions(graph, trajectory.Positions, 2).ToTensor(device);
        var oneHot = GraphFeatures.OneHotNodeTypes(trajectory.NodeTypes).ToTensor(device);
        var parameterCount = trajectory.Parameters.Length;
        var parameters = torch.tensor(trajectory.Parameters, parameterCount).to(target);
        var staticFeatures = parameterCount == 0
            ? oneHot
            : torch.cat([oneHot, parameters.unsqueeze(0).expand(graph.NodeCount, parameterCount)], 1);
        var positions = torch.tensor(trajectory.Positions, graph.NodeCount, 2).to(target);
        var types = torch.tensor(trajectory.NodeTypes.Select(t => (long)t).ToArray(), graph.NodeCount).to(target);
        var predicted = torch.tensor(trajectory.PredictedNodes(), graph.NodeCount).to(target);
        var normal = types.eq((double)NodeType.Normal).unsqueeze(1).@float();
        return new TrajectoryTensors(trajectory, Keep(positions), Keep(senders), Keep(receivers), Keep(edgeFeatures), Keep(types),
            Keep(staticFeatures.contiguous()), Keep(parameters), Keep(predicted), Keep(normal),
            Keep((torch.arange(0.0, trajectory.FrameCount) * trajectory.Dt).to(target)));
    }

    private static Tensor Keep(Tensor t) => t.DetachFromDisposeScope();

    /// <summary>[N, F] float32 on this trajectory's device: the fields at <paramref name="frame"/>.</summary>
    public Tensor State(int frame) => framesOnDevice is { } frames
        ? frames.narrow(0, frame, 1).view(Trajectory.NodeCount, Trajectory.FieldCount).clone() // a copy on the device: callers may change their state in place
        : torch.tensor(Trajectory.Frame(frame), Trajectory.NodeCount, Trajectory.FieldCount);

    /// <summary>
    /// The operator's view of this trajectory with <paramref name="state"/> on its nodes (raw, not
    /// normalized): node inputs [state, one-hot type, parameters], the mesh edge set with its
    /// features, the parameters as the graph's conditions, and where the state's frame is given, its
    /// time (frame x dt, seconds since the first frame).
    /// </summary>
    public OperatorGraph Graph(Tensor state, int? frame = null)
    {
        var edgeSets = new Dictionary<string, OperatorGraph.Edges>(fixedEdgeSets) { [OperatorBatch.MeshEdges] = new(Trajectory.Graph, Senders, Receivers, EdgeFeatures) };
        foreach (var set in redrawnEdgeSets)
        {
            // Seeded from libtorch's generator: a seeded run draws the same sets, a resumed one carries on.
            var random = new Random(torch.random_int(int.MaxValue));
            edgeSets[set.Name] = Edges(set.Build(Trajectory.Graph, random), keep: false);
        }
        return new(torch.cat([state, StaticNodeFeatures], 1), Positions, edgeSets)
        {
            Conditions = Parameters,
            Time = frame is { } f ? FrameTimes.narrow(0, f, 1) : null,
        };
    }

    /// <summary>A derived set's edges as tensors on this trajectory's device; kept ones outlive every dispose scope.</summary>
    private OperatorGraph.Edges Edges(SparseGraph topology, bool keep)
    {
        if (topology.NodeCount != Trajectory.NodeCount)
            throw new ArgumentException($"{Trajectory.Name}: a derived edge set has {topology.NodeCount} nodes, the mesh {Trajectory.NodeCount}");
        var (senders, receivers) = topology.ToTensors(Senders.device);
        return keep ? new(topology, Keep(senders), Keep(receivers), null) : new(topology, senders, receivers, null);
    }

    public void Dispose()
    {
        Positions.Dispose();
        Senders.Dispose();
        Receivers.Dispose();
        EdgeFeatures.Dispose();
        NodeTypes.Dispose();
        StaticNodeFeatures.Dispose();
        Parameters.Dispose();
        PredictedMask.Dispose();
        NoiseMask.Dispose();
        FrameTimes.Dispose();
        framesOnDevice?.Dispose();
        foreach (var set in fixedEdgeSets.Values)
        {
            set.Senders.Dispose();
            set.Receivers.Dispose();
        }
    }
}
