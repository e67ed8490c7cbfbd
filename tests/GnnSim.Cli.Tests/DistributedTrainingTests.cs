using System.Diagnostics;
using System.Text;
using GnnSim.Datasets.CfdBench;
using GnnSim.Torch;

namespace GnnSim.Cli.Tests;

/// <summary>A command line run as its own process (as a user or the launcher runs it), not inside the test process.</summary>
internal static class CliProcess
{
    public static Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, StringBuilder output, StringBuilder error)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (error) error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits up to two minutes, while <paramref name="process"/> runs, for <paramref name="condition"/>; false if it never held.</summary>
    public static bool WaitUntil(Process process, Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed.TotalSeconds < 120 && !process.HasExited) Thread.Sleep(100);
        return condition();
    }

    /// <summary>The exit code, once the process and its output have ended (a minute at most).</summary>
    public static int ExitCode(Process process)
    {
        if (!process.WaitForExit(60_000)) throw new TimeoutException($"pid {process.Id} did not end");
        process.WaitForExit();
        return process.ExitCode;
    }

    public static (int exitCode, string output, string error) Run(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 180)
    {
        var (output, error) = (new StringBuilder(), new StringBuilder());
        using var process = Start(args, environment, output, error);
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gnnsim {string.Join(' ', args)} ran past {timeoutSeconds} s: {output}{error}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.ToString(), error.ToString());
    }
}

