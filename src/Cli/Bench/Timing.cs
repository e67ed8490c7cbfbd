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
}
