namespace GnnSim.Meshing;

/// <summary>Per-cell quality measures, and the tangling check for moved meshes (UM2N's metric).</summary>
public static class MeshQuality
{
    /// <summary>Signed cell areas (shoelace); positive for counterclockwise cells.</summary>
    public static double[] SignedAreas(Mesh2D mesh)
    {
        var areas = new double[mesh.CellCount];
        for (var c = 0; c < mesh.CellCount; c++)
        {
            double sum = 0;
            for (var k = 0; k < mesh.VerticesPerCell; k++)
            {
                Point2 a = Corner(mesh, c, k), b = Corner(mesh, c, k + 1);
                sum += a.X * b.Y - b.X * a.Y;
            }
            areas[c] = 0.5 * sum;
        }
        return areas;
    }

    /// <summary>The smallest interior angle of every cell, in degrees.</summary>
    public static double[] MinAngles(Mesh2D mesh)
    {
        var angles = new double[mesh.CellCount];
        for (var c = 0; c < mesh.CellCount; c++)
        {
            var min = double.MaxValue;
            for (var k = 0; k < mesh.VerticesPerCell; k++)
            {
                Point2 previous = Corner(mesh, c, k - 1 + mesh.VerticesPerCell), at = Corner(mesh, c, k), next = Corner(mesh, c, k + 1);
                Point2 u = next - at, v = previous - at;
                var cosine = Point2.Dot(u, v) / (u.Length * v.Length);
                min = Math.Min(min, Math.Acos(Math.Clamp(cosine, -1, 1)) * 180 / Math.PI);
            }
            angles[c] = min;
        }
        return angles;
    }

    /// <summary>
    /// Aspect ratio of every cell, 1 for the ideal shape: for triangles circumradius over twice the
    /// inradius (R / 2r), for quads longest over shortest side. Degenerate cells give infinity.
    /// </summary>
    public static double[] AspectRatios(Mesh2D mesh)
    {
        var ratios = new double[mesh.CellCount];
        var areas = SignedAreas(mesh);
        for (var c = 0; c < mesh.CellCount; c++)
        {
            if (mesh.VerticesPerCell == 4)
            {
                double longest = 0, shortest = double.MaxValue;
                for (var k = 0; k < 4; k++)
                {
                    var side = Point2.Distance(Corner(mesh, c, k), Corner(mesh, c, k + 1));
                    longest = Math.Max(longest, side);
                    shortest = Math.Min(shortest, side);
                }
                ratios[c] = shortest > 0 ? longest / shortest : double.PositiveInfinity;
                continue;
            }
            double a = Point2.Distance(Corner(mesh, c, 0), Corner(mesh, c, 1));
            double b = Point2.Distance(Corner(mesh, c, 1), Corner(mesh, c, 2));
            double d = Point2.Distance(Corner(mesh, c, 2), Corner(mesh, c, 0));
            var area = Math.Abs(areas[c]);
            // R = abc / 4A and r = 2A / (a + b + c), so R / 2r = abc (a + b + c) / 16 A^2.
            ratios[c] = area > 0 ? a * b * d * (a + b + d) / (16 * area * area) : double.PositiveInfinity;
        }
        return ratios;
    }

    /// <summary>
    /// Cells of <paramref name="moved"/> that are inverted relative to <paramref name="reference"/>:
    /// some corner turns the other way (or collapses). For triangles that is a flipped or zero
    /// signed area; for quads it also catches folds that keep a positive total area.
    /// </summary>
    public static int CountTangled(Mesh2D reference, Mesh2D moved) => TangledCells(reference, moved).Count(t => t);

    /// <summary>Which cells of <paramref name="moved"/> are tangled (see <see cref="CountTangled"/>), cell by cell.</summary>
    public static bool[] TangledCells(Mesh2D reference, Mesh2D moved)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(moved);
        if (reference.NodeCount != moved.NodeCount || !reference.Cells.AsSpan().SequenceEqual(moved.Cells) || reference.VerticesPerCell != moved.VerticesPerCell)
            throw new ArgumentException("the moved mesh must have the reference mesh's nodes and cells");
        var tangled = new bool[reference.CellCount];
        for (var c = 0; c < reference.CellCount; c++)
        {
            for (var k = 0; k < reference.VerticesPerCell; k++)
            {
                var before = CornerTurn(reference, c, k);
                var after = CornerTurn(moved, c, k);
                if (after == 0 || Math.Sign(after) != Math.Sign(before))
                {
                    tangled[c] = true;
                    break;
                }
            }
        }
        return tangled;
    }

    private static double CornerTurn(Mesh2D mesh, int cell, int k)
    {
        Point2 previous = Corner(mesh, cell, k - 1 + mesh.VerticesPerCell), at = Corner(mesh, cell, k), next = Corner(mesh, cell, k + 1);
        Point2 u = next - at, v = previous - at;
        return u.X * v.Y - u.Y * v.X;
    }

    private static Point2 Corner(Mesh2D mesh, int cell, int k) => mesh.Point(mesh.Cells[cell * mesh.VerticesPerCell + k % mesh.VerticesPerCell]);
}
