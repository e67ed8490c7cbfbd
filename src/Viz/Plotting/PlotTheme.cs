using ScottPlot;

namespace GnnSim.Viz.Plotting;

/// <summary>How every GnnSim figure looks: one sans-serif font (DejaVu Sans, Debian's fonts-dejavu-core, which setup.sh installs), our colours.</summary>
public static class PlotTheme
{
    public const string FontFamily = "DejaVu Sans";

    /// <summary>A new plot in the house style.</summary>
    public static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(FontFamily);
        plot.Axes.Title.Label.FontSize = 15;
        plot.Axes.Title.Label.Bold = false;
        return plot;
    }

    public static Color ToColor(Rgba colour) => new(colour.R, colour.G, colour.B, colour.A);

    /// <summary>Our pixels as a ScottPlot image (to place on axes with an ImageRect).</summary>
    public static Image ToImage(RgbaImage pixels)
    {
        // ScottPlot keeps the bitmap (no copy): it lives as long as the image does.
        var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(pixels.Width, pixels.Height, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Unpremul));
        pixels.Pixels.CopyTo(bitmap.GetPixelSpan());
        return new Image(bitmap);
    }

    /// <summary>
    /// The plot size whose data area has width/height <paramref name="aspect"/>, so equal axis units
    /// fill it with no band of empty axis beside the data: lay out once, then widen or narrow by the
    /// difference. The limits are set back to <paramref name="limits"/> (equal units moved them).
    /// </summary>
    public static (int Width, int Height) FittedSize(Plot plot, AxisLimits limits, int width, int height)
    {
        plot.RenderInMemory(width, height);
        var data = plot.LastRender.DataRect;
        plot.Axes.SetLimits(limits);
        if (!(data.Width > 0) || !(data.Height > 0)) return (width, height);
        var aspect = limits.HorizontalSpan / limits.VerticalSpan;
        return (Math.Max(60, width + (int)Math.Round(data.Height * aspect - data.Width)), height);
    }
}

/// <summary>One of our colormaps, as ScottPlot takes colormaps (heatmaps, colorbars).</summary>
public sealed class ScottPlotColormap(Colormap colormap) : IColormap
{
    public string Name => colormap.Name;

    public Color GetColor(double normalized) => PlotTheme.ToColor(colormap.Map(normalized));
}

/// <summary>A colour scale as a colorbar's source: the colorbar shows the scale's range with its numbers.</summary>
public sealed class ColorScaleSource(ColorScale scale) : IHasColorAxis
{
    public IColormap Colormap { get; set; } = new ScottPlotColormap(scale.Colormap);

    public ScottPlot.Range GetRange() => new(scale.Min, scale.Max);
}
