using GnnSim.Graph;

namespace GnnSim.Training.Data;

/// <summary>
/// One trajectory as an operator sees it, whatever file it came from: a fixed graph over the nodes,
/// their positions and DeepMind node types, the state fields over time and the case parameters
/// (broadcast to every node as inputs). Grid cases keep their grid shape and cell map so results can
/// be put back on the grid; mesh cases keep their cells.
/// </summary>
public sealed class SimulationTrajectory
{
    public SimulationTrajectory(string name, SparseGraph graph, float[] positions, int[] nodeTypes,
        IReadOnlyList<string> fieldNames, float[] states, float[] parameters, double dt)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (positions.Length != graph.NodeCount * 2) throw new ArgumentException($"{name}: {positions.Length} coordinates for {graph.NodeCount} nodes (2D)");
        if (nodeTypes.Length != graph.NodeCount) throw new ArgumentException($"{name}: {nodeTypes.Length} node types for {graph.NodeCount} nodes");
        if (fieldNames.Count == 0) throw new ArgumentException($"{name}: no state fields");
        var frameSize = graph.NodeCount * fieldNames.Count;
        if (frameSize == 0 || states.Length % frameSize != 0 || states.Length / frameSize < 2)
            throw new ArgumentException($"{name}: {states.Length} state values are not at least two frames of {graph.NodeCount} nodes x {fieldNames.Count} fields");
        Name = name;
        Graph = graph;
        Positions = positions;
        NodeTypes = nodeTypes;
        FieldNames = fieldNames;
        States = states;
        Parameters = parameters;
        Dt = dt;
        FrameCount = states.Length / frameSize;
    }

    public string Name { get; }
    public SparseGraph Graph { get; }
    public int NodeCount => Graph.NodeCount;
    /// <summary>[nodes, 2]</summary>
    public float[] Positions { get; }
    public int[] NodeTypes { get; }
    public IReadOnlyList<string> FieldNames { get; }
    public int FieldCount => FieldNames.Count;
    /// <summary>[frames, nodes, fields]</summary>
    public float[] States { get; }
    public int FrameCount { get; }
    /// <summary>The case parameters the model is given (normalized as the dataset defines).</summary>
    public float[] Parameters { get; }
    public double Dt { get; }

    /// <summary>Triangles <c>[C, 3]</c> of a mesh case (null for grid cases).</summary>
    public int[]? Cells { get; init; }
    /// <summary>For grid cases: the grid (width, height) and the row-major cell of every node.</summary>
    public (int Width, int Height)? GridShape { get; init; }
    public int[]? CellOfNode { get; init; }
    /// <summary>Named case parameters as the file had them, for reports.</summary>
    public IReadOnlyDictionary<string, double> CaseParameters { get; init; } = new Dictionary<string, double>();

    public ReadOnlySpan<float> Frame(int frame)
    {
        if (frame < 0 || frame >= FrameCount) throw new ArgumentOutOfRangeException(nameof(frame), $"{Name} has frames 0..{FrameCount - 1}, not {frame}");
        var size = NodeCount * FieldCount;
        return States.AsSpan(frame * size, size);
    }

    /// <summary>Nodes whose fields the model predicts (NORMAL and OUTFLOW); the others are boundary conditions.</summary>
    public bool[] PredictedNodes() => NodeTypes.Select(IsPredicted).ToArray();

    public static bool IsPredicted(int nodeType) => nodeType is (int)NodeType.Normal or (int)NodeType.Outflow;
}
