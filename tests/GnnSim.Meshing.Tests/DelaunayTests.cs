namespace GnnSim.Meshing.Tests;

public class DelaunayTests
{
    private static double[] RandomPoints(Random random, int count)
    {
        var points = new double[2 * count];
        for (var i = 0; i < points.Length; i++) points[i] = random.NextDouble();
        return points;
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 10)]
    [InlineData(3, 200)]
    [InlineData(4, 2000)]
    public void EveryCircumcircleIsEmpty(int seed, int count)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < (count < 100 ? 30 : 3); trial++)
        {
            var points = RandomPoints(random, count);
            var mesh = Delaunay.Triangulate(points);
            Assert.Equal(count, mesh.NodeCount);
            MeshCheck.AssertManifold(mesh);
            Assert.Equal(1, MeshCheck.EulerCharacteristic(mesh));
            for (var c = 0; c < mesh.CellCount; c++)
            {
                Point2 a = mesh.Point(mesh.Cells[3 * c]), b = mesh.Point(mesh.Cells[3 * c + 1]), d = mesh.Point(mesh.Cells[3 * c + 2]);
                for (var i = 0; i < count; i++)
                    Assert.True(Predicates.InCircle(a, b, d, mesh.Point(i)) <= 0, $"point {i} lies inside the circumcircle of triangle {c}");
            }
            // The triangles cover the convex hull: their areas add up to the hull's area.
            Assert.Equal(HullArea(mesh), Enumerable.Range(0, mesh.CellCount).Sum(c => MeshCheck.SignedArea(mesh, c)), 9);
        }
    }

    private static double HullArea(Mesh2D mesh)
    {
        var loop = mesh.Boundary.ToDictionary(s => s.A, s => s.B);
        double area = 0;
        foreach (var (a, b) in loop)
        {
            Point2 p = mesh.Point(a), q = mesh.Point(b);
            area += 0.5 * (p.X * q.Y - q.X * p.Y);
        }
        return area;
    }

    [Fact]
    public void CocircularGridPointsTriangulateWithoutDegenerateTriangles()
    {
        var points = new List<double>();
        for (var j = 0; j < 12; j++)
        for (var i = 0; i < 15; i++)
        {
            points.Add(i * 0.1);
            points.Add(j * 0.1);
        }
        var mesh = Delaunay.Triangulate(points.ToArray());
        MeshCheck.AssertManifold(mesh);
        Assert.Equal(2 * 14 * 11, mesh.CellCount);
        Assert.All(Enumerable.Range(0, mesh.CellCount), c => Assert.Equal(0.005, MeshCheck.SignedArea(mesh, c), 12));
    }

    [Fact]
    public void BadPointSetsAreRejected()
    {
        Assert.Contains("collinear", Assert.Throws<ArgumentException>(() => Delaunay.Triangulate([0, 0, 1, 1, 2, 2])).Message);
        Assert.Contains("coincide", Assert.Throws<ArgumentException>(() => Delaunay.Triangulate([0, 0, 1, 0, 0, 1, 1, 0])).Message);
        Assert.Contains("not finite", Assert.Throws<ArgumentException>(() => Delaunay.Triangulate([0, 0, 1, 0, double.NaN, 1])).Message);
    }
}
