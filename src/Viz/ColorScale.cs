namespace GnnSim.Viz;

/// <summary>A colormap stretched over a value range: what a colorbar shows.</summary>
public sealed record ColorScale(Colormap Colormap, double Min, double Max)
{
    public Rgba ColorOf(double value) =>
        double.IsNaN(value) ? Rgba.MaskGray : Colormap.Map(Max > Min ? (value - Min) / (Max - Min) : 0.5);

    /// <summary>The range of the finite values over all <paramref name="fields"/> (truth and prediction share one).</summary>
    public static ColorScale Spanning(Colormap colormap, params IEnumerable<float>[] fields)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var field in fields)
        foreach (var value in field)
        {
            if (!float.IsFinite(value)) continue;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }
        if (double.IsInfinity(min)) return new ColorScale(colormap, 0, 1);
        if (max <= min) (min, max) = (min - 0.5, max + 0.5);
        return new ColorScale(colormap, min, max);
    }

    /// <summary>A range symmetric about zero, so zero sits at the diverging map's neutral middle.</summary>
    public static ColorScale Symmetric(Colormap colormap, params IEnumerable<float>[] fields)
    {
        var largest = fields.SelectMany(f => f).Where(float.IsFinite).Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max();
        if (largest == 0) largest = 1;
        return new ColorScale(colormap, -largest, largest);
    }
}
