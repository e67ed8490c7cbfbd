using GnnSim.Graph;

namespace GnnSim.Meshing;

/// <summary>
/// A 2D mesh: node positions <c>[N, 2]</c> (x, y interleaved), cells of 3 (triangles) or 4 (quads)
/// counterclockwise node indices, and the tagged boundary segments.
/// </summary>
public sealed class Mesh2D
{
    public Mesh2D(double[] positions, int[] cells, int verticesPerCell, IReadOnlyList<BoundarySegment>? boundary = null)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(cells);
        if (positions.Length % 2 != 0) throw new ArgumentException($"positions hold {positions.Length} values, not a whole number of (x, y) pairs");
        if (verticesPerCell is not (3 or 4)) throw new ArgumentException($"cells must be triangles (3) or quads (4), got {verticesPerCell}");
        if (cells.Length % verticesPerCell != 0) throw new ArgumentException($"{cells.Length} cell indices is not a whole number of {verticesPerCell}-node cells");
        var nodeCount = positions.Length / 2;
        for (var i = 0; i < cells.Length; i++)
            if ((uint)cells[i] >= (uint)nodeCount) throw new ArgumentException($"cell {i / verticesPerCell} names node {cells[i]}, outside 0..{nodeCount - 1}");
        boundary ??= [];
        foreach (var segment in boundary)
            if ((uint)segment.A >= (uint)nodeCount || (uint)segment.B >= (uint)nodeCount)
                throw new ArgumentException($"boundary segment ({segment.A}, {segment.B}) names a node outside 0..{nodeCount - 1}");
        Positions = positions;
        Cells = cells;
        VerticesPerCell = verticesPerCell;
        Boundary = boundary;
    }

    public double[] Positions { get; }
    public int[] Cells { get; }
    public int VerticesPerCell { get; }
    public IReadOnlyList<BoundarySegment> Boundary { get; }
    public int NodeCount => Positions.Length / 2;
    public int CellCount => Cells.Length / VerticesPerCell;

    public Point2 Point(int node) => new(Positions[2 * node], Positions[2 * node + 1]);

    /// <summary>DeepMind node types: NORMAL inside, the boundary tag's type on the boundary.</summary>
    public int[] NodeTypes()
    {
        var types = new int[NodeCount];
        var rank = new int[NodeCount];
        foreach (var segment in Boundary)
        {
            var precedence = BoundaryTags.Precedence(segment.Tag);
            foreach (var node in (ReadOnlySpan<int>)[segment.A, segment.B])
            {
                if (precedence <= rank[node]) continue;
                rank[node] = precedence;
                types[node] = (int)segment.Tag.ToNodeType();
            }
        }
        return types;
    }

    /// <summary>The mesh's edge graph (both directions), the graph MeshGraphNet runs on.</summary>
    public SparseGraph EdgeGraph() => MeshEdges.FromCells(Cells, VerticesPerCell, NodeCount);

    /// <summary>The same connectivity at other node positions (a moved mesh).</summary>
    public Mesh2D WithPositions(double[] positions)
    {
        if (positions.Length != Positions.Length) throw new ArgumentException($"moved positions hold {positions.Length} values, the mesh has {Positions.Length}");
        return new Mesh2D(positions, Cells, VerticesPerCell, Boundary);
    }

    /// <summary>
    /// The same mesh with every clockwise cell's corners reversed, so all run counterclockwise (as
    /// finite elements and movers expect); meshes from other tools may come either way.
    /// </summary>
    public Mesh2D CounterClockwise()
    {
        var areas = MeshQuality.SignedAreas(this);
        if (areas.All(a => a >= 0)) return this;
        var cells = (int[])Cells.Clone();
        for (var c = 0; c < CellCount; c++)
            if (areas[c] < 0) Array.Reverse(cells, VerticesPerCell * c, VerticesPerCell);
        return new Mesh2D(Positions, cells, VerticesPerCell, Boundary);
    }

    /// <summary>Triangles only: each quad is cut along its 0-2 diagonal.</summary>
    public Mesh2D Triangulated()
    {
        if (VerticesPerCell == 3) return this;
        var triangles = new int[CellCount * 6];
        for (var c = 0; c < CellCount; c++)
        {
            ReadOnlySpan<int> q = Cells.AsSpan(4 * c, 4);
            ((ReadOnlySpan<int>)[q[0], q[1], q[2], q[0], q[2], q[3]]).CopyTo(triangles.AsSpan(6 * c));
        }
        return new Mesh2D(Positions, triangles, 3, Boundary);
    }
}
