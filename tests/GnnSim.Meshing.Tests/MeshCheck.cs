[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace GnnSim.Meshing.Tests;

/// <summary>Independent checks of a mesh's geometry and topology, used by the meshing tests.</summary>
internal static class MeshCheck
{
    public static double SignedArea(Mesh2D mesh, int cell)
    {
        Point2 a = mesh.Point(mesh.Cells[3 * cell]), b = mesh.Point(mesh.Cells[3 * cell + 1]), c = mesh.Point(mesh.Cells[3 * cell + 2]);
        return 0.5 * ((b.X - a.X) * (c.Y - a.Y) - (b.Y - a.Y) * (c.X - a.X));
    }

    /// <summary>Euler characteristic V - E + F of the triangles (1 for a disk, 1 - h with h holes).</summary>
    public static int EulerCharacteristic(Mesh2D mesh)
    {
        var edges = new HashSet<(int, int)>();
        for (var c = 0; c < mesh.CellCount; c++)
        for (var k = 0; k < 3; k++)
        {
            int a = mesh.Cells[3 * c + k], b = mesh.Cells[3 * c + (k + 1) % 3];
            edges.Add((Math.Min(a, b), Math.Max(a, b)));
        }
        var used = mesh.Cells.Distinct().Count();
        return used - edges.Count + mesh.CellCount;
    }

    /// <summary>Every edge is shared by at most two triangles, one in each direction (a proper, consistently oriented surface).</summary>
    public static void AssertManifold(Mesh2D mesh)
    {
        var directed = new HashSet<(int, int)>();
        for (var c = 0; c < mesh.CellCount; c++)
        {
            Assert.True(SignedArea(mesh, c) > 0, $"triangle {c} is not counterclockwise");
            for (var k = 0; k < 3; k++)
                Assert.True(directed.Add((mesh.Cells[3 * c + k], mesh.Cells[3 * c + (k + 1) % 3])), $"edge repeated in triangle {c}");
        }
    }

    /// <summary>True when the polyline of mesh edges from a to b covers the straight segment a-b.</summary>
    public static bool SegmentIsCovered(Mesh2D mesh, Point2 a, Point2 b)
    {
        // Collect mesh edges lying on the segment and check that they tile it.
        var pieces = new List<(double, double)>();
        var direction = b - a;
        var length2 = Point2.Dot(direction, direction);
        var graph = mesh.EdgeGraph();
        for (var e = 0; e < graph.EdgeCount; e++)
        {
            Point2 p = mesh.Point(graph.Senders[e]), q = mesh.Point(graph.Receivers[e]);
            if (!OnLine(a, b, p) || !OnLine(a, b, q)) continue;
            double s = Point2.Dot(p - a, direction) / length2, t = Point2.Dot(q - a, direction) / length2;
            if (s > t || s < -1e-9 || t > 1 + 1e-9) continue;
            pieces.Add((s, t));
        }
        pieces.Sort();
        var reach = 0.0;
        foreach (var (s, t) in pieces)
        {
            if (s > reach + 1e-9) return false;
            reach = Math.Max(reach, t);
        }
        return reach > 1 - 1e-9;
    }

    private static bool OnLine(Point2 a, Point2 b, Point2 p)
    {
        var cross = (b.X - a.X) * (p.Y - a.Y) - (b.Y - a.Y) * (p.X - a.X);
        return Math.Abs(cross) <= 1e-9 * Point2.Distance(a, b);
    }

    public static double MinAngleDegrees(Mesh2D mesh, int cell)
    {
        var min = double.MaxValue;
        for (var k = 0; k < 3; k++)
        {
            Point2 p = mesh.Point(mesh.Cells[3 * cell + k]), q = mesh.Point(mesh.Cells[3 * cell + (k + 1) % 3]), r = mesh.Point(mesh.Cells[3 * cell + (k + 2) % 3]);
            var u = q - p;
            var v = r - p;
            min = Math.Min(min, Math.Acos(Math.Clamp(Point2.Dot(u, v) / (u.Length * v.Length), -1, 1)) * 180 / Math.PI);
        }
        return min;
    }
}
