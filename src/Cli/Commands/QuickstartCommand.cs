using System.CommandLine;
using System.Diagnostics;
using GnnSim.Cli.Reports;
using GnnSim.Datasets.CfdBench;
using GnnSim.Training.Evaluation;
using GnnSim.Training;
using GnnSim.Training.Experiments;
using GnnSim.Solvers;
using Spectre.Console;

namespace GnnSim.Cli.Commands;

/// <summary>
/// The first walk through GnnSim: a tiny cavity dataset from our solver (seconds), MeshGraphNet
/// trained on it (about 80 seconds on two cores), rolled out on held-out cases and scored against
/// the persistence baseline, and reported in one HTML page. Everything lands in runs/quickstart/.
/// </summary>
internal static class QuickstartCommand
{
    /// <summary>
    /// A small MeshGraphNet (6 blocks of 64) on the 32 x 32 grid graph: the full 15 x 128 model learns
    /// the same flow but not in two minutes on two cores. Rollouts start at frame 5 (0.5 s), once the
    /// lid has set the fluid moving: from rest, persistence is the zero field, a baseline that says nothing.
    /// </summary>
    public const string Config = """
        model:
          name: meshgraphnet
          latent: 64
          message_passing_steps: 6
          hidden_layers: 2
        data:
          format: cfdbench
          path: data
          problem: cavity
          subsets: [bc]
          neighbours: 4
          split_seed: 0
        optimizer:
          name: adam
          learning_rate: 1.0e-3
          schedule: exponential
          final_learning_rate: 1.0e-5
        training:
          steps: 1500
          batch_size: 2
          noise_std: 0.003
          pushforward_steps: 0
          normalizer_warmup_steps: 20
          seed: 0
          checkpoint_every: 500
          log_every: 100
        evaluation:
          split: test
          start_frame: 5
          rollout_steps: 0
        """;

    /// <summary>Lid speeds of the quickstart cases: a boundary-condition sweep at viscosity 0.01 (Re 100 to 500).</summary>
    public static IReadOnlyList<CfdBenchCase> Cases() => Enumerable.Range(0, 20)
        .Select(i => CfdBenchCase.Defaults(CfdProblem.Cavity).With("viscosity", 0.01).With("vel_top", 1 + 4.0 * i / 19)).ToList();

    public static readonly GenerationSettings Settings = new(EndTime: 2.0, FrameDt: 0.1, OutputNx: 32, OutputNy: 32, SolverGrid: (32, 32));

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "where data and run go", DefaultValueFactory = _ => Path.Combine("runs", "quickstart") };
        var set = new Option<string[]>("--set") { Description = "override a key of the quickstart config: --set training.steps=300" };
        var threads = CommonOptions.Threads();
        var command = new Command("quickstart", "Make a tiny cavity dataset, train MeshGraphNet on it, roll out on held-out cases and score it.") { output, set, threads };
        command.SetAction((result, cancel) =>
        {
            CommonOptions.ConfigureRuntime(result.GetValue(threads));
            using var listening = Interrupts.Listen();
            return Task.FromResult(Run(result.GetValue(output)!, result.GetValue(set) ?? [], cancel));
        });
        return command;
    }

    private static int Run(string root, string[] overrides, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var dataRoot = Path.Combine(root, "data");
        var runDirectory = Path.Combine(root, "run");
        var config = ExperimentConfig.Parse(Config, "quickstart config", [$"data.path={dataRoot}", .. overrides]);
        MakeData(dataRoot, cancel);
        AnsiConsole.MarkupLineInterpolated($"[grey]data: {Cases().Count} cavity cases (lid 1 to 5 m/s, viscosity 0.01), 32 x 32, {Settings.EndTime / Settings.FrameDt + 1:F0} frames, in {dataRoot} ({clock.Elapsed.TotalSeconds:F0} s)[/]");

        if (Directory.Exists(runDirectory)) Directory.Delete(runDirectory, recursive: true);
        var code = TrainingCommands.TrainRun(config, runDirectory, resume: false, cancel);
        if (code != 0) return code;

        var rollouts = TrainingCommands.RunRollouts(runDirectory, null, null, null, null, null, null, out var split);
        var metrics = rollouts.Select(RolloutMetrics.ForCase).ToList();
        EvaluationReport.Write(runDirectory, metrics, split, EvaluationReport.MedianStepSeconds(rollouts));
        RolloutFile.Write(Path.Combine(runDirectory, RunReport.RolloutFileName), rollouts);
        TrainingCommands.PrintMetrics(metrics, split);

        var (model, persistence) = RolloutMetrics.Mean(metrics);
        var all = model[^1].Nmse / persistence[^1].Nmse;
        AnsiConsole.MarkupLineInterpolated($"over all {model[^1].Horizon} steps the model's NMSE is {all:P0} of persistence's ({(all < 1 ? "better" : "NOT better")} than holding the first frame)");
        var report = VizCommands.Write(runDirectory, Path.Combine(runDirectory, RunReport.FileName), new RunReport.Options());
        AnsiConsole.MarkupLineInterpolated($"done in {clock.Elapsed.TotalMinutes:F1} min: config, checkpoint, metrics.csv, eval.json and rollout.h5 in [green]{runDirectory}[/]");
        AnsiConsole.MarkupLineInterpolated($"report: [green]{report}[/] (open it in a browser)");
        return 0;
    }

    /// <summary>Simulates the cases not already on disk (a re-run reuses them).</summary>
    private static void MakeData(string dataRoot, CancellationToken cancel)
    {
        var cases = Cases();
        for (var i = 0; i < cases.Count; i++)
        {
            var directory = CfdBenchGenerator.CaseDirectory(dataRoot, CfdProblem.Cavity, CfdSubset.Bc, i);
            if (!CfdBenchGenerator.IsComplete(directory)) CfdBenchGenerator.WriteCase(directory, cases[i], Settings, i, cancel: cancel);
        }
    }
}
