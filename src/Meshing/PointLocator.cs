namespace GnnSim.Meshing;

/// <summary>Where a point falls in a triangle mesh: the triangle and the point's barycentric weights in it.</summary>
public readonly record struct MeshLocation(int Triangle, double W0, double W1, double W2)
{
    public static readonly MeshLocation Outside = new(-1, double.NaN, double.NaN, double.NaN);
    public bool IsInside => Triangle >= 0;
}

/// <summary>
/// Point location in a triangle mesh through a bucket grid: each bucket lists the triangles whose
/// bounding box overlaps it, so a query tests only the few triangles of one bucket. Quads are
/// located through their two triangles. Build once, query from many threads.
/// </summary>
public sealed class PointLocator
{
    private const double Tolerance = 1e-10;
    private readonly double minX, minY, bucketWidth, bucketHeight;
    private readonly int bucketsX, bucketsY;
    private readonly int[] bucketStart;
    private readonly int[] bucketTriangles;

    public PointLocator(Mesh2D mesh)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        Mesh = mesh.Triangulated();
        var triangles = Mesh.CellCount;
        minX = minY = double.MaxValue;
        double maxX = double.MinValue, maxY = double.MinValue;
        for (var i = 0; i < Mesh.NodeCount; i++)
        {
            var p = Mesh.Point(i);
            minX = Math.Min(minX, p.X);
            minY = Math.Min(minY, p.Y);
            maxX = Math.Max(maxX, p.X);
            maxY = Math.Max(maxY, p.Y);
        }
        if (triangles == 0) (minX, minY, maxX, maxY) = (0, 0, 1, 1);
        double width = Math.Max(maxX - minX, 1e-300), height = Math.Max(maxY - minY, 1e-300);
        // About one triangle per bucket, with buckets shaped like the box.
        var buckets = Math.Max(1, triangles);
        bucketsX = Math.Clamp((int)Math.Round(Math.Sqrt(buckets * width / height)), 1, 1 << 14);
        bucketsY = Math.Clamp((int)Math.Round((double)buckets / bucketsX), 1, 1 << 14);
        bucketWidth = width / bucketsX;
        bucketHeight = height / bucketsY;

        // Counting sort of (bucket, triangle) pairs: count, prefix-sum, fill.
        bucketStart = new int[bucketsX * bucketsY + 1];
        for (var t = 0; t < triangles; t++)
        {
            var (x0, y0, x1, y1) = BucketRange(t);
            for (var by = y0; by <= y1; by++)
            for (var bx = x0; bx <= x1; bx++) bucketStart[by * bucketsX + bx + 1]++;
        }
        for (var b = 0; b < bucketsX * bucketsY; b++) bucketStart[b + 1] += bucketStart[b];
        bucketTriangles = new int[bucketStart[^1]];
        var cursor = bucketStart[..^1];
        for (var t = 0; t < triangles; t++)
        {
            var (x0, y0, x1, y1) = BucketRange(t);
            for (var by = y0; by <= y1; by++)
            for (var bx = x0; bx <= x1; bx++) bucketTriangles[cursor[by * bucketsX + bx]++] = t;
        }
    }

    /// <summary>The triangulated mesh the triangle indices refer to (the input mesh itself when it is made of triangles).</summary>
    public Mesh2D Mesh { get; }

    /// <summary>The triangle holding p (on a shared edge, either one) or <see cref="MeshLocation.Outside"/>.</summary>
    public MeshLocation Locate(Point2 p)
    {
        var bx = (int)Math.Floor((p.X - minX) / bucketWidth);
        var by = (int)Math.Floor((p.Y - minY) / bucketHeight);
        // Points on the box's far edges belong to the last bucket.
        if (bx == bucketsX && p.X <= minX + bucketsX * bucketWidth * (1 + Tolerance)) bx--;
        if (by == bucketsY && p.Y <= minY + bucketsY * bucketHeight * (1 + Tolerance)) by--;
        if ((uint)bx >= (uint)bucketsX || (uint)by >= (uint)bucketsY) return MeshLocation.Outside;
        var bucket = by * bucketsX + bx;
        for (var at = bucketStart[bucket]; at < bucketStart[bucket + 1]; at++)
        {
            var t = bucketTriangles[at];
            var location = Barycentric(t, p);
            if (location.W0 >= -Tolerance && location.W1 >= -Tolerance && location.W2 >= -Tolerance) return location;
        }
        return MeshLocation.Outside;
    }

    private MeshLocation Barycentric(int t, Point2 p)
    {
        Point2 a = Mesh.Point(Mesh.Cells[3 * t]), b = Mesh.Point(Mesh.Cells[3 * t + 1]), c = Mesh.Point(Mesh.Cells[3 * t + 2]);
        var det = (b.X - a.X) * (c.Y - a.Y) - (b.Y - a.Y) * (c.X - a.X);
        if (det == 0) return MeshLocation.Outside with { W0 = -1 };
        var w1 = ((p.X - a.X) * (c.Y - a.Y) - (p.Y - a.Y) * (c.X - a.X)) / det;
        var w2 = ((b.X - a.X) * (p.Y - a.Y) - (b.Y - a.Y) * (p.X - a.X)) / det;
        return new MeshLocation(t, 1 - w1 - w2, w1, w2);
    }

    private (int X0, int Y0, int X1, int Y1) BucketRange(int t)
    {
        double lowX = double.MaxValue, lowY = double.MaxValue, highX = double.MinValue, highY = double.MinValue;
        for (var k = 0; k < 3; k++)
        {
            var p = Mesh.Point(Mesh.Cells[3 * t + k]);
            lowX = Math.Min(lowX, p.X);
            lowY = Math.Min(lowY, p.Y);
            highX = Math.Max(highX, p.X);
            highY = Math.Max(highY, p.Y);
        }
        return (Clamp((lowX - minX) / bucketWidth, bucketsX), Clamp((lowY - minY) / bucketHeight, bucketsY),
                Clamp((highX - minX) / bucketWidth, bucketsX), Clamp((highY - minY) / bucketHeight, bucketsY));
    }

    private static int Clamp(double bucket, int count) => Math.Clamp((int)Math.Floor(bucket), 0, count - 1);
}
