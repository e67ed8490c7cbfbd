using System.Globalization;
using System.Text.Json;
using GnnSim.Cli;

// Commands write to the process's console: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace GnnSim.Cli.Tests;

public class CliTests
{
    private static (int exitCode, string output, string error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try { return (Program.Main(args), output.ToString(), error.ToString()); }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    [Fact]
    public void Quickstart_trains_and_its_loss_falls()
    {
        var (exitCode, output, _) = Run("quickstart", "--steps", "400");
        Assert.Equal(0, exitCode);
        var losses = output.Split('\n')
            .Where(l => l.TrimStart().StartsWith("step", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split("loss")[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .ToList();
        Assert.True(losses.Count >= 2, output);
        Assert.True(losses[^1] < losses[0] / 20, $"loss went from {losses[0]} to {losses[^1]}");
    }

    [Fact]
    public void Bench_torch_prints_one_json_line_of_figures()
    {
        var (exitCode, output, _) = Run("bench", "torch", "--rows", "2000", "--repeats", "2", "--no-python");
        Assert.Equal(0, exitCode);
        var json = output.Split('\n').Last(l => l.StartsWith('{'));
        using var figures = JsonDocument.Parse(json);
        Assert.Equal("torch", figures.RootElement.GetProperty("bench").GetString());
        Assert.True(figures.RootElement.GetProperty("op_overhead_us").GetDouble() > 0);
        Assert.True(figures.RootElement.GetProperty("mlp_step_ms").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, figures.RootElement.GetProperty("python_mlp_step_ms").ValueKind);
    }

    [Fact]
    public void Bench_graph_prints_figures_at_the_sizes_it_promises()
    {
        var (exitCode, output, _) = Run("bench", "graph", "--points", "5000", "--queries", "20000", "--repeats", "1");
        Assert.Equal(0, exitCode);
        using var figures = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{')));
        var root = figures.RootElement;
        Assert.Equal("graph", root.GetProperty("bench").GetString());
        Assert.InRange(root.GetProperty("radius_edges").GetInt32() / 5000.0, 17, 22); // about 20 neighbours each
        Assert.InRange(root.GetProperty("mesh_triangles").GetInt32(), 90_000, 110_000);
        Assert.InRange(root.GetProperty("interp_mesh_nodes").GetInt32(), 90_000, 110_000);
        Assert.True(root.GetProperty("radius_graph_ms").GetDouble() > 0);
    }

    [Fact]
    public void Bad_arguments_get_one_clear_line_and_a_nonzero_exit()
    {
        var (exitCode, _, error) = Run("quickstart", "--steps", "0");
        Assert.Equal(2, exitCode);
        Assert.Equal("gnnsim: --steps must be at least 1", error.Trim());
        Assert.NotEqual(0, Run("no-such-command").exitCode);
    }

    [Fact]
    public void Solve_writes_frames_on_the_solver_grid_and_info_reads_them()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"gnnsim-solve-{Guid.NewGuid():N}");
        try
        {
            var (exitCode, _, error) = Run("solve", "tube", "--set", "vel_in=0.5", "--grid", "40x8", "--t-end", "0.2", "--frame-dt", "0.1", "--out", folder);
            Assert.True(exitCode == 0, error);
            foreach (var field in new[] { "u", "v", "p" })
                Assert.Equal([3, 8, 40], Datasets.Npy.NpyFile.ReadFloating(Path.Combine(folder, field + ".npy"), 3).Shape);
            var values = Datasets.CfdBench.CaseJson.ReadValues(Path.Combine(folder, "case.json"));
            Assert.Equal(0.5, values["vel_in"]);
            Assert.Equal(40, values["nx"]);
            var (infoExit, output, _) = Run("info", folder);
            Assert.Equal(0, infoExit);
            Assert.Contains("tube vel_in=0.5", output);
            Assert.Contains("3 frames of 8 x 40", output);

            var (badExit, _, badError) = Run("solve", "tube", "--set", "speed=1", "--out", folder);
            Assert.Equal(2, badExit);
            Assert.Contains("no parameter 'speed'", badError);
        }
        finally { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Generate_cylinder_mesh_writes_hdf5_that_info_and_convert_errors_describe()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"gnnsim-cylmesh-{Guid.NewGuid():N}");
        try
        {
            var file = Path.Combine(folder, "cylinder.h5");
            var (exitCode, _, error) = Run("generate", "cylinder-mesh", "--trajectories", "2", "--frames", "3", "--spin-up", "0.05",
                "--cells-across", "16", "--out", file);
            Assert.True(exitCode == 0, error);
            var trajectories = Datasets.Meshes.MeshTrajectoryFile.ReadAll(file);
            Assert.Equal(2, trajectories.Count);
            Assert.All(trajectories, t => Assert.Equal(3, t.FrameCount));

            var (infoExit, output, _) = Run("info", file);
            Assert.Equal(0, infoExit);
            Assert.Contains("2 mesh trajectories", output);
            Assert.Contains("reynolds=", output);

            var (convertExit, _, convertError) = Run("convert", "tfrecord", folder, "--out", Path.Combine(folder, "out.h5"));
            Assert.Equal(2, convertExit);
            Assert.Contains(Path.Combine(folder, "meta.json"), convertError);
        }
        finally { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
    }
}
