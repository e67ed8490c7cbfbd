using System.Globalization;

namespace GnnSim.Viz;

/// <summary>How tick numbers read where we label ticks ourselves (log axes); ScottPlot places and labels the rest.</summary>
public static class AxisTicks
{
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
