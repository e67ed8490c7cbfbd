namespace GnnSim.Viz.Tests;

public class VorticityTests
{
    private const double Omega = 1.7;

    /// <summary>Solid-body rotation u = -w y, v = w x at the nodes: its vorticity is 2w everywhere.</summary>
    private static (float[] U, float[] V) Rotation(double[] positions)
    {
        var n = positions.Length / 2;
        var u = new float[n];
        var v = new float[n];
        for (var i = 0; i < n; i++)
        {
            u[i] = (float)(-Omega * positions[2 * i + 1]);
            v[i] = (float)(Omega * positions[2 * i]);
        }
        return (u, v);
    }

    [Fact]
    public void SolidBodyRotationHasVorticityTwiceItsRateOnAGridWithASolidBlock()
    {
        // 6 x 5 cells of 0.2 x 0.25, the cell (2, 2) solid: one-sided differences around it.
        const int columns = 6, rows = 5;
        var cells = Enumerable.Range(0, columns * rows).Where(c => c != 2 * columns + 2).ToArray();
        var positions = cells.SelectMany(c => new[] { (c % columns + 0.5) * 0.2, (c / columns + 0.5) * 0.25 }).ToArray();
        var grid = new GridDomain(columns, rows, cells, positions, (0.2, 0.25));
        var (u, v) = Rotation(positions);
        var vorticity = Vorticity.Compute(grid, u, v);
        Assert.All(vorticity, w => Assert.Equal(2 * Omega, w, 4));
    }

    [Fact]
    public void SolidBodyRotationHasVorticityTwiceItsRateOnATriangleMesh()
    {
        // An irregular triangulation of a square: a centre node off centre, split into four triangles and a fan.
        double[] positions = [0, 0, 1, 0, 1, 1, 0, 1, 0.37, 0.58, 0.5, 0];
        int[] triangles = [0, 5, 4, 5, 1, 4, 1, 2, 4, 2, 3, 4, 3, 0, 4];
        var mesh = new TriangleDomain(positions, triangles);
        var (u, v) = Rotation(positions);
        Assert.All(Vorticity.Compute(mesh, u, v), w => Assert.Equal(2 * Omega, w, 4));

        // A shear u = y has vorticity -1, a field that is not a rotation.
        var shear = positions.Where((_, k) => k % 2 == 1).Select(y => (float)y).ToArray();
        Assert.All(Vorticity.Compute(mesh, shear, new float[6]), w => Assert.Equal(-1, w, 4));
    }
}

public class FlowLineTests
{
    [Fact]
    public void StreamlinesOfAUniformFlowAreStraightAndArrowsCarryItsVelocity()
    {
        const int columns = 8, rows = 4;
        var cells = Enumerable.Range(0, columns * rows).ToArray();
        var positions = cells.SelectMany(c => new[] { (c % columns + 0.5) * 0.25, (c / columns + 0.5) * 0.25 }).ToArray();
        var grid = new GridDomain(columns, rows, cells, positions, (0.25, 0.25));
        var u = Enumerable.Repeat(1.5f, cells.Length).ToArray();
        var v = new float[cells.Length];
        var lines = FlowLines.Streamlines(grid, u, v);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            Assert.All(line, p => Assert.Equal(line[0].Y, p.Y, 12));
            // Along the flow, left to right.
            Assert.True(line.Zip(line.Skip(1)).All(pair => pair.Second.X > pair.First.X));
        }
        var arrows = FlowLines.Arrows(grid, u, v, across: 8);
        Assert.Equal(8 * 4, arrows.Count);
        Assert.All(arrows, a => Assert.Equal((1.5, 0.0), (a.U, a.V)));

        // A point in a solid cell has no velocity.
        var holed = new GridDomain(columns, rows, cells.Where(c => c != 9).ToArray(), positions.Where((_, k) => k / 2 != 9).ToArray(), (0.25, 0.25));
        Assert.Null(FlowLines.VelocityAt(holed, u[..^1], v[..^1], 0.3, 0.3));
    }
}

public class ParticleFigureTests
{
    [Fact]
    public void ParticlesAreDrawnWhereTheyAreInTheirTypesOrTheirSpeedsColour()
    {
        double[] truth = [0.2, 0.2, 0.8, 0.3, 0.5, 0.8];
        double[] prediction = [0.25, 0.2, 0.7, 0.3, 0.5, 0.6];
        var box = (0.0, 0.0, 1.0, 1.0);
        using var byType = ParticleFigure.Render(truth, prediction, box, types: [3, 5, 5]);
        var pixels = byType.ToRgba();
        var (x, y) = byType.PixelOf(0, 0.2, 0.2);
        Assert.Equal(LineChart.ColorOf(0), pixels[x, y]);   // type 3, the first group
        (x, y) = byType.PixelOf(1, 0.7, 0.3);
        Assert.Equal(LineChart.ColorOf(1), pixels[x, y]);   // type 5 in the prediction panel
        (x, y) = byType.PixelOf(1, 0.1125, 0.8625); // empty space: the white background or a light gray grid line
        var empty = pixels[x, y];
        Assert.True(empty.R > 200 && Math.Abs(empty.R - empty.G) < 6 && Math.Abs(empty.G - empty.B) < 6, $"empty space is drawn {empty}");

        using var bySpeed = ParticleFigure.Render(truth, prediction, box, values: ([0f, 1f, 2f], [0f, 1f, 2f], "speed (m/s)"));
        (x, y) = bySpeed.PixelOf(0, 0.5, 0.8);
        var top = bySpeed.ToRgba()[x, y];
        Assert.True(Math.Abs(top.R - 253) + Math.Abs(top.G - 231) + Math.Abs(top.B - 37) < 40, $"the fastest particle is viridis's bright end, got {top}");
        Assert.Throws<ArgumentException>(() => ParticleFigure.Render(truth, [0, 0], box));
    }
}
