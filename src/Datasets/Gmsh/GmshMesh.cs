namespace GnnSim.Datasets.Gmsh;

/// <summary>A physical group of a gmsh file: its dimension (0 points, 1 curves, 2 surfaces), tag and name ("" when unnamed).</summary>
public sealed record GmshPhysicalGroup(int Dimension, int Tag, string Name);

/// <summary>
/// A 2D mesh as a gmsh file holds it: node positions (z dropped), triangles (quads split in two),
/// boundary line segments and points, each element with the physical group it belongs to (0 for none).
/// Node numbers are 0-based in file order of their tags.
/// </summary>
public sealed class GmshMesh
{
    public required string Version { get; init; }
    public required bool Binary { get; init; }
    /// <summary>[N, 2]</summary>
    public required double[] Positions { get; init; }
    /// <summary>[C, 3]</summary>
    public required int[] Triangles { get; init; }
    /// <summary>[C]: the physical group tag of each triangle (0: none).</summary>
    public required int[] TrianglePhysical { get; init; }
    /// <summary>[L, 2] boundary line segments.</summary>
    public required int[] Lines { get; init; }
    public required int[] LinePhysical { get; init; }
    /// <summary>Point elements (a node each).</summary>
    public required int[] Points { get; init; }
    public required int[] PointPhysical { get; init; }
    public required IReadOnlyList<GmshPhysicalGroup> PhysicalGroups { get; init; }
    /// <summary>How many quadrilaterals were split into two triangles each.</summary>
    public int QuadsSplit { get; init; }

    public int NodeCount => Positions.Length / 2;
    public int TriangleCount => Triangles.Length / 3;
    public int LineCount => Lines.Length / 2;

    /// <summary>The physical group of dimension <paramref name="dimension"/> with this tag, or null.</summary>
    public GmshPhysicalGroup? Group(int dimension, int tag) => PhysicalGroups.FirstOrDefault(g => g.Dimension == dimension && g.Tag == tag);
}
