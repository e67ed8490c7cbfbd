using GnnSim.Torch;

namespace GnnSim.Graph;

/// <summary>
/// A directed graph as flat arrays: edge <c>e</c> carries a message from <c>Senders[e]</c> to
/// <c>Receivers[e]</c>. An undirected graph stores both directions. Node and edge features are
/// optional <c>[N, F]</c> / <c>[E, F]</c> blocks. Instances are immutable; every operation returns a
/// new graph.
/// </summary>
public sealed class SparseGraph
{
    private CsrAdjacency? byReceiver;

    public SparseGraph(int nodeCount, int[] senders, int[] receivers, FeatureMatrix? nodeFeatures = null, FeatureMatrix? edgeFeatures = null)
    {
        ArgumentNullException.ThrowIfNull(senders);
        ArgumentNullException.ThrowIfNull(receivers);
        if (nodeCount < 0) throw new ArgumentException($"node count must be >= 0, got {nodeCount}");
        if (senders.Length != receivers.Length)
            throw new ArgumentException($"senders and receivers differ in length: {senders.Length} and {receivers.Length}");
        for (var e = 0; e < senders.Length; e++)
        {
            if ((uint)senders[e] >= (uint)nodeCount || (uint)receivers[e] >= (uint)nodeCount)
                throw new ArgumentException($"edge {e} ({senders[e]} -> {receivers[e]}) names a node outside 0..{nodeCount - 1}");
        }
        if (nodeFeatures is not null && nodeFeatures.Rows != nodeCount)
            throw new ArgumentException($"node features have {nodeFeatures.Rows} rows for {nodeCount} nodes");
        if (edgeFeatures is not null && edgeFeatures.Rows != senders.Length)
            throw new ArgumentException($"edge features have {edgeFeatures.Rows} rows for {senders.Length} edges");
        NodeCount = nodeCount;
        Senders = senders;
        Receivers = receivers;
        NodeFeatures = nodeFeatures;
        EdgeFeatures = edgeFeatures;
    }

    public int NodeCount { get; }
    public int EdgeCount => Senders.Length;
    public int[] Senders { get; }
    public int[] Receivers { get; }
    public FeatureMatrix? NodeFeatures { get; }
    public FeatureMatrix? EdgeFeatures { get; }

    public SparseGraph WithNodeFeatures(FeatureMatrix? features) => new(NodeCount, Senders, Receivers, features, EdgeFeatures);

    public SparseGraph WithEdgeFeatures(FeatureMatrix? features) => new(NodeCount, Senders, Receivers, NodeFeatures, features);

    /// <summary>Incoming edges grouped by receiver (built once, then cached).</summary>
    public CsrAdjacency ByReceiver() => byReceiver ??= CsrAdjacency.Group(NodeCount, Receivers, Senders);

    /// <summary>Outgoing edges grouped by sender.</summary>
    public CsrAdjacency BySender() => CsrAdjacency.Group(NodeCount, Senders, Receivers);

    /// <summary>Number of incoming edges of every node.</summary>
    public int[] InDegree() => Count(Receivers);

    /// <summary>Number of outgoing edges of every node.</summary>
    public int[] OutDegree() => Count(Senders);

    public bool HasSelfLoops()
    {
        for (var e = 0; e < EdgeCount; e++)
            if (Senders[e] == Receivers[e]) return true;
        return false;
    }

    /// <summary>True when every edge <c>s -> r</c> has its reverse <c>r -> s</c> (duplicates are counted once).</summary>
    public bool IsUndirected()
    {
        var keys = new HashSet<long>(EdgeCount);
        for (var e = 0; e < EdgeCount; e++) keys.Add(EdgeKey(Senders[e], Receivers[e]));
        for (var e = 0; e < EdgeCount; e++)
            if (!keys.Contains(EdgeKey(Receivers[e], Senders[e]))) return false;
        return true;
    }

