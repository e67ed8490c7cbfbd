using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GnnSim.Cli.Commands;
using GnnSim.Meshing;
using GnnSim.Torch;
using GnnSim.Torch.Distributed;
using GnnSim.Training;
using GnnSim.Training.Data;
using GnnSim.Training.Experiments;
using GnnSim.Training.Objectives;
using Spectre.Console;

namespace GnnSim.Cli.Bench;

/// <summary>
/// `gnnsim bench ddp --nproc 1,2`: MeshGraphNet 15 x 128 trained through the real trainer on a cylinder-sized
/// graph (a triangulated square of about 2,000 nodes), by 1, 2, ... worker processes of one thread each
/// (started as `gnnsim train --nproc` starts them), each rank with the same per-rank batch. Reports the
/// training throughput in samples per second, its speed-up over one process, and the time per step spent
/// in the gradient all-reduces (waiting for the slower rank included).
/// </summary>
internal sealed class DdpBenchmark(int[] processCounts, int nodes, int steps, int batch)
{
    private const int Warmup = 3;

    public int Run()
    {
        if (processCounts.Length == 0 || processCounts.Any(p => p < 1)) throw new ArgumentException("--nproc takes process counts of at least 1, e.g. 1,2");
        if (nodes < 16 || steps < 1 || batch < 1) throw new ArgumentException("--nodes must be at least 16, --steps and --batch at least 1");
        var figures = new List<Dictionary<string, JsonElement>>();
        foreach (var processes in processCounts)
        {
            Dictionary<string, JsonElement>? result = null;
            var plan = new LaunchPlan(processes, 1, 0, "127.0.0.1", TorchrunEnvironment.FreeLoopbackPort());
            string[] arguments = ["bench", "ddp", "--nodes", Invariant(nodes), "--steps", Invariant(steps), "--batch", Invariant(batch)];
            var code = WorkerLauncher.Run(plan, arguments, CancellationToken.None, (rank, line) =>
            {
                if (rank == 0 && line.StartsWith('{')) result = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line);
            });
            if (code != 0 || result is null) throw new IOException($"the {processes}-process run failed (exit code {code})");
            figures.Add(result);
        }
        var single = figures.FirstOrDefault(f => f["processes"].GetInt32() == 1);
        var table = new Table().AddColumns("processes (1 thread each)", "samples/s", "steps/s", "all-reduce ms/step", "speed-up over 1");
        var rows = new List<Dictionary<string, object?>>();
        foreach (var f in figures)
        {
            var speedup = single is null ? (double?)null : f["samples_per_second"].GetDouble() / single["samples_per_second"].GetDouble();
            table.AddRow(f["processes"].ToString(), F(f["samples_per_second"].GetDouble(), 2), F(f["steps_per_second"].GetDouble(), 2),
                F(f["allreduce_ms_per_step"].GetDouble(), 1), speedup is { } s ? F(s, 2) : "");
            rows.Add(new Dictionary<string, object?>
            {
                ["processes"] = f["processes"].GetInt32(),
                ["samples_per_second"] = f["samples_per_second"].GetDouble(),
                ["steps_per_second"] = f["steps_per_second"].GetDouble(),
                ["allreduce_ms_per_step"] = f["allreduce_ms_per_step"].GetDouble(),
                ["speedup"] = speedup is { } v ? Math.Round(v, 3) : null,
            });
        }
        var first = figures[0];
        AnsiConsole.MarkupLine($"[grey]MeshGraphNet 15 x 128 ({first["parameters"].GetInt64():N0} parameters) on {first["nodes"].GetInt32():N0} nodes, batch {batch} per rank, {steps} timed steps after {Warmup}; Gloo on loopback; {Environment.ProcessorCount} cores[/]");
        AnsiConsole.Write(table);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["bench"] = "ddp",
            ["model"] = "meshgraphnet",
            ["parameters"] = first["parameters"].GetInt64(),
            ["nodes"] = first["nodes"].GetInt32(),
            ["batch_per_rank"] = batch,
            ["cores"] = Environment.ProcessorCount,
            ["runs"] = rows,
        }));
        return 0;
    }

    /// <summary>One worker's part (run with the torchrun variables set): train, time, and print a JSON line from rank 0.</summary>
    public int RunWorker(TorchrunEnvironment worker)
    {
        torch.ConfigureForTraining(1);
        var side = (int)Math.Round(Math.Sqrt(nodes));
        var mesh = StructuredMesh.Rectangle(0, 0, 1, 1, side - 1, side - 1, CellShape.Triangles);
        var random = new Random(0);
        const int frames = 8;
        var states = Enumerable.Range(0, frames * mesh.NodeCount * 2).Select(_ => (float)random.NextDouble()).ToArray();
        var trajectory = new SimulationTrajectory("bench", mesh.EdgeGraph(), mesh.Positions.Select(p => (float)p).ToArray(), new int[mesh.NodeCount], ["u", "v"], states, [], 0.01);
        var config = ExperimentConfig.Parse($$"""
            model: { name: meshgraphnet, latent: 128, message_passing_steps: 15, hidden_layers: 2 }
            data: { format: mesh, path: synthetic }
            optimizer: { name: adam, learning_rate: 1.0e-4, schedule: constant }
            training: { steps: {{Warmup}}, batch_size: {{batch}}, noise_std: 0.02, log_every: 1000000, checkpoint_every: 1000000 }
            """, "bench ddp");
        var runDirectory = Directory.CreateTempSubdirectory("gnnsim-bench-ddp-").FullName;
        try
        {
            using var group = worker.WorldSize > 1 ? ProcessGroup.Join(worker, "gloo", TimeSpan.FromMinutes(5)) : null;
            using var simulator = Experiment.CreateSimulator(config, trajectory);
            using var data = simulator.ObjectiveAs<NextStateObjective>().Prepare([trajectory], Device.CPU, simulator.Model.DerivedEdgeSets);
            using var trainer = new Trainer(config, simulator, data, runDirectory, resume: false, group);
            trainer.Run();
            var reduceBefore = trainer.GradientReduceSeconds;
            config.Training.Steps = Warmup + steps;
            var clock = Stopwatch.StartNew();
            trainer.Run();
            var seconds = clock.Elapsed.TotalSeconds;
            if (!trainer.IsLeader) return 0;
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["processes"] = worker.WorldSize,
                ["parameters"] = simulator.Model.parameter_count(),
                ["nodes"] = mesh.NodeCount,
                ["steps_per_second"] = Math.Round(steps / seconds, 3),
                ["samples_per_second"] = Math.Round(steps * batch * worker.WorldSize / seconds, 3),
                ["allreduce_ms_per_step"] = Math.Round((trainer.GradientReduceSeconds - reduceBefore) * 1000 / steps, 2),
            }));
            return 0;
        }
        finally
        {
            if (worker.Rank == 0) Directory.Delete(runDirectory, recursive: true);
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
    private static string F(double value, int digits) => value.ToString("F" + digits, CultureInfo.InvariantCulture);
}
