using System.Xml.Linq;

namespace GnnSim.Meshing.Tests;

public class StructuredAndQualityTests
{
    [Fact]
    public void StructuredRectangleHasTheRightCellsAndTags()
    {
        var quads = StructuredMesh.Rectangle(0, 0, 2, 1, 4, 2, CellShape.Quads, left: BoundaryTag.Inflow, right: BoundaryTag.Outflow);
        Assert.Equal(15, quads.NodeCount);
        Assert.Equal(8, quads.CellCount);
        Assert.All(MeshQuality.SignedAreas(quads), a => Assert.Equal(0.25, a, 12));
        Assert.All(MeshQuality.MinAngles(quads), a => Assert.Equal(90, a, 9));
        Assert.All(MeshQuality.AspectRatios(quads), r => Assert.Equal(1, r, 12));
        var types = quads.NodeTypes();
        Assert.Equal((int)NodeType.WallBoundary, types[0]); // corner: wall wins over inflow
        Assert.Equal((int)NodeType.Inflow, types[5]);       // (0, 0.5)
        Assert.Equal((int)NodeType.Outflow, types[9]);      // (2, 0.5)
        Assert.Equal((int)NodeType.Normal, types[7]);
        Assert.Equal(2 * (4 * 3 + 5 * 2), quads.EdgeGraph().EdgeCount);

        var triangles = StructuredMesh.Rectangle(0, 0, 2, 1, 4, 2, CellShape.Triangles);
        Assert.Equal(16, triangles.CellCount);
        Assert.All(MeshQuality.MinAngles(triangles), a => Assert.Equal(45, a, 9));
        // A right isosceles triangle: R = hypotenuse / 2, r = (2 - sqrt 2) leg / 2.
        Assert.All(MeshQuality.AspectRatios(triangles), r => Assert.Equal(Math.Sqrt(2) / 2 / (2 - Math.Sqrt(2)), r, 9));
    }

    [Fact]
    public void TangledElementsOfAFoldedMeshAreCounted()
    {
        // 3 x 3 quads on the unit square; node (1,1) = number 5 moves around.
        var reference = StructuredMesh.Rectangle(0, 0, 3, 3, 3, 3, CellShape.Triangles);
        Assert.Equal(0, MeshQuality.CountTangled(reference, reference));
        var moved = (double[])reference.Positions.Clone();
        moved[2 * 5] = 1.4; // a small shift keeps every triangle upright
        Assert.Equal(0, MeshQuality.CountTangled(reference, reference.WithPositions(moved)));
        moved[2 * 5] = 2.5; // past its right-hand neighbour (2, 1): the triangles to its right fold over
        moved[2 * 5 + 1] = 1.0;
        var folded = reference.WithPositions(moved);
        var areas = MeshQuality.SignedAreas(folded);
        var expected = areas.Count(a => a <= 0);
        Assert.True(expected > 0);
        Assert.Equal(expected, MeshQuality.CountTangled(reference, folded));

        // A quad folded into a bow tie has zero total area, but two of its corners turn the wrong way.
        var quad = StructuredMesh.Rectangle(0, 0, 1, 1, 1, 1);
        var bowtie = quad.WithPositions([0, 0, 1, 0, 1, 1, 0, 1]); // nodes 2 and 3 swap places
        Assert.Equal(1, MeshQuality.CountTangled(quad, bowtie));
        Assert.Throws<ArgumentException>(() => MeshQuality.CountTangled(quad, reference));
    }
}

public class InterpolationTests
{
    private static float Linear(double x, double y) => (float)(0.5 + 2 * x - 3 * y);

