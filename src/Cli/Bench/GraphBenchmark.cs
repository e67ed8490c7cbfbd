using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GnnSim.Graph;
using GnnSim.Meshing;
using Spectre.Console;

namespace GnnSim.Cli.Bench;

/// <summary>
/// `gnnsim bench graph`: the three jobs that must never show in a training profile. (1) a radius
/// graph over random 2D points with about 20 neighbours each; (2) constrained Delaunay plus
/// refinement of the cylinder channel graded to about 100,000 triangles; (3) interpolation of
/// random points from a mesh of about 100,000 nodes (locator build, location, one field).
/// Each figure is the median of the repeats, after one warm-up run.
/// </summary>
internal sealed class GraphBenchmark(int points, int queries, int repeats)
{
    private const double Neighbors = 20;
    private const double TargetRadiusMs = 100, TargetMeshingMs = 1000, TargetInterpolationMs = 1000;
    // Scales the cylinder_flow edge lengths so the mesh has about 100k triangles / 100k nodes.
    private const double ScaleFor100kTriangles = 0.171, ScaleFor100kNodes = 0.121;

    public int Run()
    {
        if (points < 10 || queries < 1 || repeats < 1) throw new ArgumentException("--points must be at least 10, --queries and --repeats at least 1");
        var random = new Random(0);
        var positions = new double[2 * points];
        for (var i = 0; i < positions.Length; i++) positions[i] = random.NextDouble();
        var radius = Math.Sqrt(Neighbors / (Math.PI * points));
        SparseGraph? graph = null;
        var radiusMs = Median(() => graph = RadiusGraph.Build(positions, 2, radius));

        Mesh2D? mesh = null;
        var meshingMs = Median(() => mesh = Scaled(ScaleFor100kTriangles).Generate());

        var big = Scaled(ScaleFor100kNodes).Generate();
        var query = new double[2 * queries];
        for (var q = 0; q < queries; q++)
        {
            query[2 * q] = random.NextDouble() * 1.6;
            query[2 * q + 1] = random.NextDouble() * 0.41;
        }
        var field = new float[big.NodeCount * 2];
        for (var i = 0; i < field.Length; i++) field[i] = (float)random.NextDouble();
        double locatorMs = 0, locateMs = 0, applyMs = 0;
        var interpolationMs = Median(() =>
        {
            var clock = Stopwatch.StartNew();
            var locator = new PointLocator(big);
            locatorMs = clock.Elapsed.TotalMilliseconds;
            var interpolator = MeshInterpolator.Create(locator, query);
            locateMs = clock.Elapsed.TotalMilliseconds - locatorMs;
            interpolator.Apply(field, 2);
            applyMs = clock.Elapsed.TotalMilliseconds - locatorMs - locateMs;
        });

        var table = new Table().AddColumns("job", "size", "time (ms, median)", "target (ms)");
        table.AddRow("radius graph", $"{points:N0} points, {graph!.EdgeCount / (double)points:F1} neighbours each", Ms(radiusMs), Ms(TargetRadiusMs));
        table.AddRow("Delaunay + refinement", $"{mesh!.CellCount:N0} triangles, {mesh.NodeCount:N0} nodes", Ms(meshingMs), Ms(TargetMeshingMs));
        table.AddRow("interpolation mesh -> points", $"{queries:N0} points from {big.NodeCount:N0} nodes (locator {locatorMs:F0} + locate {locateMs:F0} + apply {applyMs:F0})", Ms(interpolationMs), Ms(TargetInterpolationMs));
        AnsiConsole.Write(table);

        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["bench"] = "graph",
            ["threads"] = Environment.ProcessorCount,
            ["radius_points"] = points,
            ["radius_edges"] = graph.EdgeCount,
            ["radius_graph_ms"] = Math.Round(radiusMs, 2),
            ["mesh_triangles"] = mesh.CellCount,
            ["mesh_nodes"] = mesh.NodeCount,
            ["delaunay_refine_ms"] = Math.Round(meshingMs, 2),
            ["interp_queries"] = queries,
            ["interp_mesh_nodes"] = big.NodeCount,
            ["interp_ms"] = Math.Round(interpolationMs, 2),
        }));
        return 0;
    }

    private static CylinderFlowDomain Scaled(double scale)
    {
        var preset = new CylinderFlowDomain();
        return preset with { NearEdgeLength = preset.NearEdgeLength * scale, FarEdgeLength = preset.FarEdgeLength * scale };
    }

    private double Median(Action job) => 1000 * Timing.MedianSeconds(job, repeats);

    private static string Ms(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
}
