using System.Globalization;
using System.Text.Json;
using GnnSim.Cli;
using Spectre.Console;

// Commands write to the process's console: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace GnnSim.Cli.Tests;

internal static class CliRunner
{
    public static (int exitCode, string output, string error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        // Spectre keeps the console it first saw: give it this run's writer.
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        try { return (Program.Main(args), output.ToString(), error.ToString()); }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}

/// <summary>A shortened quickstart (the real data, model, evaluation and report; 60 training steps), run once for the tests that need a run.</summary>
public sealed class QuickstartRun : IDisposable
{
    public QuickstartRun()
    {
        (ExitCode, Output, Error) = CliRunner.Run("quickstart", "--out", Root, "--set", "training.steps=60", "--set", "training.log_every=20",
            "--set", "evaluation.rollout_steps=4");
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"gnnsim-quickstart-{Guid.NewGuid():N}");
    public string RunDirectory => Path.Combine(Root, "run");
    public int ExitCode { get; }
    public string Output { get; }
    public string Error { get; }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}

public class CliTests(QuickstartRun quickstart) : IClassFixture<QuickstartRun>
{
    private static (int exitCode, string output, string error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void QuickstartThenTrainResumeRolloutAndEvalThroughTheCommandLine()
    {
        var root = quickstart.Root;
        Assert.True(quickstart.ExitCode == 0, quickstart.Error);
        var run = quickstart.RunDirectory;
        foreach (var file in new[] { "config.yaml", "checkpoint.pt", "metrics.csv", "metrics.jsonl", "eval.json", "eval.csv", "rollout.h5", "report.html" })
            Assert.True(File.Exists(Path.Combine(run, file)), $"quickstart left no {file}");
        Assert.Contains("persistence", quickstart.Output); // the metrics table (Spectre wraps its headers on narrow consoles)
        Assert.Contains(Path.GetFullPath(Path.Combine(run, "report.html")), quickstart.Output.Replace("\n", ""));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length); // header + steps 20, 40, 60

        // train from a config file, stop at 10 steps, resume to 20, then roll out and score.
        var config = Path.Combine(root, "cavity.yaml");
        File.WriteAllText(config, $"""
            model: {"{"} latent: 16, message_passing_steps: 2 {"}"}
            data: {"{"} format: cfdbench, path: {Path.Combine(root, "data")}, problem: cavity, subsets: [bc] {"}"}
            training: {"{"} steps: 10, log_every: 5, checkpoint_every: 5 {"}"}
            """);
        var second = Path.Combine(root, "second");
        Assert.Equal(0, Run("train", config, "--out", second).exitCode);
        var (exitCode, output, error) = Run("train", config, "--out", second); // a finished run is never overwritten by accident
        Assert.Equal(2, exitCode);
        Assert.Contains("already holds a trained run", error);
        (exitCode, output, error) = Run("train", "--out", second, "--resume", "--set", "training.steps=20");
        Assert.True(exitCode == 0, error);
        Assert.Contains("trained to step 20", output);
        Assert.Equal(["step", "5", "10", "15", "20"], File.ReadAllLines(Path.Combine(second, "metrics.csv")).Select(l => l.Split(',')[0]));
        Assert.Contains("steps: 20", File.ReadAllText(Path.Combine(second, "config.yaml")));

        var rollout = Path.Combine(root, "rollout.h5");
        Assert.Equal(0, Run("rollout", second, "--out", rollout, "--steps", "3", "--split", "dev").exitCode);
        Assert.True(File.Exists(rollout));
        (exitCode, output, _) = Run("eval", second, "--steps", "3", "--out", Path.Combine(root, "scores"));
        Assert.Equal(0, exitCode);
        using var scores = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "scores", "eval.json")));
        Assert.Equal("test", scores.RootElement.GetProperty("split").GetString());
        Assert.Equal(2, scores.RootElement.GetProperty("cases").GetInt32());

        (exitCode, output, error) = Run("info", rollout);
        Assert.True(exitCode == 0, error);
        Assert.Contains("GnnSim rollouts of", output);
        Assert.Contains("1024 nodes on a 32 x 32 grid; 3 steps", output);

        (exitCode, output, error) = Run("models");
        Assert.True(exitCode == 0, error);
        Assert.Contains("meshgraphnet", output);
        Assert.Contains("defaults: latent 128, message_passing_steps 15, hidden_layers 2", output);
        Assert.Contains("transformer", output);
        Assert.Contains("um2n", output);
        (exitCode, output, error) = Run("models", "--config", config);
        Assert.True(exitCode == 0, error);
        // latent 16, two blocks, two hidden layers: encoders, blocks and decoder of the 2 + 9 + 5 input columns.
        Assert.Contains("trained parameters", output);
        Assert.Contains("16 node inputs", output);
    }

    [Fact]
    public void BenchTorchPrintsOneJsonLineOfFigures()
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
    public void BenchSoakKeepsTheLiveTensorCountFlatThroughTrainingAndRollout()
    {
        var (exitCode, output, error) = Run("bench", "soak", "--steps", "100", "--sample-every", "10", "--nodes", "16");
        Assert.True(exitCode == 0, error);
        using var figures = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{')));
        foreach (var phase in new[] { "training", "rollout" })
        {
            var figure = figures.RootElement.GetProperty(phase);
            Assert.Equal(10, figure.GetProperty("samples").GetInt32());
            // Not one tensor more at the end than after the warm-up: a step that kept one would show 1,000 per 1,000 steps.
            Assert.Equal(figure.GetProperty("live_tensors_first").GetInt64(), figure.GetProperty("live_tensors_last").GetInt64());
            Assert.Equal(0, figure.GetProperty("tensors_per_1000_steps").GetDouble());
            Assert.True(figure.GetProperty("resident_mb_last").GetDouble() > 0);
        }
    }

    [Fact]
    public void BenchMgnTimesTheFullModelOnASmallMesh()
    {
        var (exitCode, output, _) = Run("bench", "mgn", "--nodes", "100", "--repeats", "1", "--no-python");
        Assert.Equal(0, exitCode);
        using var figures = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{')));
        var root = figures.RootElement;
        Assert.Equal(100, root.GetProperty("nodes").GetInt32());
        Assert.Equal(2 * (2 * 9 * 10 + 81), root.GetProperty("edges").GetInt32()); // 10 x 10 nodes: sides and diagonals, both directions
        Assert.True(root.GetProperty("train_step_ms").GetDouble() > 0);
        Assert.True(root.GetProperty("peak_rss_mb").GetDouble() > 0);

        // Any operator with a twin, at its default size, with MeshGraphNet beside it for scale.
        (exitCode, output, _) = Run("bench", "operator", "--model", "physgto", "--nodes", "100", "--repeats", "1", "--no-python");
        Assert.Equal(0, exitCode);
        using var physgto = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{')));
        Assert.Equal("physgto", physgto.RootElement.GetProperty("model").GetString());
        Assert.True(physgto.RootElement.GetProperty("parameters").GetInt64() > 2_000_000);
        Assert.True(physgto.RootElement.GetProperty("meshgraphnet_train_step_ms").GetDouble() > 0);
        (exitCode, output, _) = Run("bench", "operator", "--model", "physgto", "--nodes", "100", "--repeats", "1", "--no-python", "--rollout-only");
        Assert.Equal(0, exitCode);
        using var rolloutOnly = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{')));
        Assert.Equal(JsonValueKind.Null, rolloutOnly.RootElement.GetProperty("train_step_ms").ValueKind);
        Assert.True(rolloutOnly.RootElement.GetProperty("rollout_step_ms").GetDouble() > 0);
        (exitCode, output, _) = Run("bench", "operator", "--model", "transformer", "--nodes", "100", "--repeats", "1", "--no-python");
        Assert.Equal(0, exitCode);
        using var transformer = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{')));
        // The small model: at most a sixth of MeshGraphNet 15 x 128.
        Assert.InRange(transformer.RootElement.GetProperty("parameters").GetInt64(), 100_000, 2_300_000 / 6);
        var (badExit, _, badError) = Run("bench", "operator", "--model", "nosuch", "--nodes", "100");
        Assert.Equal(2, badExit);
        Assert.Contains("not a registered operator", badError);
        // --set takes the config's model keys: one block, checkpointed, is a smaller model that still trains.
        (exitCode, output, _) = Run("bench", "operator", "--model", "physgto", "--nodes", "100", "--repeats", "1", "--no-python", "--no-scale", "--set", "blocks=1", "--set", "checkpoint_blocks=true");
        Assert.Equal(0, exitCode);
        using var oneBlock = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{')));
        Assert.InRange(oneBlock.RootElement.GetProperty("parameters").GetInt64(), 1, physgto.RootElement.GetProperty("parameters").GetInt64() - 1);
        Assert.True(oneBlock.RootElement.GetProperty("train_step_ms").GetDouble() > 0);
        (badExit, _, badError) = Run("bench", "operator", "--model", "physgto", "--nodes", "100", "--set", "nope=1");
        Assert.Equal(2, badExit);
        Assert.Contains("model.nope: not an option of physgto", badError);
    }

    [Fact]
    public void BenchUm2nTimesTheMoverAgainstMongeAmpereOnTheDeviceAsked()
    {
        var (exitCode, output, error) = Run("bench", "um2n", "--element-sizes", "0.1", "--no-python", "--device", "cpu", "--threads", "1");
        Assert.True(exitCode == 0, error);
        using var figures = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{')));
        var root = figures.RootElement;
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.True(root.GetProperty("ma_s_0.1").GetDouble() > 0 && root.GetProperty("model_s_0.1").GetDouble() > 0);
        var ratio = root.GetProperty("ma_s_0.1").GetDouble() / root.GetProperty("model_s_0.1").GetDouble();
        Assert.InRange(root.GetProperty("speed_ratio_0.1").GetDouble() / ratio, 0.99, 1.01); // the figures are rounded
        // No GPU here (and in CI): asked for one, it says why instead of timing the CPU.
        (exitCode, _, error) = Run("bench", "um2n", "--element-sizes", "0.1", "--no-python", "--device", "cuda");
        if (!GnnSim.Torch.torch.cuda.is_available())
        {
            Assert.NotEqual(0, exitCode);
            Assert.Contains("no GPU is usable here", error);
        }
    }

    [Fact]
    public void BenchGraphPrintsFiguresAtTheSizesItPromises()
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
    public void BadArgumentsGetOneClearLineAndANonzeroExit()
    {
        var (exitCode, _, error) = Run("quickstart", "--out", Path.GetTempPath(), "--set", "training.steps=0");
        Assert.Equal(2, exitCode);
        Assert.Equal("gnnsim: quickstart config: training.steps = 0: must be at least 1", error.Trim());
        (exitCode, _, error) = Run("train", "no-such-config.yaml", "--out", Path.GetTempPath());
        Assert.Equal(2, exitCode);
        Assert.Contains("no-such-config.yaml: config file not found", error);
        Assert.NotEqual(0, Run("no-such-command").exitCode);
    }

    [Fact]
    public void InfoDescribesGmshAndNpzFilesAndNpzConvertsToHdf5()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "GnnSim.sln"))) root = root.Parent;
        var npz = Path.Combine(root!.FullName, "tests", "data", "npz", "swirl.npz");
        var (npzExit, npzOutput, npzError) = Run("info", npz);
        Assert.True(npzExit == 0, npzError);
        Assert.Contains("36 nodes, 50 triangles, 8 frames; fields pressure[1], velocity[2]", npzOutput);
        var converted = Path.Combine(quickstart.Root, "swirl.h5");
        (npzExit, _, npzError) = Run("convert", "npz", npz, "--dt", "0.01", "--out", converted);
        Assert.True(npzExit == 0, npzError);
        var trajectory = Assert.Single(Datasets.Meshes.MeshTrajectoryFile.ReadAll(converted));
        Assert.Equal((36, 8, 0.01), (trajectory.NodeCount, trajectory.FrameCount, trajectory.Dt));
        Assert.Contains("records no time step", Run("convert", "npz", npz, "--out", converted).error);
        // Node types from the geometry: the square's four sides.
        (npzExit, _, npzError) = Run("convert", "npz", npz, "--dt", "0.01", "--boundary", "left=inflow,right=outflow", "--out", converted);
        Assert.True(npzExit == 0, npzError);
        var typed = Assert.Single(Datasets.Meshes.MeshTrajectoryFile.ReadAll(converted)).NodeTypes;
        Assert.Equal((4, 4, 12, 16), (typed.Count(t => t == 4), typed.Count(t => t == 5), typed.Count(t => t == 6), typed.Count(t => t == 0)));

        var (vtuExit, vtuOutput, vtuError) = Run("info", Path.Combine(root.FullName, "tests", "data", "vtu", "swirl_zlib.vtu"));
        Assert.True(vtuExit == 0, vtuError);
        Assert.Contains("36 points, 50 triangles", vtuOutput);
        Assert.Contains("point data velocity[2]", vtuOutput);

        var (xdmfExit, xdmfOutput, xdmfError) = Run("info", Path.Combine(root.FullName, "tests", "data", "xdmf", "swirl_series.xdmf"));
        Assert.True(xdmfExit == 0, xdmfError);
        Assert.Contains("36 nodes, 50 triangles, 8 time steps 0.01 s apart; fields velocity[2]", xdmfOutput);

        var mesh = Path.Combine(root.FullName, "tests", "data", "gmsh", "temp.msh");
        var (exitCode, output, error) = Run("info", mesh, "--node-types", "Boundary 1=inflow,Boundary 3=outflow");
        Assert.True(exitCode == 0, error);
        Assert.Contains("gmsh 4.1 ASCII, 119 nodes, 201 triangles, 35 boundary lines", output);
        Assert.Contains("physical curve 1 \"Boundary 1\": 6 lines", output);
        Assert.Contains("INFLOW 5", output);
        (exitCode, _, error) = Run("info", mesh, "--node-types", "inlet=inflow");
        Assert.Equal(2, exitCode);
        Assert.Contains("names group 'inlet'", error);
    }

    [Fact]
    public void EveryFormatConvertsToHdf5AndExportsBack()
    {
        var data = Path.Combine(RepositoryRoot(), "tests", "data");
        var folder = Path.Combine(quickstart.Root, "formats");
        string Ok(params string[] arguments)
        {
            var (exitCode, output, error) = Run(arguments);
            Assert.True(exitCode == 0, $"{string.Join(' ', arguments)}: {error}");
            return output;
        }
        // gmsh: a mesh alone, typed by its physical groups.
        var mesh = Path.Combine(folder, "temp.h5");
        Assert.Contains("0 frames: meshes alone", Ok("convert", "msh", Path.Combine(data, "gmsh", "temp.msh"), "--node-types", "Boundary 1=inflow", "--out", mesh));
        var alone = Assert.Single(Datasets.Meshes.MeshTrajectoryFile.ReadAll(mesh));
        Assert.Equal((119, 201, 0, 5), (alone.NodeCount, alone.CellCount, alone.FrameCount, alone.NodeTypes.Count(t => t == 4)));
        Ok("export", mesh, "--format", "msh", "--out", folder);
        var again = Datasets.Gmsh.GmshReader.Read(Path.Combine(folder, "temp.msh"));
        Assert.Equal((119, 201), (again.NodeCount, again.TriangleCount));
        Assert.Equal(alone.NodeTypes, Datasets.Gmsh.GmshNodeTypes.Assign(again, "INFLOW=inflow", "temp.msh"));

        // meshio's XDMF series to HDF5, back to XDMF and to a ParaView series, and each of those back to HDF5: the same trajectory.
        var series = Path.Combine(folder, "swirl.h5");
        Ok("convert", "xdmf", Path.Combine(data, "xdmf", "swirl_series.xdmf"), "--out", series);
        var original = Assert.Single(Datasets.Meshes.MeshTrajectoryFile.ReadAll(series));
        var exported = Path.Combine(folder, "exported");
        Ok("export", series, "--format", "xdmf", "--out", exported);
        Ok("export", series, "--format", "vtk", "--out", exported);
        Ok("export", series, "--format", "npz", "--out", exported);
        Assert.True(File.Exists(Path.Combine(exported, "swirl_series.h5")) && File.Exists(Path.Combine(exported, "swirl_series", "step_000007.vtu")));
        Assert.Contains("8 steps 0.01 s apart; fields velocity[2]", Ok("info", Path.Combine(exported, "swirl_series.pvd")));
        foreach (var (kind, file) in new[] { ("xdmf", "swirl_series.xdmf"), ("vtu", "swirl_series.pvd"), ("npz", "swirl_series.npz") })
        {
            var copy = Path.Combine(folder, $"from_{kind}.h5");
            Ok("convert", kind, Path.Combine(exported, file), "--out", copy);
            var back = Assert.Single(Datasets.Meshes.MeshTrajectoryFile.ReadAll(copy));
            Assert.Equal(original.MeshPositions, back.MeshPositions);
            Assert.Equal(original.NodeTypes, back.NodeTypes);
            Assert.Equal(original.Field("velocity").Values, back.Field("velocity").Values);
            Assert.Equal(original.Dt, back.Dt, 9);
        }
        var (refused, _, refusal) = Run("export", series, "--format", "xdmf", "--out", folder + "/");
        Assert.Equal(2, refused);
        Assert.Contains("holds swirl.h5 itself", refusal);
        Assert.Equal(original.Field("velocity").Values, Assert.Single(Datasets.Meshes.MeshTrajectoryFile.ReadAll(series)).Field("velocity").Values);
        var (badExit, _, badError) = Run("convert", "vtu", Path.Combine(folder, "swirl_series.pvd"), "--boundary", "sides=wall", "--out", Path.Combine(folder, "bad.h5"));
        Assert.Equal(2, badExit);
        Assert.Contains("PART=TYPE", badError);
    }

    private static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "GnnSim.sln"))) root = root.Parent;
        return root!.FullName;
    }

    [Fact]
    public void SolveWritesFramesOnTheSolverGridAndInfoReadsThem()
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

            Assert.False(Directory.Exists(folder + ".partial")); // written beside the folder, then renamed into place

            var (badExit, _, badError) = Run("solve", "tube", "--set", "speed=1", "--out", folder);
            Assert.Equal(2, badExit);
            Assert.Contains("no parameter 'speed'", badError);

            // A folder that holds something else is never replaced.
            var other = Path.Combine(folder, "elsewhere");
            Directory.CreateDirectory(other);
            File.WriteAllText(Path.Combine(other, "notes.txt"), "mine");
            (badExit, _, badError) = Run("solve", "tube", "--grid", "40x8", "--t-end", "0.1", "--out", other);
            Assert.Equal(2, badExit);
            Assert.Contains("is not a case folder", badError);
            Assert.Equal("mine", File.ReadAllText(Path.Combine(other, "notes.txt")));
        }
        finally { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void GenerateCylinderMeshWritesHdf5ThatInfoAndConvertErrorsDescribe()
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
