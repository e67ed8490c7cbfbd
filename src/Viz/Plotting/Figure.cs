using ScottPlot;
using SkiaSharp;

namespace GnnSim.Viz.Plotting;

/// <summary>
/// Plots laid out on one canvas, with an optional heading across the top: ScottPlot draws each plot
/// in its cell. Encode it as PNG, or read its pixels (animations quantize them into GIF frames).
/// </summary>
public sealed class Figure : IDisposable
{
    private const int HeadingHeight = 34;
    private readonly SKBitmap bitmap;

    /// <param name="cells">each plot with its pixel size and its place (column, row) in a grid of cells</param>
    public Figure(IReadOnlyList<(Plot Plot, int Width, int Height, int Column, int Row)> cells, string? heading = null)
    {
        if (cells.Count == 0) throw new ArgumentException("a figure needs at least one plot");
        var columnWidths = new int[cells.Max(c => c.Column) + 1];
        var rowHeights = new int[cells.Max(c => c.Row) + 1];
        foreach (var c in cells)
        {
            columnWidths[c.Column] = Math.Max(columnWidths[c.Column], c.Width);
            rowHeights[c.Row] = Math.Max(rowHeights[c.Row], c.Height);
        }
        var top = heading is null ? 0 : HeadingHeight;
        bitmap = new SKBitmap(new SKImageInfo(columnWidths.Sum(), top + rowHeights.Sum(), SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        if (heading is not null)
        {
            using var typeface = SKTypeface.FromFamilyName(PlotTheme.FontFamily);
            using var font = new SKFont(typeface, 17);
            using var paint = new SKPaint { Color = new SKColor(34, 34, 34), IsAntialias = true };
            canvas.DrawText(heading, bitmap.Width / 2f, 24, SKTextAlign.Center, font, paint);
        }
        var areas = new List<PixelRect>();
        foreach (var c in cells)
        {
            float left = columnWidths.Take(c.Column).Sum(), y = top + rowHeights.Take(c.Row).Sum();
            // Each plot on its own surface: a plot clears the canvas it is given.
            using var surface = SKSurface.Create(new SKImageInfo(c.Width, c.Height));
            c.Plot.Render(surface);
            using var snapshot = surface.Snapshot();
            canvas.DrawImage(snapshot, left, y);
            areas.Add(new PixelRect(left, left + c.Width, y + c.Height, y));
        }
        Cells = cells.Select(c => c.Plot).ToList();
        CellAreas = areas;
    }

    public int Width => bitmap.Width;
    public int Height => bitmap.Height;

    /// <summary>The plots, in the order given, after rendering (their axes know where data landed in their cell).</summary>
    public IReadOnlyList<Plot> Cells { get; }
    public IReadOnlyList<PixelRect> CellAreas { get; }

    /// <summary>Where the point (<paramref name="x"/>, <paramref name="y"/>) of plot <paramref name="cell"/>'s axes landed in this figure.</summary>
    public (int X, int Y) PixelOf(int cell, double x, double y)
    {
        var pixel = Cells[cell].GetPixel(new Coordinates(x, y));
        return ((int)Math.Floor(CellAreas[cell].Left + pixel.X), (int)Math.Floor(CellAreas[cell].Top + pixel.Y));
    }

    public byte[] ToPng()
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public RgbaImage ToRgba()
    {
        var image = new RgbaImage(Width, Height);
        bitmap.GetPixelSpan().CopyTo(image.Pixels);
        return image;
    }

    public void Dispose() => bitmap.Dispose();
}
