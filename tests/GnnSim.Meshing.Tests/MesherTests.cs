namespace GnnSim.Meshing.Tests;

public class MesherTests
{
    [Fact]
    public void CylinderChannelMeshLooksLikeDeepMindsCylinderFlow()
    {
        var preset = new CylinderFlowDomain();
        var mesh = preset.Generate();
        Assert.InRange(mesh.NodeCount, 1500, 2500);
        MeshCheck.AssertManifold(mesh);
        Assert.Equal(0, MeshCheck.EulerCharacteristic(mesh)); // a disk with one hole
        for (var c = 0; c < mesh.CellCount; c++) Assert.True(MeshCheck.MinAngleDegrees(mesh, c) >= 28 - 1e-6, $"triangle {c} has a {MeshCheck.MinAngleDegrees(mesh, c):F1} degree angle");
        var area = Enumerable.Range(0, mesh.CellCount).Sum(c => MeshCheck.SignedArea(mesh, c));
        Assert.Equal(1.6 * 0.41 - Math.PI * 0.05 * 0.05, area, 3); // the cylinder is a polygon, so up to its chord error

        // Finer near the cylinder: mean edge length within 0.05 of it versus beyond x = 1.2.
        var graph = mesh.EdgeGraph();
        double near = 0, far = 0;
        int nearCount = 0, farCount = 0;
        for (var e = 0; e < graph.EdgeCount; e++)
        {
            Point2 p = mesh.Point(graph.Senders[e]), q = mesh.Point(graph.Receivers[e]);
            var length = Point2.Distance(p, q);
            if (Point2.Distance(p, preset.Center) < 0.1) { near += length; nearCount++; }
            if (p.X > 1.2) { far += length; farCount++; }
        }
        Assert.True(far / farCount > 2 * (near / nearCount), $"far edges {far / farCount:F4} vs near {near / nearCount:F4}");

        // Tags became node types: inflow on the left (corners are walls), outflow on the right.
        var types = mesh.NodeTypes();
        for (var i = 0; i < mesh.NodeCount; i++)
        {
            var p = mesh.Point(i);
            var expected = p.Y is 0 or 0.41 ? NodeType.WallBoundary
                : p.X == 0 ? NodeType.Inflow
                : p.X == 1.6 ? NodeType.Outflow
                : Point2.Distance(p, preset.Center) < 0.05 + 1e-9 ? NodeType.WallBoundary
                : NodeType.Normal;
            Assert.Equal((int)expected, types[i]);
        }
    }

    [Fact]
    public void ConstrainedTriangulationKeepsEverySegmentAndCarvesHoles()
    {
        // A square with a square hole and a triangular hole; no refinement, so no Steiner points.
        var domain = new PlanarDomain(
            BoundaryLoop.Rectangle(0, 0, 10, 6),
            BoundaryLoop.Polygon([new(2, 2), new(4, 2), new(4, 4), new(2, 4)], BoundaryTag.Obstacle),
            BoundaryLoop.Polygon([new(6, 1), new(9, 3), new(6.5, 5)], BoundaryTag.Obstacle));
        var mesh = UnstructuredMesher.Triangulate(domain);
        Assert.Equal(11, mesh.NodeCount);
        MeshCheck.AssertManifold(mesh);
        Assert.Equal(1 - 2, MeshCheck.EulerCharacteristic(mesh));
        foreach (var loop in domain.Loops)
            for (var i = 0; i < loop.Vertices.Length; i++)
                Assert.True(MeshCheck.SegmentIsCovered(mesh, loop.Vertices[i], loop.Vertices[(i + 1) % loop.Vertices.Length]));
        var area = Enumerable.Range(0, mesh.CellCount).Sum(c => MeshCheck.SignedArea(mesh, c));
        Assert.Equal(60 - 4 - 0.5 * Math.Abs(3 * 4 - 2 * 0.5), area, 9);
        Assert.Equal(4 + 4 + 3, mesh.Boundary.Count);
    }

