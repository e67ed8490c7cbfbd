using GnnSim.Graph;
using GnnSim.Torch;

namespace GnnSim.Operators;

/// <summary>
/// One named set of directed edges over a batch's nodes: messages flow <c>Senders[e]</c> to
/// <c>Receivers[e]</c>. <see cref="Offsets"/> <c>[B + 1]</c> says which edges belong to which graph.
/// </summary>
/// <param name="Senders">[E] int64</param>
/// <param name="Receivers">[E] int64</param>
/// <param name="Features">[E, F] edge inputs, or null for a set that carries none.</param>
public sealed record EdgeSet(Tensor Senders, Tensor Receivers, Tensor? Features, int[] Offsets)
{
    public long Count => Senders.shape[0];
}

/// <summary>
/// One graph as an operator's input: its node inputs and positions, its edge sets (topology as a
/// <see cref="SparseGraph"/>, the same edges as tensors, their features), and what a graph may carry
/// besides (per-graph conditions, a time, query points of a neural-field decoder).
/// </summary>
public sealed record OperatorGraph(Tensor NodeInputs, Tensor Positions, IReadOnlyDictionary<string, OperatorGraph.Edges> EdgeSets)
{
    /// <summary>[C] per-graph conditions (case parameters), or null.</summary>
    public Tensor? Conditions { get; init; }
    /// <summary>[1] the graph's physical time, or null.</summary>
    public Tensor? Time { get; init; }
    /// <summary>[Q, D] points where a neural-field decoder answers, or null.</summary>
    public Tensor? QueryPoints { get; init; }
    /// <summary>[N, 6] where moved nodes may go (<see cref="OperatorBatch.BoundaryRule"/>), or null.</summary>
    public Tensor? BoundaryRule { get; init; }

    /// <param name="Topology">the edges as int arrays (batching shifts them)</param>
    /// <param name="Senders">[E] int64, the same edges</param>
    /// <param name="Receivers">[E] int64</param>
    /// <param name="Features">[E, F] or null</param>
    public sealed record Edges(SparseGraph Topology, Tensor Senders, Tensor Receivers, Tensor? Features);
}

/// <summary>
/// Many graphs as one, as jraph's GraphsTuple: nodes stacked, every edge set's indices shifted by its
/// graph's node offset (through <see cref="GraphBatch"/>), and a batch vector saying which graph each
/// node came from. Attention, pooling and softmax over nodes must respect <see cref="BatchVector"/>:
/// a batch of two graphs gives what each gives alone.
/// </summary>
public sealed class OperatorBatch
{
    /// <summary>The edge set of the mesh (both directions of every cell side).</summary>
    public const string MeshEdges = "mesh";
    /// <summary>The edge set of a particle graph: every pair of particles within the connectivity radius (and each particle to itself), rebuilt every step.</summary>
    public const string RadiusEdges = "radius";

    /// <summary>[N, F] the node inputs.</summary>
    public required Tensor NodeInputs { get; init; }
    /// <summary>[N, D] node positions.</summary>
    public required Tensor Positions { get; init; }
    /// <summary>[N] int64: the graph of every node.</summary>
    public required Tensor BatchVector { get; init; }
    /// <summary>[B + 1]: graph g owns nodes <c>NodeOffsets[g] .. NodeOffsets[g + 1] - 1</c>.</summary>
    public required int[] NodeOffsets { get; init; }
    public required IReadOnlyDictionary<string, EdgeSet> EdgeSets { get; init; }
    /// <summary>[B, C] per-graph conditions, or null.</summary>
    public Tensor? Conditions { get; init; }
    /// <summary>[B, 1] per-graph time, or null.</summary>
    public Tensor? Time { get; init; }
    /// <summary>[Q, D] query points of all graphs, or null; <see cref="QueryBatch"/> [Q] says whose.</summary>
    public Tensor? QueryPoints { get; init; }
    public Tensor? QueryBatch { get; init; }
    /// <summary>
    /// [N, 6] for operators that move nodes (mesh movers): per node its freedom (0 free, 1 sliding
    /// along a straight run of boundary, 2 fixed), the run's origin (x, y), unit direction (x, y) and
    /// length, in the frame of <see cref="Positions"/>; fixed nodes stay at their position. Or null.
    /// </summary>
    public Tensor? BoundaryRule { get; init; }

    public int GraphCount => NodeOffsets.Length - 1;
    public long NodeCount => NodeInputs.shape[0];

    /// <summary>The named edge set; an error lists the sets there are.</summary>
    public EdgeSet Edges(string name) => EdgeSets.TryGetValue(name, out var set)
        ? set
        : throw new ArgumentException($"the batch has no edge set '{name}' (it has {string.Join(", ", EdgeSets.Keys)})");

    public OperatorBatch WithNodeInputs(Tensor nodeInputs) => Copy(nodeInputs, EdgeSets);

    public OperatorBatch WithEdgeFeatures(string name, Tensor features)
    {
        var sets = new Dictionary<string, EdgeSet>(EdgeSets) { [name] = Edges(name) with { Features = features } };
        return Copy(NodeInputs, sets);
    }

