using GnnSim.Graph;
using GnnSim.Viz.Plotting;
using ScottPlot;

namespace GnnSim.Viz.Fields;

/// <summary>A mesh as its edges (a wireframe) with its nodes coloured by DeepMind node type: the picture of a mesh, or of a mesh a mover changed.</summary>
public static class MeshPlot
{
    public static Figure Wireframe(TriangleDomain mesh, IReadOnlyList<int> nodeTypes, string? title = null, int width = 640, string units = "m")
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
            markers.LegendText = $"{TypeName(byType[k].Key)} ({nodes.Length})";
        }
        if (title is not null) plot.Title(title);
        plot.XLabel($"x ({units})");
        plot.YLabel($"y ({units})");
        plot.ShowLegend(Edge.Right);
        plot.Axes.SetLimits(minX, maxX, minY, maxY);
        plot.Axes.SquareUnits();
        var (plotWidth, plotHeight) = PlotTheme.FittedSize(plot, new AxisLimits(minX, maxX, minY, maxY), width + 260, (int)Math.Round(width / mesh.AspectRatio) + 100);
        return new Figure([(plot, plotWidth, plotHeight, 0, 0)]);
    }

    /// <summary>DeepMind's name of a node type: WALL_BOUNDARY for <see cref="NodeType.WallBoundary"/>.</summary>
    private static string TypeName(int code) => Enum.IsDefined((NodeType)code)
        ? string.Concat(((NodeType)code).ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : $"{char.ToUpperInvariant(c)}"))
        : $"type {code}";
}
