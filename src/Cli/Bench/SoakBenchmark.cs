using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GnnSim.Meshing;
using GnnSim.Torch;
using GnnSim.Training;
using GnnSim.Training.Data;
using GnnSim.Training.Evaluation;
using GnnSim.Training.Experiments;
using GnnSim.Training.Objectives;
using Spectre.Console;

namespace GnnSim.Cli.Bench;

/// <summary>One sample of a soak: after this many steps, the process's resident memory, the managed heap's share of it and libtorch's live tensors.</summary>
internal sealed record SoakSample(string Phase, int Step, double ResidentMegabytes, double ManagedMegabytes, long LiveTensors, double Seconds);

/// <summary>
/// `gnnsim bench soak --steps 10000`: MeshGraphNet 15 x 128 trained through the real trainer (its log
/// and checkpoints written as a run writes them) on a triangulated square, then rolled out as many
/// steps, the resident memory and libtorch's live tensor count sampled every <c>sampleEvery</c> steps.
/// Both must stay flat after the warm-up: the slope of a least-squares line through the samples after
/// the first fifth, per 1,000 steps, is the figure (a leak of one tensor a step is +1,000 tensors per 1,000 steps).
/// </summary>
internal sealed class SoakBenchmark(int steps, int nodes, int sampleEvery, string? csv)
{
    public int Run()
    {
        if (steps < 10 * sampleEvery || sampleEvery < 1 || nodes < 16)
            throw new ArgumentException("--steps must be at least 10 samples (--sample-every) long, --sample-every at least 1, --nodes at least 16");
        torch.ConfigureForTraining();
        var side = (int)Math.Round(Math.Sqrt(nodes));
        var mesh = StructuredMesh.Rectangle(0, 0, 1, 1, side - 1, side - 1, CellShape.Triangles);
        var random = new Random(0);
        const int frames = 11;
        var states = Enumerable.Range(0, frames * mesh.NodeCount * 2).Select(_ => (float)random.NextDouble()).ToArray();
        var types = Enumerable.Range(0, mesh.NodeCount).Select(n => (int)(n % 17 == 0 ? GnnSim.Graph.NodeType.WallBoundary : GnnSim.Graph.NodeType.Normal)).ToArray(); // walls are reset in rollouts
        var trajectory = new SimulationTrajectory("soak", mesh.EdgeGraph(), mesh.Positions.Select(p => (float)p).ToArray(), types, ["u", "v"], states, [], 0.01);
        var config = ExperimentConfig.Parse($$"""
            model: { name: meshgraphnet, latent: 128, message_passing_steps: 15, hidden_layers: 2 }
            data: { format: mesh, path: synthetic }
            optimizer: { name: adam, learning_rate: 1.0e-4, schedule: exponential, decay_steps: {{steps}} }
            training: { steps: {{steps}}, batch_size: 1, noise_std: 0.02, normalizer_warmup_steps: 10, log_every: 100, checkpoint_every: 1000 }
            """, "bench soak");
        var runDirectory = Directory.CreateTempSubdirectory("gnnsim-bench-soak-").FullName;
        var samples = new List<SoakSample>();
        var clock = Stopwatch.StartNew();
        void Sample(string phase, int step)
        {
            using var self = Process.GetCurrentProcess();
            samples.Add(new SoakSample(phase, step, self.WorkingSet64 / 1e6, GC.GetTotalMemory(forceFullCollection: false) / 1e6, torch.live_tensor_count(), clock.Elapsed.TotalSeconds));
        }
        try
        {
            using var simulator = Experiment.CreateSimulator(config, trajectory);
            using var data = simulator.ObjectiveAs<NextStateObjective>().Prepare([trajectory], Device.CPU, simulator.Model.DerivedEdgeSets);
            AnsiConsole.MarkupLine($"[grey]MeshGraphNet 15 x 128 ({simulator.Model.parameter_count():N0} parameters) on {mesh.NodeCount:N0} nodes: {steps:N0} training steps, then {steps:N0} rollout steps, sampled every {sampleEvery}; {torch.get_num_threads()} threads[/]");
            using (var trainer = new Trainer(config, simulator, data, runDirectory, resume: false))
                AnsiConsole.Progress().Start(ctx =>
                {
                    var task = ctx.AddTask("training", maxValue: steps);
                    trainer.Run(p =>
                    {
                        task.Value = p.Step;
                        if (p.Step % sampleEvery == 0) Sample("training", p.Step);
                    });
                });
            var rolled = 0;
            AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask("rollout", maxValue: steps);
                while (rolled < steps)
                {
                    // Each rollout runs the trajectory's frames - 1 steps; a sample falls due at the rollout that crosses its step.
                    var result = Rollout.Run(simulator, trajectory);
                    var before = rolled;
                    rolled += result.Steps;
                    task.Value = rolled;
                    if (rolled / sampleEvery > before / sampleEvery) Sample("rollout", rolled);
                }
            });
        }
        finally
        {
            Directory.Delete(runDirectory, recursive: true);
        }

        var table = new Table().AddColumns("phase", "samples", "resident MB (first, last)", "MB per 1,000 steps", "managed MB per 1,000 steps", "live tensors (first, last)", "tensors per 1,000 steps");
        var figures = new Dictionary<string, object>();
        foreach (var phase in new[] { "training", "rollout" })
        {
            var all = samples.Where(s => s.Phase == phase).ToList();
            var settled = all.Skip(all.Count / 5).ToList(); // after the warm-up: allocator pools and caches fill first
            var memorySlope = 1000 * Slope(settled.Select(s => (double)s.Step).ToList(), settled.Select(s => s.ResidentMegabytes).ToList());
            var managedSlope = 1000 * Slope(settled.Select(s => (double)s.Step).ToList(), settled.Select(s => s.ManagedMegabytes).ToList());
            var tensorSlope = 1000 * Slope(settled.Select(s => (double)s.Step).ToList(), settled.Select(s => (double)s.LiveTensors).ToList());
            table.AddRow(phase, all.Count.ToString(CultureInfo.InvariantCulture), $"{F(settled[0].ResidentMegabytes, 0)}, {F(settled[^1].ResidentMegabytes, 0)}", F(memorySlope, 2), F(managedSlope, 2),
                $"{settled[0].LiveTensors}, {settled[^1].LiveTensors}", F(tensorSlope, 2));
            figures[phase] = new Dictionary<string, object>
            {
                ["samples"] = all.Count, ["resident_mb_first"] = Math.Round(settled[0].ResidentMegabytes, 1), ["resident_mb_last"] = Math.Round(settled[^1].ResidentMegabytes, 1),
                ["resident_mb_max"] = Math.Round(settled.Max(s => s.ResidentMegabytes), 1), ["mb_per_1000_steps"] = Math.Round(memorySlope, 3),
                ["managed_mb_per_1000_steps"] = Math.Round(managedSlope, 3),
                ["live_tensors_first"] = settled[0].LiveTensors, ["live_tensors_last"] = settled[^1].LiveTensors, ["tensors_per_1000_steps"] = Math.Round(tensorSlope, 3),
                ["seconds"] = Math.Round(all[^1].Seconds - (phase == "training" ? 0 : samples.Where(s => s.Phase == "training").Last().Seconds), 1),
            };
        }
        AnsiConsole.Write(table);
        if (csv is not null)
        {
            File.WriteAllLines(csv, samples.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Phase},{s.Step},{s.ResidentMegabytes:F2},{s.ManagedMegabytes:F2},{s.LiveTensors},{s.Seconds:F2}"))
                .Prepend("phase,step,resident_mb,managed_mb,live_tensors,seconds"));
            AnsiConsole.MarkupLineInterpolated($"every sample in [green]{csv}[/]");
        }
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["bench"] = "soak", ["model"] = "meshgraphnet", ["nodes"] = mesh.NodeCount, ["steps"] = steps, ["sample_every"] = sampleEvery,
            ["threads"] = torch.get_num_threads(), ["training"] = figures["training"], ["rollout"] = figures["rollout"],
        }));
        return 0;
    }

    /// <summary>The least-squares slope of y against x.</summary>
    public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (var i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx > 0 ? sxy / sxx : 0;
    }

    private static string F(double value, int digits) => value.ToString("F" + digits, CultureInfo.InvariantCulture);
}