    private OperatorBatch Copy(Tensor nodeInputs, IReadOnlyDictionary<string, EdgeSet> sets) => new()
    {
        NodeInputs = nodeInputs, Positions = Positions, BatchVector = BatchVector, NodeOffsets = NodeOffsets, EdgeSets = sets,
        Conditions = Conditions, Time = Time, QueryPoints = QueryPoints, QueryBatch = QueryBatch, BoundaryRule = BoundaryRule,
    };

    /// <summary>
    /// Joins graphs into one batch. The graphs must carry the same edge sets and the same optional
    /// parts. A single graph keeps its own tensors (no copy): rollouts step one graph at a time.
    /// </summary>
    public static OperatorBatch Combine(IReadOnlyList<OperatorGraph> graphs)
    {
        if (graphs.Count == 0) throw new ArgumentException("a batch needs at least one graph");
        var first = graphs[0];
        foreach (var g in graphs)
        {
            if (!g.EdgeSets.Keys.Order().SequenceEqual(first.EdgeSets.Keys.Order()))
                throw new ArgumentException($"graphs of one batch must carry the same edge sets: [{string.Join(", ", first.EdgeSets.Keys)}] and [{string.Join(", ", g.EdgeSets.Keys)}]");
            foreach (var (name, edges) in g.EdgeSets)
                if (edges.Topology.NodeCount != g.NodeInputs.shape[0])
                    throw new ArgumentException($"edge set '{name}' spans {edges.Topology.NodeCount} nodes, the graph has {g.NodeInputs.shape[0]}");
            if ((g.Conditions is null) != (first.Conditions is null) || (g.Time is null) != (first.Time is null) || (g.QueryPoints is null) != (first.QueryPoints is null)
                || (g.BoundaryRule is null) != (first.BoundaryRule is null))
                throw new ArgumentException("graphs of one batch must all carry conditions, time, query points and boundary rules, or all lack them");
        }
        var device = first.NodeInputs.device;
        var nodeCounts = graphs.Select(g => checked((int)g.NodeInputs.shape[0])).ToArray();
        var nodeOffsets = new int[graphs.Count + 1];
        for (var g = 0; g < graphs.Count; g++) nodeOffsets[g + 1] = checked(nodeOffsets[g] + nodeCounts[g]);

        var sets = new Dictionary<string, EdgeSet>();
        foreach (var name in first.EdgeSets.Keys)
        {
            var parts = graphs.Select(g => g.EdgeSets[name]).ToList();
            if (parts.Any(p => (p.Features is null) != (parts[0].Features is null)))
                throw new ArgumentException($"edge set '{name}' has features in some graphs of the batch and not in others");
            if (parts.Count == 1)
            {
                sets[name] = new EdgeSet(parts[0].Senders, parts[0].Receivers, parts[0].Features, [0, parts[0].Topology.EdgeCount]);
                continue;
            }
            var joined = GraphBatch.Combine(parts.Select(p => p.Topology).ToList());
            var (senders, receivers) = joined.Graph.ToTensors(device);
            sets[name] = new EdgeSet(senders, receivers, parts[0].Features is null ? null : torch.cat(parts.Select(p => p.Features!).ToList()), joined.EdgeOffsets);
        }

        return new OperatorBatch
        {
            NodeInputs = Cat(graphs.Select(g => g.NodeInputs).ToList()),
            Positions = Cat(graphs.Select(g => g.Positions).ToList()),
            BatchVector = BatchVectorOf(nodeCounts, device),
            NodeOffsets = nodeOffsets,
            EdgeSets = sets,
            Conditions = first.Conditions is null ? null : torch.stack(graphs.Select(g => g.Conditions!).ToList()),
            Time = first.Time is null ? null : torch.stack(graphs.Select(g => g.Time!).ToList()),
            QueryPoints = first.QueryPoints is null ? null : Cat(graphs.Select(g => g.QueryPoints!).ToList()),
            QueryBatch = first.QueryPoints is null ? null : BatchVectorOf(graphs.Select(g => checked((int)g.QueryPoints!.shape[0])).ToArray(), device),
            BoundaryRule = first.BoundaryRule is null ? null : Cat(graphs.Select(g => g.BoundaryRule!).ToList()),
        };
    }

    private static Tensor Cat(List<Tensor> parts) => parts.Count == 1 ? parts[0] : torch.cat(parts);

    private static Tensor BatchVectorOf(int[] counts, Device device)
    {
        // One graph (every rollout step): all zeros, made on the device without a host array.
        if (counts.Length == 1) return torch.zeros([counts[0]], ScalarType.Int64, device);
        var vector = new long[counts.Sum()];
        var at = 0;
        for (var g = 0; g < counts.Length; g++)
        {
            vector.AsSpan(at, counts[g]).Fill(g);
            at += counts[g];
        }
        return torch.tensor(vector, vector.Length).to(device);
    }
}
