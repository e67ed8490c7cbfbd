namespace GnnSim.Viz.Fields;

/// <summary>One panel of a figure: a title, node values and the colour scale they are drawn with.</summary>
public sealed record FieldPanel(string Title, float[] Values, ColorScale Scale);

/// <summary>
/// Panels side by side (truth, prediction, error), each a field over the same domain with its title
/// above and a colorbar with numbered ticks below; panels that share a scale show the same numbers.
/// </summary>
public static class FieldFigure
{
    private const int Margin = 16;
    private const int Gap = 28;
    private const int TextScale = 2;
    private const int ColorbarHeight = 14;
    private static readonly int LineHeight = BitmapFont.Height(TextScale);

    /// <param name="panelWidth">about how wide each field is drawn, in pixels</param>
    /// <param name="heading">a line above all panels (case, field, step)</param>
    /// <remarks>Wide domains (a channel, a wake) are stacked one panel under another at twice the width, so they stay readable.</remarks>
    public static RgbaImage Render(PlotDomain domain, IReadOnlyList<FieldPanel> panels, string? heading = null, int panelWidth = 320)
    {
        if (panels.Count == 0) throw new ArgumentException("a figure needs at least one panel");
        var stacked = domain.AspectRatio > 2 && panels.Count > 1;
        var (fieldWidth, fieldHeight) = domain.SizeFor(stacked ? 2 * panelWidth : panelWidth);
        // Narrow domains still need room for the colorbar's numbers.
        var columnWidth = Math.Max(fieldWidth, 200);
        var headingHeight = heading is null ? 0 : LineHeight + 14;
        var fieldOffset = LineHeight + 8;
        var colorbarOffset = fieldOffset + fieldHeight + 10;
        var panelHeight = colorbarOffset + ColorbarHeight + 6 + LineHeight;
        var (columns, rows) = stacked ? (1, panels.Count) : (panels.Count, 1);
        var width = 2 * Margin + columns * columnWidth + (columns - 1) * Gap;
        var height = 2 * Margin + headingHeight + rows * panelHeight + (rows - 1) * Gap;
        var image = new RgbaImage(width, height, Rgba.White);
        if (heading is not null) image.DrawText(heading, Margin, Margin, Rgba.Ink, TextScale);

        for (var p = 0; p < panels.Count; p++)
        {
            var (column, row) = stacked ? (0, p) : (p, 0);
            var left = Margin + column * (columnWidth + Gap);
            var top = Margin + headingHeight + row * (panelHeight + Gap);
            var fieldArea = new PixelRect(left + (columnWidth - fieldWidth) / 2, top + fieldOffset, fieldWidth, fieldHeight);
            image.DrawTextCentred(panels[p].Title, left + columnWidth / 2, top, Rgba.Ink, TextScale);
            domain.Paint(image, fieldArea, panels[p].Values, panels[p].Scale);
            image.DrawRectangle(fieldArea.X - 1, fieldArea.Y - 1, fieldArea.Width + 2, fieldArea.Height + 2, Rgba.Ink);
            DrawColorbar(image, new PixelRect(left, top + colorbarOffset, columnWidth, ColorbarHeight), panels[p].Scale);
        }
        return image;
    }

    /// <summary>A horizontal colorbar with tick marks and their values underneath; labels that would collide are left out.</summary>
    public static void DrawColorbar(RgbaImage image, PixelRect area, ColorScale scale)
    {
        for (var px = 0; px < area.Width; px++)
        {
            var colour = scale.Colormap.Map((px + 0.5) / area.Width);
            image.FillRectangle(area.X + px, area.Y, 1, area.Height, colour);
        }
        image.DrawRectangle(area.X - 1, area.Y - 1, area.Width + 2, area.Height + 2, Rgba.Ink);
        var ticks = AxisTicks.Linear(scale.Min, scale.Max, Math.Max(2, area.Width / 70));
        var step = ticks.Length > 1 ? ticks[1] - ticks[0] : 0;
        var lastLabelRight = int.MinValue;
        foreach (var tick in ticks)
        {
            var x = area.X + (int)Math.Round((tick - scale.Min) / (scale.Max - scale.Min) * (area.Width - 1));
            image.FillRectangle(x, area.Bottom + 1, 1, 5, Rgba.Ink);
            var label = AxisTicks.Format(tick, step);
            var labelWidth = BitmapFont.Measure(label, TextScale);
            // Keep labels inside the image, and apart from each other.
            var labelLeft = Math.Clamp(x - labelWidth / 2, 0, image.Width - labelWidth);
            if (labelLeft < lastLabelRight + 8) continue;
            image.DrawText(label, labelLeft, area.Bottom + 7, Rgba.Ink, TextScale);
            lastLabelRight = labelLeft + labelWidth;
        }
    }
}
