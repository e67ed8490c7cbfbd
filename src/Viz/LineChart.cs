using GnnSim.Viz.Plotting;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace GnnSim.Viz;

/// <summary>
/// One curve of a chart: its legend name and its points (NaN, or non-positive values on a log axis,
/// leave gaps); <paramref name="ColorIndex"/> picks its colour (default: its place in the chart), so
/// related curves (a model and its baseline, dashed) can share one.
/// </summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false, int? ColorIndex = null);

/// <summary>
/// A line chart on ScottPlot: axes with round ticks and a light grid, axis labels, a title, a legend
/// beside the plot, a linear or logarithmic (decades, with minor ticks) y axis; as SVG or PNG. Loss,
/// learning-rate and error-against-step curves are drawn with it.
/// </summary>
public sealed class LineChart
{
    // Tableau 10: distinct, readable on white, in the order people expect.
    private static readonly Rgba[] Palette =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];

    public string Title { get; init; } = "";
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";
    public bool LogY { get; init; }
    public List<Series> Series { get; } = [];

    public static Rgba ColorOf(int seriesIndex) => Palette[seriesIndex % Palette.Length];

    /// <summary>The chart as an SVG document (its &lt;svg&gt; element, without an XML declaration, so it can be inlined in HTML).</summary>
    public string ToSvg(int width = 640, int height = 400)
    {
        var svg = ToPlot().GetSvgXml(width, height);
        return svg.StartsWith("<?xml", StringComparison.Ordinal) ? svg[(svg.IndexOf("?>", StringComparison.Ordinal) + 2)..].TrimStart() : svg;
    }

    public byte[] ToPng(int width = 640, int height = 400) => ToPlot().GetImageBytes(width, height, ImageFormat.Png);

    /// <summary>The chart as a ScottPlot plot (log axes plot log10 y, labelled with the values).</summary>
    public Plot ToPlot()
    {
        var plot = PlotTheme.NewPlot();
        plot.Title(Title);
        plot.XLabel(XLabel);
        plot.YLabel(YLabel);
        var drawn = 0;
        for (var s = 0; s < Series.Count; s++)
        {
            var series = Series[s];
            var colour = PlotTheme.ToColor(ColorOf(series.ColorIndex ?? s));
            var first = true;
            foreach (var (xs, ys) in Segments(series))
            {
                var line = plot.Add.ScatterLine(xs, ys, colour);
                line.LineWidth = 1.8f;
                line.LinePattern = series.Dashed ? LinePattern.Dashed : LinePattern.Solid;
                // A lone point has no line to show it.
                line.MarkerSize = xs.Length == 1 ? 6 : 0;
                line.MarkerShape = MarkerShape.FilledCircle;
                if (first) line.LegendText = series.Name;
                first = false;
                drawn++;
            }
        }
        if (drawn == 0)
        {
            plot.Add.Annotation("no data to plot", Alignment.MiddleCenter);
            plot.Axes.SetLimits(0, 1, 0, 1); // ScottPlot draws nothing on axes without limits
        }
        else if (LogY) plot.Axes.Left.TickGenerator = LogTicks(plot.GetPlottables<ScottPlot.Plottables.Scatter>().SelectMany(p => p.Data.GetScatterPoints()).Select(p => p.Y).ToList());
        // A lone curve is named by the title and the axis label; a legend would only take room.
        if (Series.Count(s => Segments(s).Any()) > 1) plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>
    /// Ticks for a log10 axis over these (log10) values: labelled decades, minor ticks at 2..9 of
    /// each; where fewer than three decades fall inside the data, 2 and 5 of each decade are labelled too.
    /// </summary>
    private static NumericManual LogTicks(IReadOnlyList<double> exponents)
    {
        double low = Math.Floor(exponents.Min()), high = Math.Ceiling(exponents.Max());
        if (high <= low) high = low + 1;
        var decadesInside = Math.Floor(exponents.Max()) - Math.Ceiling(exponents.Min()) + 1;
        var labelled = decadesInside < 3 ? new[] { 1, 2, 5 } : [1];
        var ticks = new NumericManual();
        for (var decade = low; decade <= high; decade++)
        for (var m = 1; m <= 9; m++)
        {
            var value = m * Math.Pow(10, decade);
            var position = Math.Log10(value);
            if (position > high + 1e-9) break;
            if (labelled.Contains(m)) ticks.AddMajor(position, AxisTicks.Format(value));
            else ticks.AddMinor(position);
        }
        return ticks;
    }

    /// <summary>The runs of consecutive drawable points (finite, and positive on a log axis), y as plotted.</summary>
    private IEnumerable<(double[] X, double[] Y)> Segments(Series series)
    {
        List<double> xs = [], ys = [];
        for (var i = 0; i < Math.Min(series.X.Count, series.Y.Count); i++)
        {
            double x = series.X[i], y = series.Y[i];
            if (double.IsFinite(x) && double.IsFinite(y) && (!LogY || y > 0))
            {
                xs.Add(x);
                ys.Add(LogY ? Math.Log10(y) : y);
                continue;
            }
            if (xs.Count > 0) yield return (xs.ToArray(), ys.ToArray());
            (xs, ys) = ([], []);
        }
        if (xs.Count > 0) yield return (xs.ToArray(), ys.ToArray());
    }
}
