using GnnSim.Viz.Plotting;
using ScottPlot;

namespace GnnSim.Viz.Fields;

/// <summary>
/// Particles as points inside their domain box, truth beside prediction: coloured by particle type
/// (a legend) or by a value such as speed (one scale for both panels, with its colorbar).
/// </summary>
public static class ParticleFigure
{
    /// <param name="truth">[N, 2] positions</param>
    /// <param name="prediction">[N, 2] positions of the same particles</param>
    /// <param name="types">per particle, for colour by type (or null)</param>
    /// <param name="values">[N] truth's and prediction's colouring values (speed), for colour by value (or null)</param>
    /// <param name="box">the domain's walls: what the axes span</param>
    public static Figure Render(double[] truth, double[] prediction, (double MinX, double MinY, double MaxX, double MaxY) box,
        IReadOnlyList<int>? types = null, (float[] Truth, float[] Prediction, string Name)? values = null, string? heading = null, int width = 420, string units = "m")
    {
        if (truth.Length != prediction.Length || truth.Length % 2 != 0) throw new ArgumentException($"truth has {truth.Length} and prediction {prediction.Length} coordinates; both must be [N, 2] for the same N");
        var n = truth.Length / 2;
        if (types is not null && types.Count != n) throw new ArgumentException($"{types.Count} particle types for {n} particles");
        if (values is { } v && (v.Truth.Length != n || v.Prediction.Length != n)) throw new ArgumentException($"colouring values for {v.Truth.Length} and {v.Prediction.Length} particles, not {n}");
        if (!(box.MaxX > box.MinX && box.MaxY > box.MinY)) throw new ArgumentException($"the box ({box.MinX}, {box.MinY}) to ({box.MaxX}, {box.MaxY}) has no area");
        var scale = values is { } colouring ? ColorScale.Spanning(Colormap.Viridis, colouring.Truth, colouring.Prediction) : null;
        var aspect = (box.MaxX - box.MinX) / (box.MaxY - box.MinY);
        var cells = new List<(Plot, int, int, int, int)>();
        foreach (var (title, positions, colourValues, column) in new[] { ("truth", truth, values?.Truth, 0), ("prediction", prediction, values?.Prediction, 1) })
        {
            var plot = PlotTheme.NewPlot();
            if (scale is not null) AddByValue(plot, positions, colourValues!, scale);
            else AddByType(plot, positions, types ?? new int[n]);
            if (scale is not null) plot.Add.ColorBar(new ColorScaleSource(scale)).Label = values!.Value.Name;
            else if (types is not null) plot.ShowLegend(Edge.Right);
            plot.Title(title);
            plot.XLabel($"x ({units})");
            plot.YLabel($"y ({units})");
            var limits = new AxisLimits(box.MinX, box.MaxX, box.MinY, box.MaxY);
            plot.Axes.SetLimits(limits);
            plot.Axes.SquareUnits();
            var (w, h) = PlotTheme.FittedSize(plot, limits, width + (types is not null && scale is null ? 200 : 130), (int)Math.Round(width / aspect) + 90);
            cells.Add((plot, w, h, column, 0));
        }
        return new Figure(cells, heading);
    }

    private static void AddByType(Plot plot, double[] positions, IReadOnlyList<int> types)
    {
        var groups = Enumerable.Range(0, types.Count).GroupBy(i => types[i]).OrderBy(g => g.Key).ToList();
        for (var k = 0; k < groups.Count; k++)
        {
            var members = groups[k].ToArray();
            var points = plot.Add.ScatterPoints(members.Select(i => positions[2 * i]).ToArray(), members.Select(i => positions[2 * i + 1]).ToArray(), PlotTheme.ToColor(LineChart.ColorOf(k)));
            points.MarkerSize = 4;
            points.LegendText = $"type {groups[k].Key} ({members.Length})";
        }
    }

    // ScottPlot draws a marker group in one colour: particles are grouped into 64 colour bins of the scale.
    private static void AddByValue(Plot plot, double[] positions, float[] values, ColorScale scale)
    {
        const int bins = 64;
        var byBin = Enumerable.Range(0, values.Length).GroupBy(i =>
        {
            var t = scale.Max > scale.Min ? (values[i] - scale.Min) / (scale.Max - scale.Min) : 0.5;
            return double.IsFinite(t) ? Math.Clamp((int)(t * bins), 0, bins - 1) : -1;
        });
        foreach (var bin in byBin)
        {
            var members = bin.ToArray();
            var colour = bin.Key < 0 ? Rgba.MaskGray : scale.Colormap.Map((bin.Key + 0.5) / bins);
            var points = plot.Add.ScatterPoints(members.Select(i => positions[2 * i]).ToArray(), members.Select(i => positions[2 * i + 1]).ToArray(), PlotTheme.ToColor(colour));
            points.MarkerSize = 4;
        }
    }
}