    [Fact]
    public void PointLocationFindsEveryNodesOwnTriangleAndEveryCentroid()
    {
        var mesh = new CylinderFlowDomain().Generate();
        var locator = new PointLocator(mesh);
        for (var i = 0; i < mesh.NodeCount; i++)
        {
            var at = locator.Locate(mesh.Point(i));
            Assert.True(at.IsInside, $"node {i} not located");
            var k = Array.IndexOf(mesh.Cells, i, 3 * at.Triangle, 3) - 3 * at.Triangle;
            Assert.True(k is >= 0 and < 3, $"node {i} located in triangle {at.Triangle}, which does not have it");
            Assert.Equal(1.0, k == 0 ? at.W0 : k == 1 ? at.W1 : at.W2, 9);
        }
        for (var c = 0; c < mesh.CellCount; c++)
        {
            Point2 a = mesh.Point(mesh.Cells[3 * c]), b = mesh.Point(mesh.Cells[3 * c + 1]), d = mesh.Point(mesh.Cells[3 * c + 2]);
            Assert.Equal(c, locator.Locate(new Point2((a.X + b.X + d.X) / 3, (a.Y + b.Y + d.Y) / 3)).Triangle);
        }
        Assert.False(locator.Locate(new Point2(0.2, 0.2)).IsInside); // in the cylinder hole
        Assert.False(locator.Locate(new Point2(2, 0.2)).IsInside);
    }

    [Fact]
    public void MeshInterpolationIsExactForLinearFields()
    {
        var mesh = new CylinderFlowDomain().Generate();
        var field = new float[mesh.NodeCount * 2];
        for (var i = 0; i < mesh.NodeCount; i++)
        {
            field[2 * i] = Linear(mesh.Positions[2 * i], mesh.Positions[2 * i + 1]);
            field[2 * i + 1] = 7f;
        }
        var random = new Random(1);
        var points = new double[2 * 5000];
        for (var q = 0; q < 5000; q++)
        {
            points[2 * q] = random.NextDouble() * 1.7 - 0.05;
            points[2 * q + 1] = random.NextDouble() * 0.5 - 0.05;
        }
        var interpolator = MeshInterpolator.Create(mesh, points);
        var values = interpolator.Apply(field, 2);
        var outside = 0;
        for (var q = 0; q < 5000; q++)
        {
            double x = points[2 * q], y = points[2 * q + 1];
            var inDomain = x is > 0 and < 1.6 && y is > 0 and < 0.41 && Point2.Distance(new(x, y), new(0.2, 0.2)) > 0.0501;
            var inChannel = x is >= 0 and <= 1.6 && y is >= 0 and <= 0.41 && Point2.Distance(new(x, y), new(0.2, 0.2)) > 0.0499;
            if (float.IsNaN(values[2 * q]))
            {
                Assert.False(inDomain, $"({x}, {y}) is in the domain but was not located");
                outside++;
                continue;
            }
            Assert.True(inChannel, $"({x}, {y}) is outside the domain but got a value");
            Assert.InRange(values[2 * q] - Linear(x, y), -1e-5, 1e-5);
            Assert.Equal(7f, values[2 * q + 1], 5);
        }
        Assert.Equal(outside, interpolator.OutsideCount);
    }

    [Fact]
    public void GridToMeshIsExactForLinearFieldsAndRespectsTheMask()
    {
        var grid = new RegularGrid(0, 0, 0.05, 0.041, 33, 11); // covers the 1.6 x 0.41 channel
        var values = new float[grid.Count];
        for (var j = 0; j < grid.Ny; j++)
        for (var i = 0; i < grid.Nx; i++)
            values[j * grid.Nx + i] = Linear(grid.Point(i, j).X, grid.Point(i, j).Y);
        var mesh = new CylinderFlowDomain().Generate();
        var onMesh = GridInterpolation.GridToMesh(grid, values, 1, [], mesh);
        for (var i = 0; i < mesh.NodeCount; i++) Assert.InRange(onMesh[i] - Linear(mesh.Positions[2 * i], mesh.Positions[2 * i + 1]), -1e-5, 1e-5);

        // Solid samples hold garbage; the fluid values must never see it.
        var valid = new bool[grid.Count];
        var masked = (float[])values.Clone();
        var samples = grid.Positions();
        for (var s = 0; s < grid.Count; s++)
        {
            valid[s] = Point2.Distance(new Point2(samples[2 * s], samples[2 * s + 1]), new(0.2, 0.2)) > 0.06;
            if (!valid[s]) masked[s] = 1e9f;
        }
        var maskedOnMesh = GridInterpolation.GridToMesh(grid, masked, 1, valid, mesh);
        Assert.All(maskedOnMesh, v => Assert.InRange(v, -2f, 4f));
        // A point between one solid and three fluid samples is the renormalised average of the fluid ones.
        var probe = GridInterpolation.GridToPoints(new RegularGrid(0, 0, 1, 1, 2, 2), [100f, 1f, 2f, 3f], 1, [false, true, true, true], [0.5, 0.5]);
        Assert.Equal(2f, probe[0], 6);
        Assert.True(float.IsNaN(GridInterpolation.GridToPoints(grid, values, 1, [], [5.0, 0.1])[0]));
    }

