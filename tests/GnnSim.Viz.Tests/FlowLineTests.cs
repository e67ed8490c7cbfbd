namespace GnnSim.Viz.Tests;

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
