namespace GnnSim.Graph;

/// <summary>
/// Many graphs as one (jraph's GraphsTuple): nodes and edges are concatenated, node indices of
/// graph <c>g</c> are shifted by <c>NodeOffsets[g]</c>, and <c>BatchVector[i]</c> says which graph
/// node <c>i</c> came from. <see cref="Split"/> undoes it.
/// </summary>
public sealed class GraphBatch
{
    private GraphBatch(SparseGraph graph, int[] nodeOffsets, int[] edgeOffsets, int[] batchVector)
    {
        Graph = graph;
        NodeOffsets = nodeOffsets;
        EdgeOffsets = edgeOffsets;
        BatchVector = batchVector;
    }

    public SparseGraph Graph { get; }
    /// <summary><c>[B + 1]</c>: graph g owns nodes <c>NodeOffsets[g] .. NodeOffsets[g+1]-1</c>.</summary>
    public int[] NodeOffsets { get; }
    /// <summary><c>[B + 1]</c>: graph g owns edges <c>EdgeOffsets[g] .. EdgeOffsets[g+1]-1</c>.</summary>
    public int[] EdgeOffsets { get; }
    /// <summary><c>[N]</c>: the graph each node belongs to.</summary>
    public int[] BatchVector { get; }
    public int GraphCount => NodeOffsets.Length - 1;

    public static GraphBatch Combine(IReadOnlyList<SparseGraph> graphs)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        if (graphs.Count == 0) throw new ArgumentException("a batch needs at least one graph");
        var nodeOffsets = new int[graphs.Count + 1];
        var edgeOffsets = new int[graphs.Count + 1];
        for (var g = 0; g < graphs.Count; g++)
        {
            nodeOffsets[g + 1] = checked(nodeOffsets[g] + graphs[g].NodeCount);
            edgeOffsets[g + 1] = checked(edgeOffsets[g] + graphs[g].EdgeCount);
            if ((graphs[g].NodeFeatures is null) != (graphs[0].NodeFeatures is null) || (graphs[g].EdgeFeatures is null) != (graphs[0].EdgeFeatures is null))
                throw new ArgumentException($"graph {g} does not carry the same kinds of features as graph 0");
        }
        var senders = new int[edgeOffsets[^1]];
        var receivers = new int[edgeOffsets[^1]];
        var batchVector = new int[nodeOffsets[^1]];
        for (var g = 0; g < graphs.Count; g++)
        {
            var graph = graphs[g];
            var shift = nodeOffsets[g];
            for (var e = 0; e < graph.EdgeCount; e++)
            {
                senders[edgeOffsets[g] + e] = graph.Senders[e] + shift;
                receivers[edgeOffsets[g] + e] = graph.Receivers[e] + shift;
            }
            batchVector.AsSpan(shift, graph.NodeCount).Fill(g);
        }
        var nodeFeatures = graphs[0].NodeFeatures is null ? null : FeatureMatrix.Concatenate(graphs.Select(x => x.NodeFeatures!).ToList());
        var edgeFeatures = graphs[0].EdgeFeatures is null ? null : FeatureMatrix.Concatenate(graphs.Select(x => x.EdgeFeatures!).ToList());
        return new GraphBatch(new SparseGraph(nodeOffsets[^1], senders, receivers, nodeFeatures, edgeFeatures), nodeOffsets, edgeOffsets, batchVector);
    }

    /// <summary>The graphs this batch was made of, with their own node numbering.</summary>
    public SparseGraph[] Split()
    {
        var graphs = new SparseGraph[GraphCount];
        for (var g = 0; g < GraphCount; g++)
        {
            int firstNode = NodeOffsets[g], nodeCount = NodeOffsets[g + 1] - firstNode;
            int firstEdge = EdgeOffsets[g], edgeCount = EdgeOffsets[g + 1] - firstEdge;
            var senders = new int[edgeCount];
            var receivers = new int[edgeCount];
            for (var e = 0; e < edgeCount; e++)
            {
                senders[e] = Graph.Senders[firstEdge + e] - firstNode;
                receivers[e] = Graph.Receivers[firstEdge + e] - firstNode;
            }
            graphs[g] = new SparseGraph(nodeCount, senders, receivers, Slice(Graph.NodeFeatures, firstNode, nodeCount), Slice(Graph.EdgeFeatures, firstEdge, edgeCount));
        }
        return graphs;
    }

    private static FeatureMatrix? Slice(FeatureMatrix? features, int firstRow, int rows) =>
        features is null ? null : new FeatureMatrix(features.Values.AsSpan(firstRow * features.Columns, rows * features.Columns).ToArray(), rows, features.Columns);
}
