namespace GnnSim.Viz.Fields;

/// <summary>
/// A triangle mesh: each pixel whose centre lies in a triangle takes the linear interpolation of the
/// triangle's three node values (what the mesh's finite-element field is); pixels outside every
/// triangle (holes, the space around) are left as they are.
/// </summary>
public sealed class TriangleDomain : PlotDomain
{
    public TriangleDomain(double[] positions, int[] triangles) : base(positions)
    {
        if (triangles.Length == 0 || triangles.Length % 3 != 0) throw new ArgumentException($"{triangles.Length} indices is not one or more triangles");
        foreach (var node in triangles)
            if ((uint)node >= (uint)NodeCount) throw new ArgumentException($"a triangle names node {node}, outside 0..{NodeCount - 1}");
        Triangles = triangles;
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity, maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        foreach (var node in triangles)
        {
            minX = Math.Min(minX, positions[2 * node]);
            maxX = Math.Max(maxX, positions[2 * node]);
            minY = Math.Min(minY, positions[2 * node + 1]);
            maxY = Math.Max(maxY, positions[2 * node + 1]);
        }
        if (!(maxX > minX) || !(maxY > minY)) throw new ArgumentException("the mesh has no area to draw (all nodes on a line)");
        Bounds = (minX, minY, maxX, maxY);
    }

    public int[] Triangles { get; }

    public (double MinX, double MinY, double MaxX, double MaxY) Bounds { get; }

    public override (double MinX, double MinY, double MaxX, double MaxY) Extent => Bounds;

    /// <summary>The pixel coordinates (pixel centres at half-integers) of a physical point drawn in <paramref name="area"/>.</summary>
    /// <summary>The barycentric weights of the first triangle holding the point (the P1 field there).</summary>
    public override (int[] Nodes, double[] Weights)? WeightsAt(double x, double y)
    {
        var (minX, minY, maxX, maxY) = Bounds;
        if (!(x >= minX && x <= maxX && y >= minY && y <= maxY)) return null;
        var buckets = TriangleBuckets();
        int side = buckets.Side, bx = Math.Min(side - 1, (int)((x - minX) / (maxX - minX) * side)), by = Math.Min(side - 1, (int)((y - minY) / (maxY - minY) * side));
        foreach (var t in buckets.Lists[by * side + bx])
        {
            int a = Triangles[t], b = Triangles[t + 1], c = Triangles[t + 2];
            double xa = Positions[2 * a], ya = Positions[2 * a + 1], xb = Positions[2 * b], yb = Positions[2 * b + 1], xc = Positions[2 * c], yc = Positions[2 * c + 1];
            var area = (xb - xa) * (yc - ya) - (xc - xa) * (yb - ya);
            if (area == 0) continue;
            var wb = ((x - xa) * (yc - ya) - (xc - xa) * (y - ya)) / area;
            var wc = ((xb - xa) * (y - ya) - (x - xa) * (yb - ya)) / area;
            var wa = 1 - wb - wc;
            const double slack = -1e-12;
            if (wa >= slack && wb >= slack && wc >= slack) return ([a, b, c], [wa, wb, wc]);
        }
        return null;
    }

    private (int Side, List<int>[] Lists)? buckets;

    /// <summary>The triangles (by first index) whose bounding boxes touch each cell of a square grid over the mesh: point queries test a handful, not all.</summary>
    private (int Side, List<int>[] Lists) TriangleBuckets()
    {
        if (buckets is { } built) return built;
        var side = Math.Max(1, (int)Math.Sqrt(Triangles.Length / 3.0));
        var lists = Enumerable.Range(0, side * side).Select(_ => new List<int>()).ToArray();
        var (minX, minY, maxX, maxY) = Bounds;
        int Cell(double v, double lo, double hi) => Math.Clamp((int)((v - lo) / (hi - lo) * side), 0, side - 1);
        for (var t = 0; t < Triangles.Length; t += 3)
        {
            var xs = new[] { Positions[2 * Triangles[t]], Positions[2 * Triangles[t + 1]], Positions[2 * Triangles[t + 2]] };
            var ys = new[] { Positions[2 * Triangles[t] + 1], Positions[2 * Triangles[t + 1] + 1], Positions[2 * Triangles[t + 2] + 1] };
            for (var cy = Cell(ys.Min(), minY, maxY); cy <= Cell(ys.Max(), minY, maxY); cy++)
            for (var cx = Cell(xs.Min(), minX, maxX); cx <= Cell(xs.Max(), minX, maxX); cx++)
                lists[cy * side + cx].Add(t);
        }
        buckets = (side, lists);
        return (side, lists);
    }

