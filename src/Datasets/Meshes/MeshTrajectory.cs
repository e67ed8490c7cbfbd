namespace GnnSim.Datasets.Meshes;

/// <summary>A per-node field over time, <c>[frames, nodes, width]</c> row-major (velocity has width 2, pressure 1).</summary>
public sealed record TrajectoryField(string Name, int Width, float[] Values);

/// <summary>
/// One simulation on a fixed mesh, as DeepMind's mesh datasets hold them: node positions, cells,
/// node types (DeepMind codes, see GnnSim.Graph.NodeType), and time-dependent node fields.
/// </summary>
public sealed class MeshTrajectory
{
    public MeshTrajectory(string name, float[] meshPositions, int dimension, int[] cells, int verticesPerCell, int[] nodeTypes,
        int frameCount, double dt, IReadOnlyList<TrajectoryField> fields, IReadOnlyDictionary<string, double>? parameters = null)
    {
        if (dimension is < 1 or > 3) throw new ArgumentException($"trajectory {name}: mesh dimension {dimension} is not 1, 2 or 3");
        if (meshPositions.Length % dimension != 0) throw new ArgumentException($"trajectory {name}: {meshPositions.Length} coordinates is not a whole number of {dimension}-D points");
        if (verticesPerCell < 2 || cells.Length % verticesPerCell != 0) throw new ArgumentException($"trajectory {name}: {cells.Length} cell indices is not a whole number of {verticesPerCell}-vertex cells");
        int nodes = meshPositions.Length / dimension;
        if (nodeTypes.Length != nodes) throw new ArgumentException($"trajectory {name}: {nodeTypes.Length} node types for {nodes} nodes");
        foreach (var index in cells)
            if ((uint)index >= (uint)nodes) throw new ArgumentException($"trajectory {name}: a cell refers to node {index}, but there are {nodes} nodes");
        if (frameCount < 1) throw new ArgumentException($"trajectory {name}: {frameCount} frames");
        if (!(dt > 0) || !double.IsFinite(dt)) throw new ArgumentException($"trajectory {name}: time step {dt} is not positive");
        foreach (var field in fields)
            if (field.Width < 1 || field.Values.Length != (long)frameCount * nodes * field.Width)
                throw new ArgumentException($"trajectory {name}: field {field.Name} has {field.Values.Length} values, expected {frameCount} x {nodes} x {field.Width}");
        Name = name;
        MeshPositions = meshPositions;
        Dimension = dimension;
        Cells = cells;
        VerticesPerCell = verticesPerCell;
        NodeTypes = nodeTypes;
        FrameCount = frameCount;
        Dt = dt;
        Fields = fields;
        Parameters = parameters ?? new Dictionary<string, double>();
    }

    public string Name { get; }
    /// <summary>[nodes, dimension]</summary>
    public float[] MeshPositions { get; }
    public int Dimension { get; }
    /// <summary>[cells, vertices per cell]</summary>
    public int[] Cells { get; }
    public int VerticesPerCell { get; }
    public int[] NodeTypes { get; }
    public int FrameCount { get; }
    /// <summary>Time between frames.</summary>
    public double Dt { get; }
    public IReadOnlyList<TrajectoryField> Fields { get; }
    /// <summary>Case parameters (inflow speed, radius, ...), stored as attributes.</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; }

    public int NodeCount => NodeTypes.Length;
    public int CellCount => Cells.Length / VerticesPerCell;

    public TrajectoryField Field(string name) =>
        Fields.FirstOrDefault(f => f.Name == name)
        ?? throw new KeyNotFoundException($"trajectory {Name} has no field {name} (it has {string.Join(", ", Fields.Select(f => f.Name))})");

    /// <summary>One frame of a field, [nodes, width].</summary>
    public ReadOnlySpan<float> Frame(string field, int frame)
    {
        var f = Field(field);
        if ((uint)frame >= (uint)FrameCount) throw new ArgumentOutOfRangeException(nameof(frame), $"frame {frame} of {FrameCount}");
        int size = NodeCount * f.Width;
        return f.Values.AsSpan(frame * size, size);
    }
}
