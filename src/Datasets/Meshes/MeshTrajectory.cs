namespace GnnSim.Datasets.Meshes;

/// <summary>A per-node field over time, <c>[frames, nodes, width]</c> row-major (velocity has width 2, pressure 1).</summary>
public sealed record TrajectoryField(string Name, int Width, float[] Values);

/// <summary>
/// One simulation on a fixed mesh, as DeepMind's mesh datasets hold them: node positions, cells,
/// node types (DeepMind codes, see GnnSim.Graph.NodeType), and time-dependent node fields. A mesh
/// without fields (a gmsh file) is a trajectory of no frames; a time step is known (positive) from
/// two frames on and may be 0 (unknown) below that.
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
        if (frameCount < 0) throw new ArgumentException($"trajectory {name}: {frameCount} frames");
        if (frameCount >= 2 ? !(dt > 0) || !double.IsFinite(dt) : !(dt >= 0) || !double.IsFinite(dt))
            throw new ArgumentException($"trajectory {name}: time step {dt} is not positive");
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

    /// <summary>The same trajectory with other node types (from a user's mapping or the geometry).</summary>
    public MeshTrajectory WithNodeTypes(int[] nodeTypes) =>
        new(Name, MeshPositions, Dimension, Cells, VerticesPerCell, nodeTypes, FrameCount, Dt, Fields, Parameters);

    /// <summary>
    /// Node types from the boundary geometry (<see cref="GnnSim.Meshing.BoundaryClassifier"/>), for data
    /// that carries none or the wrong ones: <c>left=inflow,right=outflow,top=wall,bottom=wall,holes=obstacle</c>.
    /// </summary>
    public MeshTrajectory WithBoundaryTypes(string spec)
    {
        if (Dimension != 2 || VerticesPerCell != 3) throw new ArgumentException($"trajectory {Name}: node types from the boundary need a 2D triangle mesh");
        return WithNodeTypes(GnnSim.Meshing.BoundaryClassifier.Classify(MeshPositions.Select(v => (double)v).ToArray(), Cells, spec));
    }

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
