using System.Xml.Linq;

namespace GnnSim.Viz.Tests;

public class ChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void ALogChartParsesAsSvgWithDecadeTicksACurvePerSeriesAndALegend()
    {
        var chart = new LineChart { Title = "loss <train & dev>", XLabel = "step", YLabel = "loss", LogY = true };
        var x = Enumerable.Range(1, 50).Select(i => (double)i).ToList();
        chart.Series.Add(new Series("train", x, x.Select(i => 1.0 / i).ToList()));
        chart.Series.Add(new Series("dev", x, x.Select(i => i == 10 ? double.NaN : 2.0 / i).ToList(), Dashed: true));
        var document = XDocument.Parse(chart.ToSvg());
        var texts = document.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("loss <train & dev>", texts);
        foreach (var tick in new[] { "0.01", "0.1", "1" }) Assert.Contains(tick, texts);
        Assert.Contains("train", texts);
        Assert.Contains("dev", texts);
        // The NaN point splits the dev curve in two.
        Assert.Equal(3, document.Descendants(Svg + "polyline").Count());
        // Every drawn point lies inside the drawing.
        var points = document.Descendants(Svg + "polyline").SelectMany(p => p.Attribute("points")!.Value.Split(' '))
            .Select(p => p.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        Assert.All(points, p => Assert.True(p[0] >= 0 && p[0] <= 640 && p[1] >= 0 && p[1] <= 400));
    }

    [Fact]
    public void AChartWithoutDataSaysSo()
    {
        var svg = new LineChart { Title = "empty", LogY = true, Series = { new Series("zeros", [1, 2], [0, 0]) } }.ToSvg();
        Assert.Contains("no data to plot", XDocument.Parse(svg).Descendants(Svg + "text").Select(t => t.Value));
    }

    [Fact]
    public void TicksAreRoundNumbersInsideTheRange()
    {
        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1.0], AxisTicks.Linear(0, 1).Select(t => Math.Round(t, 12)));
        Assert.Equal([-2, -1, 0], AxisTicks.Linear(-2.1, 0.4, 4).Select(t => Math.Round(t, 12)));
        Assert.Equal([1e-3, 1e-2, 1e-1, 1], AxisTicks.Decades(1e-3, 1));
        Assert.Equal([1e-4, 2e-4, 5e-4, 1e-3], AxisTicks.Decades(1e-4, 1e-3).Select(t => Math.Round(t, 12)));
        Assert.Equal("0.4", AxisTicks.Format(0.4, 0.2));
        Assert.Equal("1500", AxisTicks.Format(1500, 500));
        Assert.Equal("0.01", AxisTicks.Format(0.01));
        Assert.Equal("1e-4", AxisTicks.Format(1e-4));
        Assert.Equal("2.5e6", AxisTicks.Format(2.5e6));
        Assert.Equal("0", AxisTicks.Format(0, 0.5));
    }
}