/// <summary>
/// Small data of each objective for the data-parallel tests, every sample the same size (one grid, one mesh,
/// one dam), so that a mean over a rank's samples weighs them as a mean over the global batch does.
/// </summary>
public sealed class DistributedData : IDisposable
{
    public DistributedData()
    {
        var settings = new GenerationSettings(EndTime: 0.6, FrameDt: 0.1, OutputNx: 16, OutputNy: 16, SolverGrid: (16, 16));
        for (var i = 0; i < 6; i++)
        {
            var @case = CfdBenchCase.Defaults(CfdProblem.Cavity).With("viscosity", 0.01).With("vel_top", 1 + i);
            CfdBenchGenerator.WriteCase(CfdBenchGenerator.CaseDirectory(Cavity, CfdProblem.Cavity, CfdSubset.Bc, i), @case, settings, i);
        }
        Generate("helmholtz", "--samples", "8", "--element-sizes", "0.1", "--out", Helmholtz);
        Generate("mpm", "--material", "water", "--scene", "dam-break", "--dam-width", "0.2", "--trajectories", "5", "--particles", "300", "--frames", "14", "--out", Water);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("gnnsim-ddp-data-").FullName;
    public string Cavity => Path.Combine(Root, "cavity");
    public string Helmholtz => Path.Combine(Root, "helmholtz.h5");
    public string Water => Path.Combine(Root, "water.h5");

    /// <summary>The data section of a config for <paramref name="kind"/>: cavity, helmholtz or water.</summary>
    public string DataSection(string kind) => kind switch
    {
        "cavity" => $"{{ format: cfdbench, path: {Cavity}, problem: cavity, subsets: [bc] }}",
        "helmholtz" => $"{{ format: mesh, path: {Helmholtz} }}",
        _ => $"{{ format: particles, path: {Water} }}",
    };

    private static void Generate(params string[] args)
    {
        var (exitCode, output, error) = CliRunner.Run(["generate", .. args]);
        if (exitCode != 0) throw new InvalidOperationException($"generate {string.Join(' ', args)}: {output}{error}");
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// gnnsim train --nproc: c10d data parallelism over Gloo on loopback, in real processes. Noise is off in the
/// equivalence tests: each rank draws its own noise, so only noise-free runs can equal one process.
/// </summary>
public sealed class DistributedTrainingTests(DistributedData data) : IClassFixture<DistributedData>, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("gnnsim-ddp-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Config(string model = "{ latent: 16, message_passing_steps: 2 }", string training = "", string dataKind = "cavity")
    {
        var path = Path.Combine(dir, $"config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $$"""
            model: {{model}}
            data: {{data.DataSection(dataKind)}}
            optimizer: { name: adam, learning_rate: 1.0e-3, schedule: constant, gradient_clip: 1.0 }
            training: { steps: 20, batch_size: 2, noise_std: 0, log_every: 5, checkpoint_every: 10, distributed_timeout_seconds: 30 {{training}} }
            """);
        return path;
    }

    private static void Train(params string[] args)
    {
        var (exitCode, output, error) = CliProcess.Run(["train", .. args]);
        Assert.True(exitCode == 0, $"gnnsim train {string.Join(' ', args)} failed: {output}{error}");
    }

    private static Dictionary<string, double[]> Weights(string run)
    {
        using var scope = torch.NewDisposeScope();
        return torch.load(Path.Combine(run, "checkpoint.pt"))
            .Where(p => p.Key.StartsWith("model.", StringComparison.Ordinal) || p.Key.StartsWith("objective.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value.to(ScalarType.Float64).flatten().ToArray<double>());
    }

    private static void AssertSameWeights(string expectedRun, string actualRun, double tolerance)
    {
        var (expected, actual) = (Weights(expectedRun), Weights(actualRun));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected)
            for (var i = 0; i < values.Length; i++)
                Assert.True(Math.Abs(values[i] - actual[name][i]) <= tolerance * (1 + Math.Abs(values[i])),
                    $"{name}[{i}]: one process {values[i]:R}, two {actual[name][i]:R}");
    }

    [Fact]
    public void TwoProcessesWithBatchBEndWithTheWeightsOfOneProcessWithBatch2BAndResumeInOne()
    {
        var config = Config();
        var (one, two) = (Path.Combine(dir, "one"), Path.Combine(dir, "two"));
        Train(config, "--out", one, "--set", "training.batch_size=4", "--threads", "1");
        Train(config, "--out", two, "--nproc", "2");
        // Every weight and every normalizer sum (the global batch's statistics, all-reduced) after 20 steps.
        AssertSameWeights(one, two, 1e-5);
        var normalizers = Weights(two).Where(p => p.Key.Contains("normalizer.count")).ToList();
        Assert.NotEmpty(normalizers);
        Assert.All(normalizers, n => Assert.True(n.Value[0] > 0));

        // The two-process checkpoint resumes in one process, which then draws the same global batches.
        Train("--out", one, "--resume", "--set", "training.steps=30", "--threads", "1");
        Train("--out", two, "--resume", "--set", "training.steps=30", "--set", "training.batch_size=4", "--threads", "1");
        AssertSameWeights(one, two, 1e-5);
        Assert.Equal(7, File.ReadAllLines(Path.Combine(two, "metrics.csv")).Length); // header + 6 log lines, written by rank 0 alone
    }

    [Fact]
    public void TwoNodesOfOneWorkerEachTrainAsTwoLocalWorkers()
    {
        // A multi-machine run on one machine: two launchers, node 0 hosting the store on a fixed port.
        var config = Config();
        var (local, nodes) = (Path.Combine(dir, "local"), Path.Combine(dir, "nodes"));
        Train(config, "--out", local, "--nproc", "2");
        var port = GnnSim.Torch.Distributed.TorchrunEnvironment.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] Node(int rank) => ["train", config, "--out", nodes, "--nproc", "1", "--nnodes", "2", "--node-rank", rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--master-addr", "127.0.0.1", "--master-port", port, "--threads", "1"];
        var (output1, error1) = (new StringBuilder(), new StringBuilder());
        using var second = CliProcess.Start(Node(1), null, output1, error1);
        var (exitCode, output, error) = CliProcess.Run(Node(0));
        Assert.True(exitCode == 0, output + error);
        Assert.True(CliProcess.ExitCode(second) == 0, output1.ToString() + error1);
        Assert.Contains("1 worker of 2 on this node (ranks 1-1", output1.ToString());
        AssertSameWeights(local, nodes, 1e-6);
    }

    /// <summary>
    /// Every registered operator but MeshGraphNet (above), with what makes its steps random turned off: rank 0's
    /// loss at every step (the mean of the ranks') is the one-process loss of the global batch. The losses, not the
    /// weights, are compared: some of these operators have parameters whose gradient is zero but for rounding
    /// (UM2N's attention biases), and Adam turns any such crumb into a full step of the learning rate.
    /// </summary>
    [Theory]
    [InlineData("{ name: physgto, width: 16, blocks: 1, heads: 2, tokens: 8, frequencies: 2, hidden: 16 }", "cavity", ", change_scale: state, unroll_steps: 2, loss: relative_l2")]
    [InlineData("{ name: transformer, width: 16, blocks: 1, heads: 2, rope: true, k_hop: 2, global_tokens: 2 }", "cavity", "")]
    [InlineData("{ name: um2n, embed_width: 16, heads: 2, hidden: 16, deformer_layers: 2, deformer_heads: 2, global_features: 4, local_features: 4 }", "helmholtz", ", objective: mesh_movement")]
    [InlineData("{ name: gns, latent: 16, message_passing_steps: 2, hidden_layers: 1, type_embedding: 4 }", "water", ", objective: particle_dynamics")]
    [InlineData("{ name: giorom, latent: 16, interaction_layers: 1, hidden_layers: 1, type_embedding: 4, grid_side: 4, grid_width: 8, kernel_hidden: 8, transformer_layers: 1, heads: 2, field_hidden: 8 }", "water", ", objective: particle_dynamics")]
    public void EveryOperatorTrainsOnTwoProcessesAsOnOneWithTheGlobalBatch(string model, string dataKind, string training)
    {
        var config = Config(model, training + ", steps: 6, log_every: 1, checkpoint_every: 6", dataKind);
        var (one, two) = (Path.Combine(dir, "one"), Path.Combine(dir, "two"));
        Train(config, "--out", one, "--set", "training.batch_size=4", "--threads", "1");
        Train(config, "--out", two, "--nproc", "2");
        var (expected, actual) = (Losses(one), Losses(two));
        Assert.Equal(6, expected.Length);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Abs(expected[i]), $"step {i + 1}: one process {expected[i]:R}, two {actual[i]:R}");
        Assert.NotEqual(expected[0], expected[^1]); // it trained
    }

    private static double[] Losses(string run) => File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1)
        .Select(line => double.Parse(line.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void TheLauncherNamesAWorkerThatIsKilledAndLeavesAValidCheckpoint()
    {
        var run = Path.Combine(dir, "killed");
        var (output, error) = (new StringBuilder(), new StringBuilder());
        using var launcher = CliProcess.Start(["train", Config(training: ", checkpoint_every: 5"), "--out", run, "--nproc", "2", "--set", "training.steps=100000"], null, output, error);
        Assert.True(CliProcess.WaitUntil(launcher, () => File.Exists(Path.Combine(run, "checkpoint.pt"))), $"no checkpoint: {output}{error}");
        var pids = WorkerPids(output);
        Process.GetProcessById(pids[1]).Kill(); // SIGKILL: rank 1 dies mid-run
        Assert.Equal(1, CliProcess.ExitCode(launcher));
        Assert.Contains($"worker rank 1 (pid {pids[1]}) was killed by signal 9", error.ToString());
        Assert.True(Process.GetProcesses().All(p => p.Id != pids[0] || p.HasExited), "rank 0 outlived the run");
        // The last checkpoint is whole: the run goes on from it in one process.
        Train("--out", run, "--resume", "--set", "training.steps=" + (Checkpoint(run) + 2), "--threads", "1");
    }

    [Fact]
    public void SigtermToTheLauncherStopsEveryWorkerWithACheckpoint()
    {
        var run = Path.Combine(dir, "interrupted");
        var (output, error) = (new StringBuilder(), new StringBuilder());
        using var launcher = StartSteppingLauncher(run, output, error);
        using (var signal = Process.Start("kill", ["-TERM", launcher.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) signal.WaitForExit();
        Assert.Equal(130, CliProcess.ExitCode(launcher));
        Assert.Contains("checkpoint saved, continue with --resume", output.ToString());
        Assert.DoesNotContain("Unhandled exception", error.ToString());
        Assert.True(Checkpoint(run) >= 4);
    }

    [Fact]
    public void ALauncherKilledAloneTakesItsWorkersWithItAndTheyCheckpointTogether()
    {
        var run = Path.Combine(dir, "orphaned");
        var (output, error) = (new StringBuilder(), new StringBuilder());
        using var launcher = StartSteppingLauncher(run, output, error);
        var pids = WorkerPids(output);
        var workers = pids.Select(Process.GetProcessById).ToList();
        launcher.Kill(entireProcessTree: false); // kill -9 of the launcher alone
        launcher.WaitForExit();
        // Both workers notice, agree on the step to stop at, and rank 0 checkpoints it; no orphan trains on.
        foreach (var worker in workers)
            Assert.True(worker.WaitForExit(60_000), $"worker pid {worker.Id} still runs a minute after its launcher was killed");
        Assert.True(Checkpoint(run) >= 4, "no checkpoint of the steps trained");
        Train("--out", run, "--resume", "--set", "training.steps=" + (Checkpoint(run) + 2), "--threads", "1");
    }

    /// <summary>A 2-worker run of many steps that checkpoints only when it stops, once it has logged step 4.</summary>
    private Process StartSteppingLauncher(string run, StringBuilder output, StringBuilder error)
    {
        var launcher = CliProcess.Start(["train", Config(training: ", log_every: 2, checkpoint_every: 100000"), "--out", run, "--nproc", "2", "--set", "training.steps=100000"], null, output, error);
        bool Stepping() { lock (output) return output.ToString().Contains("step       4/"); }
        Assert.True(CliProcess.WaitUntil(launcher, Stepping), $"the run did not start: {output}{error}");
        return launcher;
    }

    // The launcher's first line names its workers: "2 workers of 2 on this node (ranks 0-1; pids 11, 12), meeting at ...".
    private static int[] WorkerPids(StringBuilder output)
    {
        string line;
        lock (output) line = output.ToString().Split('\n').First(l => l.Contains("workers of 2"));
        return line[(line.IndexOf("pids ", StringComparison.Ordinal) + 5)..line.IndexOf(')')].Split(", ").Select(int.Parse).ToArray();
    }

    private static int Checkpoint(string run)
    {
        var json = File.ReadAllText(Path.Combine(run, "checkpoint.json"));
        return System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("step").GetInt32();
    }

    [Fact]
    public void ARankWhosePartnerNeverComesTimesOutNamingIt()
    {
        var environment = new Dictionary<string, string> { ["WORLD_SIZE"] = "2", ["RANK"] = "0", ["MASTER_ADDR"] = "127.0.0.1", ["MASTER_PORT"] = GnnSim.Torch.Distributed.TorchrunEnvironment.FreeLoopbackPort().ToString() };
        var clock = Stopwatch.StartNew();
        var (exitCode, _, error) = CliProcess.Run(["train", Config(training: ", distributed_timeout_seconds: 2"), "--out", Path.Combine(dir, "alone")], environment);
        Assert.Equal(2, exitCode);
        Assert.Contains("rank 1 of 2 did not join the run", error);
        Assert.True(clock.Elapsed.TotalSeconds < 60);
    }
}