    /// <summary>This graph plus one <c>i -> i</c> edge for every node that lacks one.</summary>
    public SparseGraph WithSelfLoops()
    {
        RequireNoEdgeFeatures(nameof(WithSelfLoops));
        var hasLoop = new bool[NodeCount];
        for (var e = 0; e < EdgeCount; e++)
            if (Senders[e] == Receivers[e]) hasLoop[Senders[e]] = true;
        var missing = hasLoop.Count(x => !x);
        var senders = new int[EdgeCount + missing];
        var receivers = new int[EdgeCount + missing];
        Senders.CopyTo(senders, 0);
        Receivers.CopyTo(receivers, 0);
        var at = EdgeCount;
        for (var i = 0; i < NodeCount; i++)
        {
            if (hasLoop[i]) continue;
            senders[at] = receivers[at] = i;
            at++;
        }
        return new SparseGraph(NodeCount, senders, receivers, NodeFeatures);
    }

    /// <summary>This graph without its <c>i -> i</c> edges (edge features follow their edges).</summary>
    public SparseGraph WithoutSelfLoops() => KeepEdges((s, r) => s != r);

    /// <summary>
    /// One direction of every edge: only <c>s -> r</c> with <c>s &gt; r</c>, for operators that
    /// handle both directions themselves (PhysGTO's flux-oriented message passing).
    /// </summary>
    public SparseGraph OneDirection() => KeepEdges((s, r) => s > r);

    /// <summary>This graph's edges that none of <paramref name="others"/> has (same direction), in their order: sets made disjoint, so that their union counts no edge twice.</summary>
    public SparseGraph Except(params SparseGraph[] others)
    {
        var present = new HashSet<long>(others.Sum(o => o.EdgeCount));
        foreach (var other in others)
        {
            if (other.NodeCount != NodeCount) throw new ArgumentException($"graphs of {NodeCount} and {other.NodeCount} nodes");
            for (var e = 0; e < other.EdgeCount; e++) present.Add(EdgeKey(other.Senders[e], other.Receivers[e]));
        }
        return KeepEdges((s, r) => !present.Contains(EdgeKey(s, r)));
    }

    /// <summary>The edges for which <paramref name="keep"/> is true, in their order, with their features.</summary>
    public SparseGraph KeepEdges(Func<int, int, bool> keep)
    {
        var kept = new List<int>(EdgeCount);
        for (var e = 0; e < EdgeCount; e++)
            if (keep(Senders[e], Receivers[e])) kept.Add(e);
        var ids = kept.ToArray();
        var senders = new int[ids.Length];
        var receivers = new int[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            senders[i] = Senders[ids[i]];
            receivers[i] = Receivers[ids[i]];
        }
        return new SparseGraph(NodeCount, senders, receivers, NodeFeatures, EdgeFeatures?.SelectRows(ids));
    }

    /// <summary><c>[E]</c> int64 tensors of senders and receivers, the form index_select and index_add take.</summary>
    public (Tensor Senders, Tensor Receivers) ToTensors(Device? device = null) => (ToLongTensor(Senders, device), ToLongTensor(Receivers, device));

    internal static long EdgeKey(int sender, int receiver) => ((long)sender << 32) | (uint)receiver;

    internal void RequireNoEdgeFeatures(string operation)
    {
        if (EdgeFeatures is not null)
            throw new InvalidOperationException($"{operation} adds edges, which would have no features: add edges first, then compute edge features");
    }

    private int[] Count(int[] endpoints)
    {
        var degree = new int[NodeCount];
        foreach (var node in endpoints) degree[node]++;
        return degree;
    }

    private static Tensor ToLongTensor(int[] indices, Device? device)
    {
        var wide = new long[indices.Length];
        for (var i = 0; i < indices.Length; i++) wide[i] = indices[i];
        return TensorHandOver.OnDevice(torch.tensor(wide, wide.Length), device);
    }
}
