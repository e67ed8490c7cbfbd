using GnnSim.Graph;
using GnnSim.Meshing;
using GnnSim.Viz.Plotting;
using ScottPlot;

namespace GnnSim.Viz.Fields;

/// <summary>
/// Pictures of meshes: a wireframe with its nodes coloured by DeepMind node type beside a histogram of
/// its cells' minimum angles; a mesh before and after a mover changed it, inverted cells filled red.
/// </summary>
public static class MeshPlot
{
    private static readonly Rgba Tangled = new(214, 39, 40);

    public static Figure Wireframe(TriangleDomain mesh, IReadOnlyList<int> nodeTypes, string? title = null, int width = 640, string units = "m")
    {
        var plot = WireframePlot(mesh, nodeTypes, title, width, units, out var size);
        return new Figure([(plot, size.Width, size.Height, 0, 0), (QualityHistogram(mesh), 420, Math.Max(300, size.Height), 1, 0)]);
    }

    /// <summary>
    /// The mesh before and after its nodes moved to <paramref name="movedPositions"/> (same cells), each
    /// a wireframe; cells the move inverted are filled red in the second, and counted in its title.
    /// </summary>
    public static Figure BeforeAfter(TriangleDomain before, double[] movedPositions, IReadOnlyList<int> nodeTypes, int width = 560, string units = "m")
    {
        var after = new TriangleDomain(movedPositions, before.Triangles);
        var tangled = MeshQuality.TangledCells(new Mesh2D(before.Positions, before.Triangles, 3), new Mesh2D(movedPositions, before.Triangles, 3));
        var count = tangled.Count(t => t);
        var first = WireframePlot(before, nodeTypes, "before", width, units, out var firstSize);
        var second = WireframePlot(after, nodeTypes, count == 0 ? "after: no tangled cells" : $"after: {count} tangled {(count == 1 ? "cell" : "cells")} (red)", width, units, out var secondSize);
        for (var c = 0; c < tangled.Length; c++)
        {
            if (!tangled[c]) continue;
            var corners = Enumerable.Range(0, 3).Select(k => before.Triangles[3 * c + k]).Select(n => new Coordinates(movedPositions[2 * n], movedPositions[2 * n + 1])).ToArray();
            var cell = second.Add.Polygon(corners);
            cell.FillColor = PlotTheme.ToColor(Tangled);
            cell.LineColor = PlotTheme.ToColor(Tangled);
        }
        return new Figure([(first, firstSize.Width, firstSize.Height, 0, 0), (second, secondSize.Width, secondSize.Height, 1, 0)]);
    }

    /// <summary>How many cells have each minimum angle, in 5 degree bins from 0 to 60 (the equilateral triangle's).</summary>
    public static Plot QualityHistogram(TriangleDomain mesh)
    {
        var angles = MeshQuality.MinAngles(new Mesh2D(mesh.Positions, mesh.Triangles, 3));
        const double bin = 5;
        var counts = new double[12];
        foreach (var angle in angles) counts[Math.Clamp((int)(angle / bin), 0, counts.Length - 1)]++;
        var plot = PlotTheme.NewPlot();
        var bars = plot.Add.Bars(Enumerable.Range(0, counts.Length).Select(i => (i + 0.5) * bin).ToArray(), counts);
        foreach (var bar in bars.Bars)
        {
            bar.Size = bin * 0.9;
            bar.FillColor = PlotTheme.ToColor(LineChart.ColorOf(0));
        }
        plot.Title(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"minimum angle of each cell (smallest {angles.Min():0.#}°)"));
        plot.XLabel("minimum angle (degrees)");
        plot.YLabel("cells");
        plot.Axes.SetLimitsX(0, 60);
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    private static Plot WireframePlot(TriangleDomain mesh, IReadOnlyList<int> nodeTypes, string? title, int width, string units, out (int Width, int Height) size)
    {
        if (nodeTypes.Count != mesh.NodeCount) throw new ArgumentException($"{nodeTypes.Count} node types for a mesh of {mesh.NodeCount} nodes");
        var plot = PlotTheme.NewPlot();
        var (minX, minY, maxX, maxY) = mesh.Extent;
        // Thousands of edges: drawn as anti-aliased lines into an image at twice the plot's resolution, placed on the axes.
        var (pixelWidth, pixelHeight) = mesh.SizeFor(2 * width);
        var edges = new RgbaImage(pixelWidth, pixelHeight);
        mesh.DrawEdges(edges, new PixelRect(0, 0, pixelWidth, pixelHeight), new Rgba(120, 120, 120));
        plot.Add.ImageRect(PlotTheme.ToImage(edges), new CoordinateRect(minX, maxX, minY, maxY));
        var byType = Enumerable.Range(0, mesh.NodeCount).GroupBy(n => nodeTypes[n]).OrderBy(g => g.Key).ToList();
        for (var k = 0; k < byType.Count; k++)
        {
            var nodes = byType[k].ToArray();
            var markers = plot.Add.ScatterPoints(nodes.Select(n => mesh.Positions[2 * n]).ToArray(), nodes.Select(n => mesh.Positions[2 * n + 1]).ToArray(),
                PlotTheme.ToColor(LineChart.ColorOf(k)));
            markers.MarkerSize = byType[k].Key == (int)NodeType.Normal ? 2 : 4;
            markers.LegendText = $"{NodeTypeNames.Of(byType[k].Key)} ({nodes.Length})";
        }
        if (title is not null) plot.Title(title);
        plot.XLabel($"x ({units})");
        plot.YLabel($"y ({units})");
        plot.ShowLegend(Edge.Right);
        plot.Axes.SetLimits(minX, maxX, minY, maxY);
        plot.Axes.SquareUnits();
        size = PlotTheme.FittedSize(plot, new AxisLimits(minX, maxX, minY, maxY), width + 260, (int)Math.Round(width / mesh.AspectRatio) + 100);
        return plot;
    }
}
