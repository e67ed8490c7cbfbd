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
        var cells = new List<(Plot, int, int, int, int)>();
        foreach (var (title, positions, colourValues, column) in new[] { ("truth", truth, values?.Truth, 0), ("prediction", prediction, values?.Prediction, 1) })
        {
            var (plot, w, h) = Panel(title, positions, box, types, colourValues, scale, values?.Name, width, units);
            cells.Add((plot, w, h, column, 0));
        }
        return new Figure(cells, heading);
    }

    /// <summary>
    /// Particle data frame by frame (a simulator's, no prediction): each frame's particles coloured by
    /// their speed over the frame before, one scale for all, as an animated GIF about
    /// <paramref name="seconds"/> long of at most <paramref name="maxFrames"/> frames.
    /// </summary>
    /// <param name="frames">[T][N, 2] positions</param>
    public static byte[] Animation(IReadOnlyList<double[]> frames, double dt, (double MinX, double MinY, double MaxX, double MaxY) box, string heading,
        int maxFrames = 60, double seconds = 6, int width = 420, string units = "m")
    {
        if (frames.Count < 2) throw new ArgumentException("an animation of particles needs at least two frames");
        if (maxFrames < 2) throw new ArgumentException("an animation needs at least two frames");
        if (!(dt > 0)) throw new ArgumentException($"the time between frames must be positive, got {dt}");
        if (frames.Any(f => f.Length != frames[0].Length || f.Length % 2 != 0)) throw new ArgumentException("every frame must hold the same [N, 2] particles");
        var speeds = Speeds(frames, dt);
        var scale = ColorScale.Spanning(Colormap.Viridis, [.. speeds]);
        return Gif(frames.Count, maxFrames, seconds, t =>
        {
            var (plot, w, h) = Panel($"t = {t * dt:0.000} s", frames[t], box, null, speeds[t], scale, "speed (m/s)", width, units);
            return new Figure([(plot, w, h, 0, 0)], heading);
        });
    }

    /// <summary>
    /// A rollout frame by frame, truth beside prediction, the particles coloured by their speed over
    /// the frame before (one scale for every frame and both panels), as an animated GIF.
    /// </summary>
    /// <param name="truth">[T][N, 2] true positions</param>
    /// <param name="prediction">[T][N, 2] predicted positions of the same particles</param>
    public static byte[] RolloutAnimation(IReadOnlyList<double[]> truth, IReadOnlyList<double[]> prediction, double dt,
        (double MinX, double MinY, double MaxX, double MaxY) box, string heading, int maxFrames = 60, double seconds = 6, int width = 420, string units = "m")
    {
        if (truth.Count < 2 || truth.Count != prediction.Count) throw new ArgumentException($"{truth.Count} true and {prediction.Count} predicted frames: an animation needs at least two of each, as many of both");
        if (maxFrames < 2) throw new ArgumentException("an animation needs at least two frames");
        if (!(dt > 0)) throw new ArgumentException($"the time between frames must be positive, got {dt}");
        var truthSpeeds = Speeds(truth, dt);
        var predictedSpeeds = Speeds(prediction, dt);
        var scale = ColorScale.Spanning(Colormap.Viridis, [.. truthSpeeds, .. predictedSpeeds]);
        return Gif(truth.Count, maxFrames, seconds, t =>
        {
            var (left, lw, lh) = Panel($"truth, step {t}", truth[t], box, null, truthSpeeds[t], scale, "speed (m/s)", width, units);
            var (right, rw, rh) = Panel($"prediction, step {t}", prediction[t], box, null, predictedSpeeds[t], scale, "speed (m/s)", width, units);
            return new Figure([(left, lw, lh, 0, 0), (right, rw, rh, 1, 0)], heading);
        });
    }

    /// <summary>At most <paramref name="maxFrames"/> of <paramref name="count"/> frames, evenly spaced, each drawn by <paramref name="draw"/>, as a GIF about <paramref name="seconds"/> long.</summary>
    static byte[] Gif(int count, int maxFrames, double seconds, Func<int, Figure> draw)
    {
        var chosen = Enumerable.Range(0, maxFrames).Select(k => (int)Math.Round(k * (count - 1.0) / (maxFrames - 1))).Distinct().ToList();
        var images = chosen.Select(t =>
        {
            using var figure = draw(t);
            return figure.ToRgba();
        }).ToList();
        var delay = (int)Math.Clamp(Math.Round(100 * seconds / images.Count), 2, 100);
        return GifWriter.Encode(images, GifWriter.PaletteFor(Colormap.Viridis), delay);
    }

    /// <summary>[T][N]: each frame's particle speeds over the frame before (frame 0: over the frame after).</summary>
    public static List<float[]> Speeds(IReadOnlyList<double[]> frames, double dt)
    {
        if (frames.Count < 2 || frames.Any(f => f.Length != frames[0].Length || f.Length % 2 != 0)) throw new ArgumentException("speeds need at least two frames of the same [N, 2] particles");
        return frames.Select((frame, t) =>
        {
            var other = frames[t == 0 ? 1 : t - 1];
            var speed = new float[frame.Length / 2];
            for (var i = 0; i < speed.Length; i++)
                speed[i] = (float)(Math.Sqrt(Math.Pow(frame[2 * i] - other[2 * i], 2) + Math.Pow(frame[2 * i + 1] - other[2 * i + 1], 2)) / dt);
            return speed;
        }).ToList();
    }

    private static (Plot Plot, int Width, int Height) Panel(string title, double[] positions, (double MinX, double MinY, double MaxX, double MaxY) box,
        IReadOnlyList<int>? types, float[]? colourValues, ColorScale? scale, string? valueName, int width, string units)
    {
        var plot = PlotTheme.NewPlot();
        if (scale is not null) AddByValue(plot, positions, colourValues!, scale);
        else AddByType(plot, positions, types ?? new int[positions.Length / 2]);
        if (scale is not null) plot.Add.ColorBar(new ColorScaleSource(scale)).Label = valueName ?? "";
        else if (types is not null) plot.ShowLegend(Edge.Right);
        plot.Title(title);
        plot.XLabel($"x ({units})");
        plot.YLabel($"y ({units})");
        var limits = new AxisLimits(box.MinX, box.MaxX, box.MinY, box.MaxY);
        plot.Axes.SetLimits(limits);
        plot.Axes.SquareUnits();
        var aspect = (box.MaxX - box.MinX) / (box.MaxY - box.MinY);
        var (w, h) = PlotTheme.FittedSize(plot, limits, width + (types is not null && scale is null ? 200 : 130), (int)Math.Round(width / aspect) + 90);
        return (plot, w, h);
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
