namespace GnnSim.Meshing;

/// <summary>
/// A closed polygon of the domain boundary; side <c>i</c> runs from vertex <c>i</c> to vertex
/// <c>i+1</c> (the last back to the first) and carries <c>SideTags[i]</c>.
/// </summary>
public sealed class BoundaryLoop
{
    public BoundaryLoop(IReadOnlyList<Point2> vertices, IReadOnlyList<BoundaryTag> sideTags)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        ArgumentNullException.ThrowIfNull(sideTags);
        if (vertices.Count < 3) throw new ArgumentException($"a boundary loop needs at least 3 vertices, got {vertices.Count}");
        if (sideTags.Count != vertices.Count) throw new ArgumentException($"{vertices.Count} sides but {sideTags.Count} side tags");
        for (var i = 0; i < vertices.Count; i++)
        {
            if (!double.IsFinite(vertices[i].X) || !double.IsFinite(vertices[i].Y)) throw new ArgumentException($"loop vertex {i} is not finite");
            if (vertices[i] == vertices[(i + 1) % vertices.Count]) throw new ArgumentException($"loop vertices {i} and {(i + 1) % vertices.Count} coincide");
        }
        Vertices = vertices.ToArray();
        SideTags = sideTags.ToArray();
        if (SignedArea == 0) throw new ArgumentException("a boundary loop must enclose an area");
    }

    public Point2[] Vertices { get; }
    public BoundaryTag[] SideTags { get; }

    /// <summary>Shoelace area: positive for counterclockwise loops.</summary>
    public double SignedArea
    {
        get
        {
            double sum = 0;
            for (var i = 0; i < Vertices.Length; i++)
            {
                Point2 a = Vertices[i], b = Vertices[(i + 1) % Vertices.Length];
                sum += a.X * b.Y - b.X * a.Y;
            }
            return 0.5 * sum;
        }
    }

    public static BoundaryLoop Polygon(IReadOnlyList<Point2> vertices, BoundaryTag tag) => new(vertices, Enumerable.Repeat(tag, vertices.Count).ToArray());

    /// <summary>An axis-aligned rectangle, counterclockwise from (x0, y0), with a tag per side.</summary>
    public static BoundaryLoop Rectangle(double x0, double y0, double x1, double y1,
        BoundaryTag bottom = BoundaryTag.Wall, BoundaryTag right = BoundaryTag.Wall, BoundaryTag top = BoundaryTag.Wall, BoundaryTag left = BoundaryTag.Wall) =>
        new([new(x0, y0), new(x1, y0), new(x1, y1), new(x0, y1)], [bottom, right, top, left]);

    /// <summary>A circle as a regular polygon with <paramref name="sides"/> sides.</summary>
    public static BoundaryLoop Circle(Point2 center, double radius, int sides, BoundaryTag tag)
    {
        if (sides < 3) throw new ArgumentException($"a circle needs at least 3 sides, got {sides}");
        if (!(radius > 0)) throw new ArgumentException($"radius must be positive, got {radius}");
        var vertices = new Point2[sides];
        for (var i = 0; i < sides; i++)
        {
            var angle = 2 * Math.PI * i / sides;
            vertices[i] = new Point2(center.X + radius * Math.Cos(angle), center.Y + radius * Math.Sin(angle));
        }
        return Polygon(vertices, tag);
    }

    /// <summary>True when p is strictly inside this polygon (even-odd rule).</summary>
    public bool Contains(Point2 p)
    {
        var inside = false;
        for (int i = 0, j = Vertices.Length - 1; i < Vertices.Length; j = i++)
        {
            Point2 a = Vertices[i], b = Vertices[j];
            if ((a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X - a.X) * (p.Y - a.Y) / (b.Y - a.Y) + a.X) inside = !inside;
        }
        return inside;
    }
}
