namespace GnnSim.Viz.Fields;

/// <summary>What is drawn over a field: nothing, velocity arrows, or streamlines.</summary>
public enum FlowOverlay { None, Vectors, Streamlines }

/// <summary>
/// Velocity arrows and streamlines of a node velocity field, read through the domain's own
/// interpolation (grid cells, P1 triangles): arrows on a regular lattice, streamlines integrated
/// with midpoint (RK2) steps along the flow's direction from seeds on a lattice, both ways.
/// </summary>
public static class FlowLines
{
    /// <summary>The velocity at a point, or null outside the fluid.</summary>
    public static (double U, double V)? VelocityAt(PlotDomain domain, ReadOnlySpan<float> u, ReadOnlySpan<float> v, double x, double y)
    {
        if (domain.WeightsAt(x, y) is not { } w) return null;
        double a = 0, b = 0;
        for (var k = 0; k < w.Nodes.Length; k++)
        {
            a += w.Weights[k] * u[w.Nodes[k]];
            b += w.Weights[k] * v[w.Nodes[k]];
        }
        return (a, b);
    }

    /// <summary>Arrows (x, y, u, v) at the centres of a lattice about <paramref name="across"/> points wide, inside the fluid.</summary>
    public static List<(double X, double Y, double U, double V)> Arrows(PlotDomain domain, float[] u, float[] v, int across = 20)
    {
        var arrows = new List<(double, double, double, double)>();
        foreach (var (x, y) in Lattice(domain, across))
            if (VelocityAt(domain, u, v, x, y) is { } velocity) arrows.Add((x, y, velocity.U, velocity.V));
        return arrows;
    }

    /// <summary>Streamlines from seeds on a lattice about <paramref name="seedsAcross"/> wide; each a polyline of at least two points.</summary>
    public static List<List<(double X, double Y)>> Streamlines(PlotDomain domain, float[] u, float[] v, int seedsAcross = 12)
    {
        var (minX, minY, maxX, maxY) = domain.Extent;
        var step = Math.Max(maxX - minX, maxY - minY) / 300; // a step in the data's units
        var lines = new List<List<(double, double)>>();
        foreach (var seed in Lattice(domain, seedsAcross))
        {
            var backward = Trace(domain, u, v, seed, -step);
            var forward = Trace(domain, u, v, seed, step);
            backward.Reverse();
            var line = backward.Concat(forward.Skip(1)).ToList();
            if (line.Count >= 2) lines.Add(line);
        }
        return lines;
    }

    private static List<(double X, double Y)> Trace(PlotDomain domain, float[] u, float[] v, (double X, double Y) start, double step, int maxSteps = 120)
    {
        var points = new List<(double, double)> { start };
        var (x, y) = start;
        (double X, double Y)? Direction(double px, double py)
        {
            if (VelocityAt(domain, u, v, px, py) is not { } w) return null;
            var speed = Math.Sqrt(w.U * w.U + w.V * w.V);
            return speed > 1e-12 ? (w.U / speed, w.V / speed) : null;
        }
        for (var i = 0; i < maxSteps; i++)
        {
            if (Direction(x, y) is not { } d1) break;
            if (Direction(x + 0.5 * step * d1.X, y + 0.5 * step * d1.Y) is not { } d2) break;
            (x, y) = (x + step * d2.X, y + step * d2.Y);
            if (domain.WeightsAt(x, y) is null) break;
            points.Add((x, y));
        }
        return points;
    }

    private static IEnumerable<(double X, double Y)> Lattice(PlotDomain domain, int across)
    {
        var (minX, minY, maxX, maxY) = domain.Extent;
        var spacing = (maxX - minX) / Math.Max(1, across);
        var rows = Math.Max(1, (int)Math.Round((maxY - minY) / spacing));
        var dy = (maxY - minY) / rows;
        for (var j = 0; j < rows; j++)
        for (var i = 0; i < across; i++)
            yield return (minX + (i + 0.5) * spacing, minY + (j + 0.5) * dy);
    }
}
