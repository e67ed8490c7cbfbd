namespace GnnSim.Graph;

/// <summary>The standard input features of mesh-based GNNs (MeshGraphNets, section 3).</summary>
public static class GraphFeatures
{
    /// <summary>
    /// Edge features <c>[E, D + 1]</c>: the relative position <c>x_s - x_r</c> of every edge and its
    /// Euclidean norm.
    /// </summary>
    public static FeatureMatrix RelativePositions(SparseGraph graph, ReadOnlySpan<double> positions, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (dimensions is < 1 or > 3) throw new ArgumentException($"positions must have 1 to 3 coordinates per node, got {dimensions}");
        if (positions.Length != graph.NodeCount * dimensions)
            throw new ArgumentException($"{positions.Length} coordinates for {graph.NodeCount} nodes of dimension {dimensions}");
        var width = dimensions + 1;
        var values = new float[graph.EdgeCount * width];
        for (var e = 0; e < graph.EdgeCount; e++)
        {
            int s = graph.Senders[e] * dimensions, r = graph.Receivers[e] * dimensions;
            double squared = 0;
            for (var axis = 0; axis < dimensions; axis++)
            {
                var delta = positions[s + axis] - positions[r + axis];
                values[e * width + axis] = (float)delta;
                squared += delta * delta;
            }
            values[e * width + dimensions] = (float)Math.Sqrt(squared);
        }
        return new FeatureMatrix(values, graph.EdgeCount, width);
    }

    /// <inheritdoc cref="RelativePositions(SparseGraph, ReadOnlySpan{double}, int)"/>
    public static FeatureMatrix RelativePositions(SparseGraph graph, ReadOnlySpan<float> positions, int dimensions)
    {
        var wide = new double[positions.Length];
        for (var i = 0; i < wide.Length; i++) wide[i] = positions[i];
        return RelativePositions(graph, wide, dimensions);
    }

    /// <summary>One-hot node types <c>[N, 9]</c> (DeepMind's <c>NodeType.SIZE</c> columns).</summary>
    public static FeatureMatrix OneHotNodeTypes(ReadOnlySpan<int> nodeTypes)
    {
        const int width = (int)NodeType.Size;
        var values = new float[nodeTypes.Length * width];
        for (var i = 0; i < nodeTypes.Length; i++)
        {
            if ((uint)nodeTypes[i] >= width) throw new ArgumentException($"node {i} has type {nodeTypes[i]}, outside 0..{width - 1}");
            values[i * width + nodeTypes[i]] = 1f;
        }
        return new FeatureMatrix(values, nodeTypes.Length, width);
    }
}
