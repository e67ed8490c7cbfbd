using GnnSim.Viz.Plotting;
using ScottPlot;

namespace GnnSim.Viz.Fields;

/// <summary>One panel of a figure: a title, node values and the colour scale they are drawn with; optionally the velocity to draw over them.</summary>
public sealed record FieldPanel(string Title, float[] Values, ColorScale Scale)
{
    /// <summary>Node velocity (u, v) for arrows or streamlines over the field.</summary>
    public (float[] U, float[] V)? Velocity { get; init; }
}

/// <summary>
/// Panels side by side (truth, prediction, error), each a field over the domain on axes in the data's
/// units with equal aspect, its title above and a colorbar with numbers beside it; panels that share
/// a scale show the same numbers. The field itself is painted by the domain (grid cells as blocks,
/// mesh triangles linearly interpolated, solids and obstacles gray) and placed on ScottPlot's axes.
/// </summary>
public static class FieldFigure
{
    // Room around the field for the title, axis labels, ticks and the colorbar, in pixels.
    private const int ExtraWidth = 170;
    private const int ExtraHeight = 96;

    /// <param name="panelWidth">about how wide each field is drawn, in pixels</param>
    /// <param name="heading">a line above all panels (case, field, step, time)</param>
    /// <param name="units">the unit of x and y, for the axis labels</param>
    /// <remarks>Wide domains (a channel, a wake) are stacked one panel under another at twice the width, so they stay readable.</remarks>
    public static Figure Render(PlotDomain domain, IReadOnlyList<FieldPanel> panels, string? heading = null, int panelWidth = 320, string units = "m",
        FlowOverlay overlay = FlowOverlay.None)
    {
        if (panels.Count == 0) throw new ArgumentException("a figure needs at least one panel");
        var stacked = domain.AspectRatio > 2 && panels.Count > 1;
        var fieldWidth = stacked ? 2 * panelWidth : panelWidth;
        var fieldHeight = Math.Max(40, (int)Math.Round(fieldWidth / domain.AspectRatio));
        var cells = panels.Select((panel, p) =>
        {
            var plot = PanelPlot(domain, panel, units, overlay);
            var (minX, minY, maxX, maxY) = domain.Extent;
            var (width, height) = PlotTheme.FittedSize(plot, new AxisLimits(minX, maxX, minY, maxY), fieldWidth + ExtraWidth, fieldHeight + ExtraHeight);
            return (plot, width, height, stacked ? 0 : p, stacked ? p : 0);
        }).ToList();
        return new Figure(cells, heading);
    }

    /// <summary>One panel as a ScottPlot plot: the painted field on x/y axes, its title, its colorbar.</summary>
    public static Plot PanelPlot(PlotDomain domain, FieldPanel panel, string units = "m", FlowOverlay overlay = FlowOverlay.None)
    {
        var plot = PlotTheme.NewPlot();
        var (minX, minY, maxX, maxY) = domain.Extent;
        plot.Add.ImageRect(PlotTheme.ToImage(Paint(domain, panel)), new CoordinateRect(minX, maxX, minY, maxY)).AntiAlias = domain is not GridDomain;
        if (panel.Velocity is { } velocity) DrawOverlay(plot, domain, velocity.U, velocity.V, overlay);
        var colorbar = plot.Add.ColorBar(new ColorScaleSource(panel.Scale));
        colorbar.Width = 14;
        plot.Title(panel.Title);
        plot.XLabel($"x ({units})");
        plot.YLabel($"y ({units})");
        plot.Axes.SetLimits(minX, maxX, minY, maxY);
        plot.Axes.SquareUnits();
        return plot;
    }

    private static void DrawOverlay(Plot plot, PlotDomain domain, float[] u, float[] v, FlowOverlay overlay)
    {
        var ink = PlotTheme.ToColor(new Rgba(20, 20, 20, 210));
        if (overlay == FlowOverlay.Vectors)
        {
            var arrows = FlowLines.Arrows(domain, u, v)
                .Select(a => new RootedCoordinateVector(new Coordinates(a.X, a.Y), new System.Numerics.Vector2((float)a.U, (float)a.V))).ToList();
            var field = plot.Add.VectorField(arrows);
            field.ArrowLineColor = ink;
            field.ArrowFillColor = ink;
        }
        else if (overlay == FlowOverlay.Streamlines)
        {
            foreach (var line in FlowLines.Streamlines(domain, u, v))
            {
                var curve = plot.Add.ScatterLine(line.Select(p => p.X).ToArray(), line.Select(p => p.Y).ToArray(), ink);
                curve.LineWidth = 1;
                curve.MarkerSize = 0;
            }
        }
    }

    /// <summary>The field as pixels: a whole number of pixels per grid cell, about 800 pixels across a mesh.</summary>
    private static RgbaImage Paint(PlotDomain domain, FieldPanel panel)
    {
        var (width, height) = domain.SizeFor(domain is GridDomain grid ? Math.Max(grid.Columns, 800 / grid.Columns * grid.Columns) : 800);
        // What no triangle covers (a cylinder, an obstacle) is solid: mask gray, as solid grid cells are.
        var image = new RgbaImage(width, height, Rgba.MaskGray);
        domain.Paint(image, new PixelRect(0, 0, width, height), panel.Values, panel.Scale);
        return image;
    }
}
