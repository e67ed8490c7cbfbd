using System.Globalization;
using GnnSim.Viz.Fields;
using GnnSim.Viz.Plotting;

namespace GnnSim.Viz.Rollouts;

/// <summary>The standard pictures of a rollout: truth / prediction / error snapshots, their animation, error curves.</summary>
public static class RolloutFigures
{
    /// <summary>
    /// Truth, prediction and error at one step. Truth and prediction share a viridis scale spanning
    /// both; the error (prediction - truth) has a cool-warm scale centred on zero.
    /// </summary>
    /// <remarks>With an <paramref name="overlay"/>, truth and prediction carry their own velocity's arrows or streamlines.</remarks>
    public static Figure Snapshot(RolloutView rollout, string field, int step, int panelWidth = 320, FlowOverlay overlay = FlowOverlay.None)
    {
        var truth = rollout.TruthAt(field, step);
        var prediction = rollout.PredictionAt(field, step);
        var error = rollout.ErrorAt(field, step);
        var scale = FieldScale(field, truth, prediction);
        var errorScale = ColorScale.Symmetric(Colormap.CoolWarm, error);
        (float[] U, float[] V)? Velocity(Func<string, int, float[]> at) =>
            overlay == FlowOverlay.None ? null
            : rollout.Velocity is { } names ? (at(names.X, step), at(names.Y, step))
            : throw new ArgumentException($"case {rollout.Case} has no velocity to draw (fields {string.Join(", ", rollout.Fields)})");
        return FieldFigure.Render(rollout.Domain,
            [new FieldPanel("truth", truth, scale) { Velocity = Velocity(rollout.TruthAt) },
             new FieldPanel("prediction", prediction, scale) { Velocity = Velocity(rollout.PredictionAt) },
             new FieldPanel("prediction - truth", error, errorScale)],
            Heading(rollout, field, step), panelWidth, overlay: overlay);
    }

    /// <summary>
    /// Frames of truth, prediction and error over the rollout (at most <paramref name="maxFrames"/>,
    /// evenly spaced, always with the last step), every frame on the same scales so change shows.
    /// </summary>
    public static List<RgbaImage> AnimationFrames(RolloutView rollout, string field, int maxFrames = 60, int panelWidth = 256)
    {
        if (maxFrames < 1) throw new ArgumentException("an animation needs at least one frame");
        var steps = Enumerable.Range(0, maxFrames).Select(k => maxFrames == 1 ? rollout.Steps : (int)Math.Round(k * (double)rollout.Steps / (maxFrames - 1)))
            .Distinct().ToList();
        var truths = Enumerable.Range(0, rollout.Steps + 1).Select(s => rollout.TruthAt(field, s)).ToList();
        var predictions = Enumerable.Range(0, rollout.Steps + 1).Select(s => rollout.PredictionAt(field, s)).ToList();
        var scale = FieldScale(field, [.. truths, .. predictions]);
        var errors = truths.Zip(predictions, (truth, prediction) => prediction.Zip(truth, (p, t) => p - t).ToArray()).ToList();
        var errorScale = ColorScale.Symmetric(Colormap.CoolWarm, [.. errors]);
        return steps.Select(s =>
        {
            using var figure = FieldFigure.Render(rollout.Domain,
                [new FieldPanel("truth", truths[s], scale), new FieldPanel("prediction", predictions[s], scale), new FieldPanel("prediction - truth", errors[s], errorScale)],
                Heading(rollout, field, s), panelWidth);
            return figure.ToRgba();
        }).ToList();
    }

    /// <summary>An animated GIF of <see cref="AnimationFrames"/>, about <paramref name="seconds"/> long.</summary>
    public static byte[] Animation(RolloutView rollout, string field, int maxFrames = 60, double seconds = 6, int panelWidth = 256)
    {
        var frames = AnimationFrames(rollout, field, maxFrames, panelWidth);
        var delay = (int)Math.Clamp(Math.Round(100 * seconds / frames.Count), 2, 100);
        return GifWriter.Encode(frames, GifWriter.PaletteFor(Colormap.Viridis, Colormap.CoolWarm), delay);
    }

    /// <summary>RMSE of <paramref name="field"/> against step, one curve per labelled rollout (several runs or models on one chart).</summary>
    public static LineChart ErrorCurves(IReadOnlyList<(string Label, IReadOnlyList<RolloutView> Cases)> runs, string field, bool logScale = true)
    {
        var chart = new LineChart { Title = $"rollout error of {field}", XLabel = "rollout step", YLabel = $"RMSE of {field}", LogY = logScale };
        foreach (var (label, cases) in runs)
        {
            if (cases.Count == 0) continue;
            var steps = cases.Min(c => c.Steps);
            var curves = cases.Select(c => c.RmseByStep(field)).ToList();
            // Step 0 is the given start, error zero by construction: nothing to show on a log axis.
            var x = Enumerable.Range(1, steps).Select(s => (double)s).ToList();
            var y = x.Select(s => curves.Average(curve => curve[(int)s])).ToList();
            chart.Series.Add(new Series(cases.Count == 1 ? label : $"{label} (mean of {cases.Count} cases)", x, y));
        }
        return chart;
    }

    /// <summary>Viridis over the values' range; a signed field (vorticity) gets the diverging map, centred on zero.</summary>
    private static ColorScale FieldScale(string field, params IEnumerable<float>[] values) => field == RolloutView.VorticityField
        ? ColorScale.Symmetric(Colormap.CoolWarm, values)
        : ColorScale.Spanning(Colormap.Viridis, values);

    private static string Heading(RolloutView rollout, string field, int step) =>
        string.Create(CultureInfo.InvariantCulture, $"case {rollout.Case}   {field}   step {step}/{rollout.Steps}   t = {(rollout.StartFrame + step) * rollout.Dt:0.###} s");
}
