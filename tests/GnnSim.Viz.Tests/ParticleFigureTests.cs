namespace GnnSim.Viz.Tests;

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
