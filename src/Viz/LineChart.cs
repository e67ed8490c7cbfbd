namespace GnnSim.Viz;

/// <summary>
/// One curve of a chart: its legend name and its points (NaN, or non-positive values on a log axis,
/// leave gaps); <paramref name="ColorIndex"/> picks its colour (default: its place in the chart), so
/// related curves (a model and its baseline, dashed) can share one.
/// </summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false, int? ColorIndex = null);

/// <summary>
/// A line chart in SVG: axes with round ticks and a light grid, axis labels, a title, a legend, a
/// linear or logarithmic y axis. Loss curves and error-against-step curves are drawn with it.
/// </summary>
public sealed class LineChart
{
    // Tableau 10: distinct, readable on white, in the order people expect.
    private static readonly Rgba[] Palette =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];
    private static readonly Rgba GridGray = new(225, 225, 225);

    public string Title { get; init; } = "";
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";
    public bool LogY { get; init; }
    public List<Series> Series { get; } = [];

    public static Rgba ColorOf(int seriesIndex) => Palette[seriesIndex % Palette.Length];

    /// <param name="width">the whole drawing's width; the legend takes its right side</param>
    public string ToSvg(int width = 640, int height = 400)
    {
        const double left = 78, top = 36, bottom = 50;
        var legendWidth = LegendWidth();
        var right = 16 + legendWidth;
        var svg = new SvgDocument(width, height);
        double plotWidth = Math.Max(80, width - left - right), plotHeight = height - top - bottom;
        svg.Text(width / 2.0, 22, Title, 15, "middle", bold: true);

        var points = Series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second) && (!LogY || p.Second > 0)).ToList();
        if (points.Count == 0)
        {
            svg.Text(width / 2.0, height / 2.0, "no data to plot", 13, "middle");
            return svg.ToString();
        }
        double xMin = points.Min(p => p.First), xMax = points.Max(p => p.First);
        double yMin = points.Min(p => p.Second), yMax = points.Max(p => p.Second);
        if (xMax == xMin) (xMin, xMax) = (xMin - 0.5, xMax + 0.5);
        double[] yTicks;
        Func<double, double> yPosition;
        if (LogY)
        {
            // Whole decades, so the ticks are the powers of ten inside.
            var low = Math.Floor(Math.Log10(yMin));
            var high = Math.Max(Math.Ceiling(Math.Log10(yMax)), low + 1);
            yTicks = AxisTicks.Decades(Math.Pow(10, low), Math.Pow(10, high), 10);
            yPosition = y => top + plotHeight * (1 - (Math.Log10(y) - low) / (high - low));
        }
        else
        {
            if (yMax == yMin) (yMin, yMax) = (yMin - 0.5, yMax + 0.5);
            var pad = 0.05 * (yMax - yMin);
            (yMin, yMax) = (yMin - pad, yMax + pad);
            yTicks = AxisTicks.Linear(yMin, yMax);
            var (lo, hi) = (yMin, yMax);
            yPosition = y => top + plotHeight * (1 - (y - lo) / (hi - lo));
        }
        double XPosition(double x) => left + plotWidth * (x - xMin) / (xMax - xMin);

        var xTicks = AxisTicks.Linear(xMin, xMax, 6);
        var xStep = xTicks.Length > 1 ? xTicks[1] - xTicks[0] : 0;
        foreach (var tick in xTicks)
        {
            var x = XPosition(tick);
            svg.Line(x, top, x, top + plotHeight, GridGray);
            svg.Line(x, top + plotHeight, x, top + plotHeight + 5, Rgba.Ink);
            svg.Text(x, top + plotHeight + 19, AxisTicks.Format(tick, xStep), 12, "middle");
        }
        var yStep = !LogY && yTicks.Length > 1 ? yTicks[1] - yTicks[0] : 0;
        foreach (var tick in yTicks)
        {
            var y = yPosition(tick);
            svg.Line(left, y, left + plotWidth, y, GridGray);
            svg.Line(left - 5, y, left, y, Rgba.Ink);
            svg.Text(left - 8, y + 4, LogY ? AxisTicks.Format(tick) : AxisTicks.Format(tick, yStep), 12, "end");
        }
        svg.Rectangle(left, top, plotWidth, plotHeight, null, Rgba.Ink);
        svg.Text(left + plotWidth / 2, height - 10, XLabel, 13, "middle");
        svg.Text(18, top + plotHeight / 2, YLabel, 13, "middle", rotate: -90);

        for (var s = 0; s < Series.Count; s++)
        {
            var series = Series[s];
            var path = series.X.Zip(series.Y, (x, y) => double.IsFinite(x) && double.IsFinite(y) && (!LogY || y > 0)
                ? (XPosition(x), yPosition(y)) : (double.NaN, double.NaN)).ToList();
            svg.Polyline(path, SeriesColor(s), 1.8, series.Dashed ? "6 4" : null);
            var drawn = path.Where(p => double.IsFinite(p.Item1)).ToList();
            if (drawn.Count == 1) svg.Circle(drawn[0].Item1, drawn[0].Item2, 3, SeriesColor(s)); // a lone point has no line to show it
        }
        DrawLegend(svg, left + plotWidth + 14, top);
        return svg.ToString();
    }

    private Rgba SeriesColor(int s) => ColorOf(Series[s].ColorIndex ?? s);

    private const double LegendSwatch = 22;

    // Beside the plot, never over the curves; names are measured at ~7 px per character of 12 px text.
    private double LegendWidth() => Series.Count == 0 ? 0 : LegendSwatch + 16 + Series.Max(s => s.Name.Length) * 7.0;

    private void DrawLegend(SvgDocument svg, double x, double topEdge)
    {
        if (Series.Count == 0) return;
        const double rowHeight = 18;
        for (var s = 0; s < Series.Count; s++)
        {
            var y = topEdge + 4 + rowHeight * (s + 0.5);
            svg.Line(x, y, x + LegendSwatch, y, SeriesColor(s), 2.2, Series[s].Dashed ? "6 4" : null);
            svg.Text(x + LegendSwatch + 6, y + 4, Series[s].Name, 12);
        }
    }
}
