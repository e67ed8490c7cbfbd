namespace GnnSim.Cli.Bench;

internal static class Timing
{
    /// <summary>The median of some timings (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyCollection<double> times)
    {
        if (times.Count == 0) throw new ArgumentException("no timings");
        var sorted = times.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The median wall time of <paramref name="repeats"/> runs of <paramref name="job"/>, in seconds, after one warm-up run.</summary>
    public static double MedianSeconds(Action job, int repeats)
    {
        job();
        var times = new double[repeats];
        for (var r = 0; r < repeats; r++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            job();
            times[r] = clock.Elapsed.TotalSeconds;
        }
        return Median(times);
    }
}
