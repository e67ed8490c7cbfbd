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
        var texts = document.Descendants(Svg + "text").Select(t => t.Value.Trim()).ToList();
        Assert.Contains("loss <train & dev>", texts);
        // 0.02 to 2: two decades inside, so 2 and 5 of each decade are labelled besides the decades.
        foreach (var tick in new[] { "0.05", "0.1", "0.2", "1" }) Assert.Contains(tick, texts);
        Assert.Contains("train", texts);
        Assert.Contains("dev", texts);
        // The NaN point splits the dev curve in two; y is plotted as log10(y).
        var curves = chart.ToPlot().GetPlottables<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(3, curves.Count);
        Assert.Equal(Math.Log10(2.0 / 11), curves[2].Data.GetScatterPoints()[0].Y, 9);

        // Over more decades, only the decades are labelled.
        var wide = new LineChart { LogY = true, Series = { new Series("loss", [1, 2, 3], [1e-4, 1e-2, 1]) } };
        var wideTexts = XDocument.Parse(wide.ToSvg()).Descendants(Svg + "text").Select(t => t.Value.Trim()).ToList();
        foreach (var tick in new[] { "1e-4", "0.001", "0.01", "0.1", "1" }) Assert.Contains(tick, wideTexts);
        Assert.DoesNotContain("0.05", wideTexts);
    }

    [Fact]
    public void AChartWithoutDataSaysSo()
    {
        var svg = new LineChart { Title = "empty", LogY = true, Series = { new Series("zeros", [1, 2], [0, 0]) } }.ToSvg();
        Assert.Contains("no data to plot", XDocument.Parse(svg).Descendants(Svg + "text").Select(t => t.Value.Trim()));
    }

    [Fact]
    public void TickNumbersUseAsFewDigitsAsTheyNeed()
    {
        Assert.Equal("0.4", AxisTicks.Format(0.4, 0.2));
        Assert.Equal("1500", AxisTicks.Format(1500, 500));
        Assert.Equal("0.01", AxisTicks.Format(0.01));
        Assert.Equal("1e-4", AxisTicks.Format(1e-4));
        Assert.Equal("2.5e6", AxisTicks.Format(2.5e6));
        Assert.Equal("0", AxisTicks.Format(0, 0.5));
    }
}
