namespace GnnSim.Meshing;

/// <summary>
/// Quality triangle meshes of polygonal domains with holes: the boundary is cut to the target
/// edge length, triangulated (constrained Delaunay), carved to the domain, then refined
/// (Ruppert) to the angle bound and size targets.
/// </summary>
public static class UnstructuredMesher
{
    public static Mesh2D Generate(PlanarDomain domain, MeshingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(domain);
        options ??= new MeshingOptions();
        options.Validate();
        var triangulation = TriangulateDomain(domain, options.TargetEdgeLength);
        new Refiner(triangulation, options).Run();
        return Export(triangulation, firstVertex: 3);
    }

    /// <summary>The constrained Delaunay triangulation of the domain, before refinement.</summary>
    public static Mesh2D Triangulate(PlanarDomain domain) => Export(TriangulateDomain(domain, null), firstVertex: 3);

    private static Triangulation TriangulateDomain(PlanarDomain domain, Func<Point2, double>? targetEdgeLength)
    {
        var loops = domain.Loops.Select(loop => CutSides(loop, targetEdgeLength)).ToList();
        var all = loops.SelectMany(loop => loop.Points).ToList();
        var triangulation = new Triangulation(all.Min(p => p.X), all.Min(p => p.Y), all.Max(p => p.X), all.Max(p => p.Y));
        var ids = loops.Select(loop => loop.Points.Select(triangulation.Insert).ToArray()).ToList();
        for (var l = 0; l < loops.Count; l++)
        {
            var where = l == 0 ? "outer boundary" : $"hole {l - 1}";
            var vertexIds = ids[l];
            for (var i = 0; i < vertexIds.Length; i++)
            {
                int a = vertexIds[i], b = vertexIds[(i + 1) % vertexIds.Length];
                if (a == b) throw new ArgumentException($"{where}: side {i} has zero length after cutting");
                triangulation.InsertSegment(a, b, (int)loops[l].Tags[i], where);
            }
        }
        triangulation.CarveOutside();
        return triangulation;
    }

    /// <summary>Every side cut into equal pieces no longer than the target length at its midpoint.</summary>
    private static (List<Point2> Points, List<BoundaryTag> Tags) CutSides(BoundaryLoop loop, Func<Point2, double>? targetEdgeLength)
    {
        var points = new List<Point2>();
        var tags = new List<BoundaryTag>();
        for (var i = 0; i < loop.Vertices.Length; i++)
        {
            Point2 a = loop.Vertices[i], b = loop.Vertices[(i + 1) % loop.Vertices.Length];
            var pieces = 1;
            if (targetEdgeLength is not null)
            {
                var h = targetEdgeLength(Point2.Lerp(a, b, 0.5));
                if (!(h > 0) || double.IsInfinity(h)) throw new ArgumentException($"target edge length must be positive and finite, got {h} at ({(a.X + b.X) / 2}, {(a.Y + b.Y) / 2})");
                pieces = (int)Math.Min(1_000_000, Math.Max(1, Math.Ceiling(Point2.Distance(a, b) / h)));
            }
            for (var k = 0; k < pieces; k++)
            {
                points.Add(Point2.Lerp(a, b, (double)k / pieces));
                tags.Add(loop.SideTags[i]);
            }
        }
        return (points, tags);
    }

    /// <summary>The live triangles as a mesh, vertices renumbered in creation order from <paramref name="firstVertex"/>.</summary>
    internal static Mesh2D Export(Triangulation triangulation, int firstVertex)
    {
        var newIndex = new int[triangulation.VertexCount];
        Array.Fill(newIndex, -1);
        var alive = triangulation.AliveTriangles().ToList();
        foreach (var t in alive)
            for (var k = 0; k < 3; k++) newIndex[triangulation.Corner(t, k)] = 0;
        var positions = new List<double>();
        var count = 0;
        for (var v = firstVertex; v < triangulation.VertexCount; v++)
        {
            if (newIndex[v] < 0) continue;
            newIndex[v] = count++;
            positions.Add(triangulation.Point(v).X);
            positions.Add(triangulation.Point(v).Y);
        }
        var cells = new int[3 * alive.Count];
        var boundary = new List<BoundarySegment>();
        for (var i = 0; i < alive.Count; i++)
        {
            var t = alive[i];
            for (var k = 0; k < 3; k++)
            {
                cells[3 * i + k] = newIndex[triangulation.Corner(t, k)];
                var tag = triangulation.EdgeTag(t, k);
                var n = triangulation.Neighbor(t, k);
                if (tag == Triangulation.NoTag || (n >= 0 && n < t)) continue;
                var (u, v) = triangulation.EdgeVertices(t, k);
                boundary.Add(new BoundarySegment(newIndex[u], newIndex[v], (BoundaryTag)tag));
            }
        }
        return new Mesh2D(positions.ToArray(), cells, 3, boundary);
    }
}