    public (double X, double Y) ToPixel(double x, double y, PixelRect area) =>
        (area.X + (x - Bounds.MinX) / (Bounds.MaxX - Bounds.MinX) * area.Width,
         area.Y + (Bounds.MaxY - y) / (Bounds.MaxY - Bounds.MinY) * area.Height);

    public override void Paint(RgbaImage image, PixelRect area, ReadOnlySpan<float> nodeValues, ColorScale scale)
    {
        CheckValues(nodeValues);
        for (var t = 0; t < Triangles.Length; t += 3)
        {
            int a = Triangles[t], b = Triangles[t + 1], c = Triangles[t + 2];
            var (ax, ay) = ToPixel(Positions[2 * a], Positions[2 * a + 1], area);
            var (bx, by) = ToPixel(Positions[2 * b], Positions[2 * b + 1], area);
            var (cx, cy) = ToPixel(Positions[2 * c], Positions[2 * c + 1], area);
            var doubleArea = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
            if (Math.Abs(doubleArea) < 1e-12) continue;
            int x0 = Math.Max(area.X, (int)Math.Floor(Math.Min(ax, Math.Min(bx, cx)))), x1 = Math.Min(area.Right - 1, (int)Math.Ceiling(Math.Max(ax, Math.Max(bx, cx))));
            int y0 = Math.Max(area.Y, (int)Math.Floor(Math.Min(ay, Math.Min(by, cy)))), y1 = Math.Min(area.Bottom - 1, (int)Math.Ceiling(Math.Max(ay, Math.Max(by, cy))));
            for (var py = y0; py <= y1; py++)
            for (var px = x0; px <= x1; px++)
            {
                double x = px + 0.5, y = py + 0.5;
                // Barycentric weights; a tiny tolerance so shared edges leave no cracks.
                var wa = ((bx - x) * (cy - y) - (cx - x) * (by - y)) / doubleArea;
                var wb = ((cx - x) * (ay - y) - (ax - x) * (cy - y)) / doubleArea;
                var wc = 1 - wa - wb;
                const double tolerance = -1e-9;
                if (wa < tolerance || wb < tolerance || wc < tolerance || !image.Contains(px, py)) continue;
                var value = wa * nodeValues[a] + wb * nodeValues[b] + wc * nodeValues[c];
                image[px, py] = scale.ColorOf(value);
            }
        }
    }

    /// <summary>The mesh's edges as anti-aliased lines over <paramref name="area"/> (each shared edge drawn once).</summary>
    public void DrawEdges(RgbaImage image, PixelRect area, Rgba colour)
    {
        var drawn = new HashSet<long>();
        for (var t = 0; t < Triangles.Length; t += 3)
        for (var k = 0; k < 3; k++)
        {
            int p = Triangles[t + k], q = Triangles[t + (k + 1) % 3];
            if (!drawn.Add((long)Math.Min(p, q) * NodeCount + Math.Max(p, q))) continue;
            var (px, py) = ToPixel(Positions[2 * p], Positions[2 * p + 1], area);
            var (qx, qy) = ToPixel(Positions[2 * q], Positions[2 * q + 1], area);
            // Wu's lines put pixel centres at integers; ours are at half-integers.
            image.DrawLine(px - 0.5, py - 0.5, qx - 0.5, qy - 0.5, colour);
        }
    }
}
