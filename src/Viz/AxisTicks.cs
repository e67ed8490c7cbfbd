using System.Globalization;

namespace GnnSim.Viz;

/// <summary>Where ticks go on an axis and how their numbers read.</summary>
public static class AxisTicks
{
    /// <summary>
    /// About <paramref name="target"/> round ticks (steps of 1, 2 or 5 times a power of ten) inside
    /// [<paramref name="min"/>, <paramref name="max"/>].
    /// </summary>
    public static double[] Linear(double min, double max, int target = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) return [];
        if (max < min) (min, max) = (max, min);
        if (max == min) return [min];
        var step = NiceStep((max - min) / Math.Max(1, target));
        var first = Math.Ceiling(min / step - 1e-9) * step;
        var ticks = new List<double>();
        for (var tick = first; tick <= max + step * 1e-9; tick += step)
            ticks.Add(Math.Abs(tick) < step * 1e-9 ? 0 : tick);
        return ticks.ToArray();
    }

    /// <summary>
    /// Ticks of a logarithmic axis over [<paramref name="min"/>, <paramref name="max"/>] (both positive):
    /// the powers of ten, thinned to at most <paramref name="maxTicks"/>; over fewer than three decades
    /// also 2 and 5 times them, so a short axis still has numbers along it.
    /// </summary>
    public static double[] Decades(double min, double max, int maxTicks = 8)
    {
        if (!(min > 0) || !(max > 0) || !double.IsFinite(min) || !double.IsFinite(max)) return [];
        int low = (int)Math.Floor(Math.Log10(min) + 1e-9), high = (int)Math.Ceiling(Math.Log10(max) - 1e-9);
        var multiples = high - low < 3 ? new[] { 1.0, 2, 5 } : [1.0];
        var every = Math.Max(1, (int)Math.Ceiling((high - low + 1) / (double)maxTicks));
        return Enumerable.Range(low, high - low + 1).Where(e => (e - low) % every == 0)
            .SelectMany(e => multiples.Select(m => m * Math.Pow(10, e)))
            .Where(t => t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9)).ToArray();
    }

    public static double NiceStep(double rough)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }

    /// <summary>
    /// A tick's label with as few digits as tell ticks <paramref name="step"/> apart ("0.2", "1500"), or
    /// without a step as few as the value needs ("0.01"); below 1e-3 and from 1e5 up in powers-of-ten
    /// form ("1e-4", "2e6").
    /// </summary>
    public static string Format(double value, double step = 0)
    {
        if (value == 0) return "0";
        var magnitude = Math.Abs(value);
        if (magnitude < 1e-3 || magnitude >= 1e5)
        {
            var exponent = (int)Math.Floor(Math.Log10(magnitude));
            var mantissa = value / Math.Pow(10, exponent);
            var text = Math.Round(mantissa, 2).ToString("0.##", CultureInfo.InvariantCulture);
            return text == "1" ? $"1e{exponent}" : text == "-1" ? $"-1e{exponent}" : $"{text}e{exponent}";
        }
        if (step <= 0) return value.ToString("0.####", CultureInfo.InvariantCulture);
        var decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(step) - 1e-9), 0, 6);
        return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
