using GnnSim.Viz.Rollouts;

namespace GnnSim.Viz.Tests;

public class ProbeTests
{
    [Fact]
    public void TheSpectrumOfASampledSinePeaksAtItsFrequency()
    {
        const double frequency = 3.3, dt = 0.01;
        var samples = Enumerable.Range(0, 400).Select(i => 0.7 + 2 * Math.Sin(2 * Math.PI * frequency * i * dt + 0.4)).ToList();
        var spectrum = Probes.SpectrumOf(samples, dt);
        // Bins are 0.25 Hz apart; the parabola between them finds the peak to well within one.
        Assert.Equal(frequency, spectrum.DominantFrequency, 0.03);
        Assert.Equal(0.25, spectrum.Frequency[1], 12);
        // The mean is removed: no peak at 0 Hz, and the sine's amplitude reads about 2.
        Assert.True(spectrum.Amplitude[0] < 0.05, $"amplitude at 0 Hz {spectrum.Amplitude[0]}");
        Assert.InRange(spectrum.Amplitude.Max(), 1.6, 2.05);
    }

    [Fact]
    public void AProbeReadsTheDrawnFieldAtItsPoint()
    {
        // Two triangles over the unit square; a field linear in x and y is read back exactly inside.
        var mesh = new TriangleDomain([0, 0, 1, 0, 1, 1, 0, 1], [0, 1, 2, 0, 2, 3]);
        float[] Linear(int step) => [0 + step, 2 + step, 5 + step, 3 + step]; // f = 2x + 3y + step
        var truth = Enumerable.Range(0, 3).SelectMany(Linear).ToArray();
        var prediction = truth.Select(v => 2 * v).ToArray();
        var rollout = new RolloutView("square", mesh, ["p"], 2, truth, prediction, [0, 0, 0, 0], [true, true, true, true], 0.5, 4);
        var probe = Probes.At(rollout, "p", 0.25, 0.5);
        Assert.Equal([0.0, 0.5, 1.0], probe.Time);
        Assert.Equal([2.0, 3.0, 4.0], probe.Truth.Select(v => Math.Round(v, 9)));
        Assert.Equal([4.0, 6.0, 8.0], probe.Prediction.Select(v => Math.Round(v, 9)));
        var outside = Assert.Throws<ArgumentException>(() => Probes.At(rollout, "p", 1.5, 0.5));
        Assert.Contains("outside the fluid", outside.Message);
    }
}
