namespace GnnSim.Meshing;

/// <summary>
/// Ruppert's Delaunay refinement on a constrained triangulation: split every encroached boundary
/// subsegment at its midpoint (a vertex inside its diametral circle encroaches it); split every
/// skinny or oversized triangle at its circumcentre, unless that point would encroach a
/// subsegment or lies beyond one, in which case the subsegment is split instead.
/// </summary>
internal sealed class Refiner
{
    private static readonly double EquilateralAreaFactor = Math.Sqrt(3) / 4;
    private readonly Triangulation mesh;
    private readonly MeshingOptions options;
    private readonly double sinSquared;
    private readonly Queue<(int U, int V)> segments = new();
    private readonly Queue<(int T, int A, int B, int C)> triangles = new();
    private readonly List<int> scratch = new();

    public Refiner(Triangulation mesh, MeshingOptions options)
    {
        this.mesh = mesh;
        this.options = options;
        var sin = Math.Sin(options.MinAngleDegrees * Math.PI / 180);
        sinSquared = sin * sin;
    }

    public void Run()
    {
        foreach (var t in mesh.AliveTriangles().ToList()) Inspect(t);
        while (true)
        {
            while (segments.TryDequeue(out var segment)) Split(segment.U, segment.V);
            if (!triangles.TryDequeue(out var item)) break;
            var t = item.T;
            if (!mesh.IsAlive(t) || mesh.Corner(t, 0) != item.A || mesh.Corner(t, 1) != item.B || mesh.Corner(t, 2) != item.C) continue;
            var center = Circumcenter(t);
            var (where, at, edge) = mesh.Locate(center, t, stopAtConstraints: true);
            if (where is Triangulation.Location.Blocked or Triangulation.Location.Outside)
            {
                // The circumcentre lies beyond a boundary subsegment, which a corner of t then encroaches.
                if (mesh.EdgeTag(at, edge) == Triangulation.NoTag) continue;
                segments.Enqueue(mesh.EdgeVertices(at, edge));
                triangles.Enqueue(item);
                continue;
            }
            if (where == Triangulation.Location.OnVertex) continue;
            mesh.FindCavity(center, at);
            var encroaches = false;
            foreach (var (u, v) in mesh.CavityConstrainedRim())
            {
                if (!Encroaches(center, u, v)) continue;
                segments.Enqueue((u, v));
                encroaches = true;
            }
            if (encroaches)
            {
                triangles.Enqueue(item);
                continue;
            }
            foreach (var fresh in mesh.CommitInsertion(NewVertex(center))) Inspect(fresh);
        }
    }

    private void Split(int u, int v)
    {
        var (t, k) = mesh.FindEdge(u, v, scratch);
        if (t < 0) return; // already split
        var tag = mesh.EdgeTag(t, k);
        if (tag == Triangulation.NoTag) return;
        var (a, b) = mesh.EdgeVertices(t, k);
        var midpoint = Point2.Lerp(mesh.Point(a), mesh.Point(b), 0.5);
        mesh.FindCavity(midpoint, t, k);
        foreach (var fresh in mesh.CommitInsertion(NewVertex(midpoint), (a, b, tag))) Inspect(fresh);
    }

    private int NewVertex(Point2 p)
    {
        if (mesh.VertexCount >= options.MaxVertices)
            throw new InvalidOperationException($"mesh refinement passed {options.MaxVertices:N0} vertices: the size function or maximum area asks for more, or the boundary has angles too small for a {options.MinAngleDegrees} degree bound");
        return mesh.AddVertex(p);
    }

    /// <summary>Queues t if it is skinny or too big, and any of its boundary edges its apex encroaches.</summary>
    private void Inspect(int t)
    {
        for (var k = 0; k < 3; k++)
        {
            if (mesh.EdgeTag(t, k) == Triangulation.NoTag) continue;
            var (u, v) = mesh.EdgeVertices(t, k);
            if (Encroaches(mesh.Point(mesh.Corner(t, k)), u, v)) segments.Enqueue((u, v));
        }
        if (IsBad(t)) triangles.Enqueue((t, mesh.Corner(t, 0), mesh.Corner(t, 1), mesh.Corner(t, 2)));
    }

    /// <summary>p lies strictly inside the circle with diameter u-v: the angle u-p-v is obtuse.</summary>
    private bool Encroaches(Point2 p, int u, int v) => Point2.Dot(mesh.Point(u) - p, mesh.Point(v) - p) < 0;

    private bool IsBad(int t)
    {
        Point2 a = mesh.Point(mesh.Corner(t, 0)), b = mesh.Point(mesh.Corner(t, 1)), c = mesh.Point(mesh.Corner(t, 2));
        var area = 0.5 * ((b.X - a.X) * (c.Y - a.Y) - (b.Y - a.Y) * (c.X - a.X));
        if (!(area > 0)) return false;
        if (area > options.MaxArea) return true;
        if (options.TargetEdgeLength is { } target)
        {
            var h = target(new Point2((a.X + b.X + c.X) / 3, (a.Y + b.Y + c.Y) / 3));
            if (area > EquilateralAreaFactor * h * h) return true;
        }
        // Smallest angle θ: sin θ = 2A / (product of the two longer sides); bad when below the bound.
        double ab = Squared(a - b), bc = Squared(b - c), ca = Squared(c - a);
        var shortest = Math.Min(ab, Math.Min(bc, ca));
        var longerProduct = ab * bc * ca / shortest;
        return longerProduct * sinSquared > 4 * area * area;
    }

    private static double Squared(Point2 v) => v.X * v.X + v.Y * v.Y;

    private Point2 Circumcenter(int t)
    {
        Point2 a = mesh.Point(mesh.Corner(t, 0)), b = mesh.Point(mesh.Corner(t, 1)) - a, c = mesh.Point(mesh.Corner(t, 2)) - a;
        var d = 2 * (b.X * c.Y - b.Y * c.X);
        double bb = Squared(b), cc = Squared(c);
        return new Point2(a.X + (c.Y * bb - b.Y * cc) / d, a.Y + (b.X * cc - c.X * bb) / d);
    }
}
