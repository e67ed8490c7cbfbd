namespace GnnSim.Meshing;

/// <summary>The Delaunay triangulation of a point set (its convex hull, tagged Wall, is the boundary).</summary>
public static class Delaunay
{
    /// <param name="positions">points as (x, y) pairs; node i of the mesh is point i</param>
    public static Mesh2D Triangulate(ReadOnlySpan<double> positions)
    {
        if (positions.Length % 2 != 0) throw new ArgumentException($"{positions.Length} values is not a whole number of (x, y) points");
        var points = new Point2[positions.Length / 2];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = new Point2(positions[2 * i], positions[2 * i + 1]);
            if (!double.IsFinite(points[i].X) || !double.IsFinite(points[i].Y)) throw new ArgumentException($"point {i} is not finite");
        }
        if (points.Length < 3) throw new ArgumentException($"a triangulation needs at least 3 points, got {points.Length}");
        var hull = ConvexHull(points);
        if (hull.Count < 3) throw new ArgumentException("the points are collinear: there is nothing to triangulate");

        var triangulation = new Triangulation(points.Min(p => p.X), points.Min(p => p.Y), points.Max(p => p.X), points.Max(p => p.Y));
        foreach (var p in points) triangulation.AddVertex(p); // point i is vertex i + 3
        foreach (var i in HilbertOrder(points))
        {
            var placed = triangulation.InsertVertex(i + 3);
            if (placed != i + 3) throw new ArgumentException($"points {placed - 3} and {i} coincide");
        }
        for (var h = 0; h < hull.Count; h++)
            triangulation.InsertSegment(hull[h] + 3, hull[(h + 1) % hull.Count] + 3, (int)BoundaryTag.Wall, "convex hull");
        triangulation.CarveOutside();
        return UnstructuredMesher.Export(triangulation, firstVertex: 3);
    }

    /// <summary>Counterclockwise hull vertices without collinear ones (Andrew's monotone chain, exact turns).</summary>
    private static List<int> ConvexHull(Point2[] points)
    {
        var order = Enumerable.Range(0, points.Length).OrderBy(i => points[i].X).ThenBy(i => points[i].Y).ToArray();
        var hull = new List<int>();
        foreach (var pass in new[] { order, order.Reverse().ToArray() })
        {
            var start = hull.Count;
            foreach (var i in pass)
            {
                while (hull.Count >= start + 2 && Predicates.Orient(points[hull[^2]], points[hull[^1]], points[i]) <= 0) hull.RemoveAt(hull.Count - 1);
                hull.Add(i);
            }
            hull.RemoveAt(hull.Count - 1);
        }
        return hull;
    }

    /// <summary>Points along a Hilbert curve, so each insertion's walk starts next to its target.</summary>
    private static int[] HilbertOrder(Point2[] points)
    {
        double minX = points.Min(p => p.X), minY = points.Min(p => p.Y);
        var span = Math.Max(points.Max(p => p.X) - minX, points.Max(p => p.Y) - minY);
        if (!(span > 0)) span = 1;
        const int side = 1 << 16;
        var keys = new long[points.Length];
        for (var i = 0; i < points.Length; i++)
        {
            var x = (int)Math.Min(side - 1, (points[i].X - minX) / span * side);
            var y = (int)Math.Min(side - 1, (points[i].Y - minY) / span * side);
            keys[i] = HilbertIndex(side, x, y);
        }
        var order = Enumerable.Range(0, points.Length).ToArray();
        Array.Sort(keys, order);
        return order;
    }

    private static long HilbertIndex(int side, int x, int y)
    {
        long d = 0;
        for (var s = side / 2; s > 0; s /= 2)
        {
            int rx = (x & s) > 0 ? 1 : 0, ry = (y & s) > 0 ? 1 : 0;
            d += (long)s * s * ((3 * rx) ^ ry);
            if (ry == 0)
            {
                if (rx == 1)
                {
                    x = s - 1 - x;
                    y = s - 1 - y;
                }
                (x, y) = (y, x);
            }
        }
        return d;
    }
}
