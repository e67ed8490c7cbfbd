using System.Globalization;
using System.Numerics;
using GnnSim.Viz.Plotting;
using MathNet.Numerics.IntegralTransforms;
using ScottPlot;

namespace GnnSim.Viz.Rollouts;

/// <summary>A field's value at one point over a rollout, for truth and prediction; times in seconds from the rollout's start frame.</summary>
public sealed record ProbeSeries(string Case, string Field, double X, double Y, double[] Time, double[] Truth, double[] Prediction);

/// <summary>An amplitude spectrum: frequencies (Hz) and amplitudes, and the frequency of its largest non-zero peak.</summary>
public sealed record Spectrum(double[] Frequency, double[] Amplitude, double DominantFrequency);

/// <summary>
/// Probes: what a point sensor in the flow would record (the drawn field there: a grid cell's value,
/// the P1 interpolant in a mesh triangle), and its spectrum, so a wake's shedding frequency (and its
/// Strouhal number St = f D / U) can be read off truth and prediction side by side.
/// </summary>
public static class Probes
{
    public static ProbeSeries At(RolloutView rollout, string field, double x, double y)
    {
        var weights = rollout.Domain.WeightsAt(x, y)
            ?? throw new ArgumentException($"case {rollout.Case}: the point ({x.ToString(CultureInfo.InvariantCulture)}, {y.ToString(CultureInfo.InvariantCulture)}) is outside the fluid (the domain spans x {rollout.Domain.Extent.MinX:g4}..{rollout.Domain.Extent.MaxX:g4}, y {rollout.Domain.Extent.MinY:g4}..{rollout.Domain.Extent.MaxY:g4})");
        double Sample(float[] values)
        {
            double sum = 0;
            for (var k = 0; k < weights.Nodes.Length; k++) sum += weights.Weights[k] * values[weights.Nodes[k]];
            return sum;
        }
        var steps = Enumerable.Range(0, rollout.Steps + 1).ToArray();
        return new ProbeSeries(rollout.Case, field, x, y, steps.Select(s => s * rollout.Dt).ToArray(),
            steps.Select(s => Sample(rollout.TruthAt(field, s))).ToArray(), steps.Select(s => Sample(rollout.PredictionAt(field, s))).ToArray());
    }

    /// <summary>
    /// The one-sided amplitude spectrum of <paramref name="values"/> sampled every <paramref name="dt"/>
    /// seconds (mean removed, Hann window), and its dominant frequency, refined between bins by a
    /// parabola through the peak and its neighbours.
    /// </summary>
    public static Spectrum SpectrumOf(IReadOnlyList<double> values, double dt)
    {
        var n = values.Count;
        if (n < 4) throw new ArgumentException($"a spectrum needs at least 4 samples, got {n}");
        if (!(dt > 0)) throw new ArgumentException($"the sampling interval must be positive, got {dt}");
        var mean = values.Average();
        var samples = new Complex[n];
        for (var i = 0; i < n; i++) samples[i] = (values[i] - mean) * (0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (n - 1)));
        Fourier.Forward(samples, FourierOptions.NoScaling);
        var bins = n / 2 + 1;
        var frequency = Enumerable.Range(0, bins).Select(k => k / (n * dt)).ToArray();
        // 4 / n: the Hann window's coherent gain (1/2) and the one-sided spectrum's factor 2.
        var amplitude = Enumerable.Range(0, bins).Select(k => samples[k].Magnitude * 4 / n).ToArray();
        var peak = 1;
        for (var k = 2; k < bins; k++) if (amplitude[k] > amplitude[peak]) peak = k;
        var offset = 0.0;
        if (peak + 1 < bins)
        {
            double left = amplitude[peak - 1], centre = amplitude[peak], right = amplitude[peak + 1];
            var curvature = left - 2 * centre + right;
            if (curvature < 0) offset = Math.Clamp(0.5 * (left - right) / curvature, -0.5, 0.5);
        }
        return new Spectrum(frequency, amplitude, (peak + offset) / (n * dt));
    }

    /// <summary>
    /// The probe's record against time (truth solid, prediction dashed) beside both spectra with their
    /// dominant frequencies marked; with a length <paramref name="diameter"/> and speed <paramref name="speed"/>
    /// (a cylinder's D and the mean inflow U) their Strouhal numbers too.
    /// </summary>
    public static Figure Figure(ProbeSeries probe, double? diameter = null, double? speed = null, int width = 560, int height = 380)
    {
        var at = string.Create(CultureInfo.InvariantCulture, $"({probe.X:0.###}, {probe.Y:0.###})");
        var series = new LineChart { Title = $"{probe.Field} at {at}, case {probe.Case}", XLabel = "t (s), from the rollout's start", YLabel = probe.Field };
        series.Series.Add(new Series("truth", probe.Time, probe.Truth, ColorIndex: 0));
        series.Series.Add(new Series("prediction", probe.Time, probe.Prediction, Dashed: true, ColorIndex: 3));

        var dt = probe.Time.Length > 1 ? probe.Time[1] - probe.Time[0] : 1;
        var truth = SpectrumOf(probe.Truth, dt);
        var prediction = SpectrumOf(probe.Prediction, dt);
        string Peak(string name, Spectrum s) => string.Create(CultureInfo.InvariantCulture,
            $"{name} {s.DominantFrequency:0.###} Hz{(diameter is > 0 && speed is > 0 ? $", St {s.DominantFrequency * diameter.Value / speed.Value:0.###}" : "")}");
        var spectra = new LineChart { Title = $"{Peak("truth", truth)}; {Peak("prediction", prediction)}", XLabel = "f (Hz)", YLabel = $"amplitude of {probe.Field}" };
        spectra.Series.Add(new Series("truth", truth.Frequency, truth.Amplitude, ColorIndex: 0));
        spectra.Series.Add(new Series("prediction", prediction.Frequency, prediction.Amplitude, Dashed: true, ColorIndex: 3));
        var spectrumPlot = spectra.ToPlot();
        foreach (var (s, colour, pattern) in new[] { (truth, 0, LinePattern.Solid), (prediction, 3, LinePattern.Dashed) })
        {
            var line = spectrumPlot.Add.VerticalLine(s.DominantFrequency, 1, PlotTheme.ToColor(LineChart.ColorOf(colour)));
            line.LinePattern = pattern;
        }
        spectrumPlot.Axes.Title.Label.FontSize = 13;
        // Up to a few times the peaks: the rest of the band to Nyquist is empty and would squeeze them into a corner.
        var shown = Math.Min(truth.Frequency[^1], 4 * Math.Max(truth.DominantFrequency, prediction.DominantFrequency));
        if (shown > 0) spectrumPlot.Axes.SetLimitsX(0, shown);
        return new Figure([(series.ToPlot(), width, height, 0, 0), (spectrumPlot, width, height, 1, 0)]);
    }
}