    [Fact]
    public void MeshToGridRoundTripsLinearFieldsAndMasksTheHole()
    {
        var mesh = new CylinderFlowDomain().Generate();
        var field = Enumerable.Range(0, mesh.NodeCount).Select(i => Linear(mesh.Positions[2 * i], mesh.Positions[2 * i + 1])).ToArray();
        var grid = new RegularGrid(0, 0, 0.02, 0.01, 81, 42);
        var (values, valid) = GridInterpolation.MeshToGrid(mesh, field, 1, grid);
        for (var j = 0; j < grid.Ny; j++)
        for (var i = 0; i < grid.Nx; i++)
        {
            var p = grid.Point(i, j);
            var s = j * grid.Nx + i;
            if (Point2.Distance(p, new(0.2, 0.2)) < 0.049 || p.Y > 0.41 + 1e-9) Assert.False(valid[s], $"({p.X}, {p.Y}) should be masked");
            if (valid[s]) Assert.InRange(values[s] - Linear(p.X, p.Y), -1e-5, 1e-5);
        }
    }
}

public class VtuTests
{
    [Fact]
    public void VtuFileHoldsTheMeshAndFields()
    {
        var mesh = StructuredMesh.Rectangle(0, 0, 1, 1, 2, 1, CellShape.Triangles, left: BoundaryTag.Inflow);
        var velocity = Enumerable.Range(0, 2 * mesh.NodeCount).Select(i => i * 0.5f).ToArray();
        var pressure = Enumerable.Range(0, mesh.NodeCount).Select(i => -i * 0.25f).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"gnnsim-{Guid.NewGuid():N}", "mesh.vtu");
        VtuWriter.Write(path, mesh, [new VtuField("velocity", velocity, 2), new VtuField("pressure", pressure)]);
        try
        {
            var piece = XDocument.Load(path).Descendants("Piece").Single();
            Assert.Equal("6", piece.Attribute("NumberOfPoints")!.Value);
            Assert.Equal("4", piece.Attribute("NumberOfCells")!.Value);
            double[] Numbers(string name) => piece.Descendants("DataArray").Single(a => (string?)a.Attribute("Name") == name).Value
                .Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(mesh.Cells.Select(x => (double)x), Numbers("connectivity"));
            Assert.Equal([3.0, 6, 9, 12], Numbers("offsets"));
            Assert.All(Numbers("types"), t => Assert.Equal(5, t));
            Assert.Equal(pressure.Select(x => (double)x), Numbers("pressure"));
            var vectors = Numbers("velocity");
            Assert.Equal(18, vectors.Length);
            Assert.Equal([1.0, 1.5, 0], vectors[3..6]);
            Assert.Equal(mesh.NodeTypes().Select(x => (double)x), Numbers("node_type"));
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
        Assert.Contains("pressure", Assert.Throws<ArgumentException>(() => VtuWriter.Write(path, mesh, [new VtuField("pressure", [1f])])).Message);
    }
}