    [Theory]
    [InlineData(1, 25)]
    [InlineData(2, 30)]
    [InlineData(3, 33)]
    public void RefinementReachesItsAngleBoundOnRandomPolygons(int seed, double angle)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < 5; trial++)
        {
            // A star-shaped polygon with wide angles and a random interior hole.
            var sides = random.Next(5, 12);
            var outer = Enumerable.Range(0, sides).Select(i =>
            {
                var theta = 2 * Math.PI * i / sides;
                var r = 1 + 0.25 * random.NextDouble();
                return new Point2(r * Math.Cos(theta), r * Math.Sin(theta));
            }).ToArray();
            var hole = BoundaryLoop.Circle(new Point2(0.2 * random.NextDouble(), 0.2 * random.NextDouble()), 0.2 + 0.2 * random.NextDouble(), random.Next(5, 16), BoundaryTag.Obstacle);
            var domain = new PlanarDomain(BoundaryLoop.Polygon(outer, BoundaryTag.Wall), hole);
            var mesh = UnstructuredMesher.Generate(domain, new MeshingOptions { MinAngleDegrees = angle, MaxArea = 0.02 });
            MeshCheck.AssertManifold(mesh);
            Assert.Equal(0, MeshCheck.EulerCharacteristic(mesh));
            for (var c = 0; c < mesh.CellCount; c++)
            {
                Assert.True(MeshCheck.MinAngleDegrees(mesh, c) >= angle - 1e-6);
                Assert.True(MeshCheck.SignedArea(mesh, c) <= 0.02 + 1e-12);
            }
            foreach (var loop in domain.Loops)
                for (var i = 0; i < loop.Vertices.Length; i++)
                    Assert.True(MeshCheck.SegmentIsCovered(mesh, loop.Vertices[i], loop.Vertices[(i + 1) % loop.Vertices.Length]));
        }
    }

    [Fact]
    public void BadDomainsGiveClearErrors()
    {
        Assert.Contains("not inside", Assert.Throws<ArgumentException>(() => new PlanarDomain(BoundaryLoop.Rectangle(0, 0, 1, 1), BoundaryLoop.Rectangle(2, 2, 3, 3))).Message);
        var bowtie = BoundaryLoop.Polygon([new(0, 0), new(2, 2), new(2, 0), new(0, 3)], BoundaryTag.Wall);
        Assert.Contains("cross", Assert.Throws<ArgumentException>(() => UnstructuredMesher.Triangulate(new PlanarDomain(bowtie))).Message);
        Assert.Contains("34", Assert.Throws<ArgumentException>(() => UnstructuredMesher.Generate(new PlanarDomain(BoundaryLoop.Rectangle(0, 0, 1, 1)), new MeshingOptions { MinAngleDegrees = 40 })).Message);
        Assert.Contains("coincide", Assert.Throws<ArgumentException>(() => BoundaryLoop.Polygon([new(0, 0), new(0, 0), new(1, 1)], BoundaryTag.Wall)).Message);
        Assert.Contains("passed", Assert.Throws<InvalidOperationException>(() => UnstructuredMesher.Generate(new PlanarDomain(BoundaryLoop.Rectangle(0, 0, 1, 1)), new MeshingOptions { MaxArea = 1e-6, MaxVertices = 1000 })).Message);
    }
}

public class MeshToGraphTests
{
    [Fact]
    public void CylinderMeshBecomesAMeshGraphNetInputGraph()
    {
        using var scope = torch.NewDisposeScope();
        var mesh = new CylinderFlowDomain().Generate();
        var graph = mesh.EdgeGraph().WithNodeFeatures(GraphFeatures.OneHotNodeTypes(mesh.NodeTypes()));
        graph = graph.WithEdgeFeatures(GraphFeatures.RelativePositions(graph, mesh.Positions, 2));
        Assert.True(graph.IsUndirected());
        Assert.False(graph.HasSelfLoops());
        // Every interior edge borders two triangles, every boundary edge one: E = (3F + B) / 2 per direction.
        Assert.Equal(3 * mesh.CellCount + mesh.Boundary.Count, graph.EdgeCount);
        Assert.Equal([mesh.NodeCount, 9L], graph.NodeFeatures!.ToTensor().shape);
        var edges = graph.EdgeFeatures!;
        Assert.Equal(3, edges.Columns);
        Assert.All(Enumerable.Range(0, graph.EdgeCount), e => Assert.InRange(edges[e, 2], 0.003f, 0.05f));
        var (senders, _) = graph.ToTensors();
        Assert.Equal([(long)graph.EdgeCount], senders.shape);
    }
}
