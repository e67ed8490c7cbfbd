using System.CommandLine;
using System.Globalization;
using GnnSim.Training.Data;
using GnnSim.Training.Evaluation;
using GnnSim.Training;
using GnnSim.Training.Experiments;
using GnnSim.Training.Objectives;
using GnnSim.Torch;
using GnnSim.Torch.Distributed;
using Spectre.Console;

namespace GnnSim.Cli.Commands;

/// <summary><c>gnnsim train</c>, <c>gnnsim rollout</c> and <c>gnnsim eval</c>.</summary>
internal static class TrainingCommands
{
    public static Command Train()
    {
        var config = new Argument<string?>("CONFIG") { Description = "experiment YAML (optional with --resume: the run's saved config is used)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--out") { Description = "run directory (checkpoint, config, metrics)", Required = true };
        var set = new Option<string[]>("--set") { Description = "override a config key: --set training.steps=2000 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var resume = new Option<bool>("--resume") { Description = "continue from the run directory's checkpoint" };
        var threads = CommonOptions.Threads();
        var nproc = new Option<int>("--nproc") { Description = "data-parallel worker processes on this machine (like torchrun --nproc-per-node); training.batch_size is each one's share", DefaultValueFactory = _ => 1 };
        var nnodes = new Option<int>("--nnodes") { Description = "machines in a multi-machine run (each runs this command with its --node-rank)", DefaultValueFactory = _ => 1 };
        var nodeRank = new Option<int>("--node-rank") { Description = "this machine's place in a multi-machine run, 0 to nnodes - 1 (node 0 hosts the store)", DefaultValueFactory = _ => 0 };
        var masterAddress = new Option<string?>("--master-addr") { Description = "node 0's address (default: 127.0.0.1, a single machine)" };
        var deviceOption = CommonOptions.Device();
        var masterPort = new Option<int?>("--master-port") { Description = $"node 0's store port (default: a free port on one machine, {TorchrunEnvironment.DefaultPort} across machines)" };
        var command = new Command("train", "Train an operator autoregressively on a dataset, as the config says.")
        {
            config, output, set, resume, threads, deviceOption, nproc, nnodes, nodeRank, masterAddress, masterPort,
        };
        command.SetAction((result, cancel) =>
        {
            using var listening = Interrupts.Listen(); // an interrupted training checkpoints before it stops
            var (processes, nodes) = (result.GetValue(nproc), result.GetValue(nnodes));
            if (processes < 1 || nodes < 1) throw new ArgumentException("--nproc and --nnodes must be at least 1");
            if (result.GetValue(nodeRank) is var node && (node < 0 || node >= nodes)) throw new ArgumentException($"--node-rank {node} is not within --nnodes {nodes}");
            if (processes * nodes > 1 && TorchrunEnvironment.FromEnvironment() is null)
            {
                var address = result.GetValue(masterAddress) ?? (nodes == 1 ? "127.0.0.1" : throw new ArgumentException("a multi-machine run needs --master-addr (node 0's address)"));
                var port = result.GetValue(masterPort) ?? (nodes == 1 ? TorchrunEnvironment.FreeLoopbackPort() : TorchrunEnvironment.DefaultPort);
                // Each worker gets its share of the cores unless --threads says otherwise.
                var share = Math.Max(1, Environment.ProcessorCount / processes);
                var arguments = WorkerLauncher.WorkerArguments(result.Tokens.Select(t => t.Value), share);
                return Task.FromResult(WorkerLauncher.Run(new LaunchPlan(processes, nodes, node, address, port), arguments, cancel));
            }
            CommonOptions.ConfigureRuntime(result.GetValue(threads));
            var runDirectory = result.GetValue(output)!;
            var overrides = result.GetValue(set) ?? [];
            var savedConfig = Path.Combine(runDirectory, Experiment.ConfigFileName);
            var resuming = result.GetValue(resume);
            ExperimentConfig experiment;
            if (resuming && File.Exists(savedConfig)) experiment = ExperimentConfig.Load(savedConfig, overrides);
            else if (result.GetValue(config) is { } path) experiment = ExperimentConfig.Load(path, overrides);
            else throw new ArgumentException(resuming ? $"{runDirectory} has no {Experiment.ConfigFileName} to resume from; give CONFIG" : "give a CONFIG file");
            if (result.GetValue(deviceOption) is { } chosen) experiment.Training.Device = chosen;
            return Task.FromResult(TrainRun(experiment, runDirectory, resuming, cancel));
        });
        return command;
    }

    /// <summary>Loads the training split, trains with a progress display, and returns the exit code.</summary>
    public static int TrainRun(ExperimentConfig experiment, string runDirectory, bool resume, CancellationToken cancel)
    {
        // A worker of a multi-process run (started by --nproc or by torchrun) joins its group first.
        var worker = TorchrunEnvironment.FromEnvironment();
        // One GPU per process: a worker takes the GPU of its local rank.
        var device = Device.Parse(experiment.Training.Device);
        if (worker is { WorldSize: > 1 } && device.Type == DeviceType.CUDA) device = new Device(DeviceType.CUDA, worker.LocalRank);
        torch.cuda.require(device);
        using var group = worker is { WorldSize: > 1 }
            ? ProcessGroup.Join(worker, device.Type == DeviceType.CUDA ? "nccl" : "gloo", TimeSpan.FromSeconds(experiment.Training.DistributedTimeoutSeconds))
            : null;
        var leader = group is null || group.Rank == 0;
        using var runLock = leader ? RunDirectoryLock.Acquire(runDirectory) : null; // rank 0 writes for the run
        LearnedSimulator simulator;
        ITrainingSet data;
        string what;
        if (experiment.Training.Objective == MeshMovementObjective.ObjectiveName)
        {
            var meshes = Experiment.LoadMovementSamples(experiment, Experiment.ParseSplit("train"));
            simulator = Experiment.CreateMover(experiment, device);
            data = simulator.ObjectiveAs<MeshMovementObjective>().Prepare(meshes, device);
            what = $"{meshes.Count} training meshes, ~{meshes.Sum(m => m.Mesh.NodeCount) / meshes.Count:N0} nodes each";
        }
        else if (experiment.IsParticleFormat)
        {
            var training = Experiment.LoadParticleTrajectories(experiment, Experiment.ParseSplit("train"));
            // The radius the data records becomes the run's own, so its saved config rebuilds the same graphs.
            experiment.Data.ConnectivityRadius = Experiment.ConnectivityRadius(experiment, training);
            simulator = Experiment.CreateParticleSimulator(experiment, training[0].Dimension, device);
            var objective = simulator.ObjectiveAs<ParticleDynamicsObjective>();
            objective.FitStatistics(training);
            data = objective.Prepare(training, device);
            what = $"{training.Count} training trajectories, ~{training.Sum(t => t.ParticleCount) / training.Count:N0} particles each, radius {experiment.Data.ConnectivityRadius:G4}";
        }
        else
        {
            var training = Experiment.LoadTrajectories(experiment, Experiment.ParseSplit("train"));
            simulator = Experiment.CreateSimulator(experiment, training[0], device);
            data = simulator.ObjectiveAs<NextStateObjective>().Prepare(training, device, simulator.Model.DerivedEdgeSets);
            what = $"{training.Count} training trajectories, ~{training.Sum(t => t.NodeCount) / training.Count:N0} nodes each";
        }
        using var ownedSimulator = simulator;
        using var ownedData = data;
        using var trainer = new Trainer(experiment, simulator, data, runDirectory, resume, group);
        if (!leader)
        {
            trainer.Run(cancel: cancel); // rank 0 reports and writes for the run
            return cancel.IsCancellationRequested ? 130 : 0;
        }
        var ranks = group is null ? "" : $"; {group.WorldSize} processes ({group.Backend}), global batch {experiment.Training.BatchSize * group.WorldSize}";
        AnsiConsole.MarkupLineInterpolated($"[grey]{experiment.Model.Name}: {simulator.parameter_count():N0} parameters; {what}; steps {trainer.Step} -> {experiment.Training.Steps}; threads {torch.get_num_threads()} intra-op + {torch.get_blas_threads()} OpenBLAS{ranks}[/]");
        var losses = RunWithProgress(trainer, experiment.Training, cancel);
        if (cancel.IsCancellationRequested)
        {
            AnsiConsole.MarkupLineInterpolated($"interrupted at step {trainer.Step}; checkpoint saved, continue with --resume");
            return 130;
        }
        if (losses.Count > 0)
            AnsiConsole.MarkupLineInterpolated($"trained to step {trainer.Step}: loss {Head(losses):E3} -> {Tail(losses):E3}; run in [green]{runDirectory}[/]");
        else if (trainer.Step < experiment.Training.Steps)
            AnsiConsole.MarkupLineInterpolated($"at step {trainer.Step} the training.max_minutes budget ({experiment.Training.MaxMinutes} min) is spent; raise it to go on");
        else
            AnsiConsole.MarkupLineInterpolated($"already at step {trainer.Step} of {experiment.Training.Steps}; raise training.steps to go on");
        return 0;
    }

    // The first and last 5% of the steps, averaged: single-step losses are noisy.
    private static double Head(List<double> losses) => losses.Take(Math.Max(1, losses.Count / 20)).Average();
    private static double Tail(List<double> losses) => losses.TakeLast(Math.Max(1, losses.Count / 20)).Average();

    private static List<double> RunWithProgress(Trainer trainer, ExperimentConfig.TrainingSection t, CancellationToken cancel)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            // Logs and CI get a line per log interval (its mean loss) instead of a redrawn bar.
            double sum = 0;
            var count = 0;
            return trainer.Run(p =>
            {
                sum += p.Loss;
                count++;
                if (p.Step % t.LogEvery != 0 && p.Step != p.TotalSteps) return;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  step {p.Step,7}/{p.TotalSteps}  loss {sum / count:E3}  lr {p.LearningRate:E2}  {p.StepsPerSecond:F1} steps/s  eta {Eta(p)}{(p.SkippedSteps > 0 ? $"  ({p.SkippedSteps} non-finite steps skipped)" : "")}"));
                (sum, count) = (0, 0);
            }, cancel);
        }
        List<double> losses = [];
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: t.Steps);
                task.Value = trainer.Step;
                losses = trainer.Run(p =>
                {
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"loss {p.Loss:E2}  {p.StepsPerSecond:F1} it/s{(p.SkippedSteps > 0 ? $"  {p.SkippedSteps} skipped" : "")}");
                }, cancel);
            });
        return losses;
    }

    private static string Eta(TrainingProgress p)
    {
        // Hours past 24 stay hours (hh would drop the days of a long run).
        var left = TimeSpan.FromSeconds(Math.Min((p.TotalSteps - p.Step) / Math.Max(1e-9, p.StepsPerSecond), 360_000_000));
        return string.Create(CultureInfo.InvariantCulture, $"{(long)left.TotalHours:00}:{left.Minutes:00}:{left.Seconds:00}");
    }

    public static Command RolloutCommand()
    {
        var rollout = new RolloutOptions();
        var output = new Option<string>("--out") { Description = "rollout file (HDF5)", Required = true };
        var command = new Command("rollout", "Roll a trained model out on a split's trajectories and write truth and prediction to HDF5.") { output };
        rollout.AddTo(command);
        command.SetAction(result =>
        {
            var rollouts = rollout.Run(result, out _);
            RolloutFile.Write(result.GetValue(output)!, rollouts);
            AnsiConsole.MarkupLineInterpolated($"{rollouts.Count} rollouts of {rollouts[0].Steps} steps written to [green]{result.GetValue(output)}[/]");
            return 0;
        });
        return command;
    }

    public static Command Eval()
    {
        var rollout = new RolloutOptions();
        var output = new Option<string?>("--out") { Description = "where eval.json and eval.csv go (default: RUN_DIR)" };
        var command = new Command("eval", "Score a trained model's rollouts (MSE, RMSE, MAE, NMSE per horizon) against the persistence baseline.") { output };
        rollout.AddTo(command);
        command.SetAction(result =>
        {
            var run = result.GetValue(rollout.RunDirectory)!;
            if (Experiment.ReadRunConfig(run).Training.Objective == MeshMovementObjective.ObjectiveName)
            {
                rollout.ConfigureRuntime(result);
                return EvaluateMover(run, result.GetValue(output) ?? run, rollout.Split(result), rollout.Data(result), rollout.HeldOut(result), rollout.MaxCases(result), rollout.Device(result));
            }
            var rollouts = rollout.Run(result, out var splitName);
            var metrics = rollouts.Select(RolloutMetrics.ForCase).ToList();
            var directory = result.GetValue(output) ?? result.GetValue(rollout.RunDirectory)!;
            EvaluationReport.Write(directory, metrics, splitName, EvaluationReport.MedianStepSeconds(rollouts));
            PrintMetrics(metrics, splitName);
            if (Experiment.ReadRunConfig(run).IsParticleFormat) ScoreParticleClouds(rollouts, directory);
            AnsiConsole.MarkupLineInterpolated($"metrics in [green]{Path.Combine(directory, EvaluationReport.JsonFileName)}[/] and {EvaluationReport.CsvFileName}");
            return 0;
        });
        return command;
    }

    /// <summary>What `rollout` and `eval` share: the run, the data and split, the rollout's length and start, threads.</summary>
    private sealed class RolloutOptions
    {
        public readonly Argument<string> RunDirectory = new("RUN_DIR") { Description = "a training run directory" };
        private readonly Option<string?> data = new("--data") { Description = "data path (default: the run config's data.path)" };
        private readonly Option<string?> split = new("--split") { Description = "train, dev or test (default: the config's evaluation.split)" };
        private readonly Option<string?> heldOut = new("--held-out") { Description = "score every trajectory of this file, as data.eval_path does (instead of --data and --split)" };
        private readonly Option<int?> steps = new("--steps") { Description = "rollout steps (default: the config's; 0 = to the end)" };
        private readonly Option<int?> start = new("--start") { Description = "start frame (default: the config's)" };
        private readonly Option<int?> maxCases = new("--max-cases") { Description = "at most this many trajectories" };
        private readonly Option<int?> threads = CommonOptions.Threads();
        private readonly Option<string?> device = CommonOptions.Device();

        public void AddTo(Command command)
        {
            command.Arguments.Add(RunDirectory);
            foreach (var option in new Option[] { data, split, heldOut, steps, start, maxCases, threads, device }) command.Options.Add(option);
        }

        public string? Device(ParseResult result) => result.GetValue(device);

        public void ConfigureRuntime(ParseResult result) => CommonOptions.ConfigureRuntime(result.GetValue(threads));

        public string? Split(ParseResult result) => result.GetValue(split);
        public string? Data(ParseResult result) => result.GetValue(data);
        public string? HeldOut(ParseResult result) => result.GetValue(heldOut);
        public int? MaxCases(ParseResult result) => result.GetValue(maxCases);

        public List<RolloutResult> Run(ParseResult result, out string splitName)
        {
            CommonOptions.ConfigureRuntime(result.GetValue(threads));
            return RunRollouts(result.GetValue(RunDirectory)!, result.GetValue(data), result.GetValue(split), result.GetValue(steps),
                result.GetValue(start), result.GetValue(maxCases), result.GetValue(device), out splitName, result.GetValue(heldOut));
        }
    }

    /// <summary>Rolls the run's model out on the chosen split, as the run's config and the options say.</summary>
    public static List<RolloutResult> RunRollouts(string runDirectory, string? data, string? split, int? steps, int? start, int? maxCases, string? deviceName, out string splitName, string? heldOut = null)
    {
        var config = Experiment.ReadRunConfig(runDirectory);
        var device = CommonOptions.ResolveDevice(deviceName, config.Training.Device);
        splitName = UseHeldOut(config, heldOut, data, split) ?? split ?? config.Evaluation.Split;
        var rolloutSteps = steps ?? config.Evaluation.RolloutSteps;
        var startFrame = start ?? config.Evaluation.StartFrame;
        if (config.IsParticleFormat)
        {
            var particles = Experiment.LoadParticleTrajectories(config, Experiment.ParseSplit(splitName), maxCases ?? config.Evaluation.MaxCases, data);
            using var particleSimulator = Experiment.LoadTrainedParticleSimulator(runDirectory, config, particles[0].Dimension, device);
            return particles.Select(t => ParticleRollout.Run(particleSimulator, t, startFrame, rolloutSteps, device, (int)config.Training.Seed)).ToList();
        }
        var trajectories = Experiment.LoadTrajectories(config, Experiment.ParseSplit(splitName), maxCases ?? config.Evaluation.MaxCases, data);
        using var simulator = Experiment.LoadTrainedSimulator(runDirectory, config, trajectories[0], device);
        return trajectories.Select(t => Rollout.Run(simulator, t, startFrame, rolloutSteps, device)).ToList();
    }

    /// <summary>
    /// --held-out FILE: the run's config reads FILE as its data.eval_path, whose test split is all of it;
    /// returns that split's name, or null without the option. An 80/10/10 split of a held-out file
    /// (--data FILE) would score a tenth of it.
    /// </summary>
    static string? UseHeldOut(ExperimentConfig config, string? heldOut, string? data, string? split)
    {
        if (heldOut is null) return null;
        if (data is not null || split is not null) throw new ArgumentException("--held-out scores all of its file: give it without --data and --split");
        if (config.Data.Format == "cfdbench") throw new ArgumentException($"--held-out {heldOut}: the run trains on CFDBench data, which keeps CFDBench's own split (use --split)");
        if (!File.Exists(heldOut) && !Directory.Exists(heldOut)) throw new FileNotFoundException($"{heldOut}: no such file", heldOut);
        config.Data.EvalPath = heldOut;
        return "test";
    }

    /// <summary>A mesh mover's eval: each mesh of the split moved by the model and scored (tangles, ER beside Monge-Ampere's, quality, speed).</summary>
    static int EvaluateMover(string runDirectory, string directory, string? split, string? data, string? heldOut, int? maxCases, string? deviceName)
    {
        var config = Experiment.ReadRunConfig(runDirectory);
        if (data is not null) config.Data.Path = data;
        var device = CommonOptions.ResolveDevice(deviceName, config.Training.Device);
        var splitName = UseHeldOut(config, heldOut, data, split) ?? split ?? config.Evaluation.Split;
        var samples = Experiment.LoadMovementSamples(config, Experiment.ParseSplit(splitName), maxCases ?? config.Evaluation.MaxCases);
        using var simulator = Experiment.LoadTrainedMover(runDirectory, config, device);
        var objective = simulator.ObjectiveAs<MeshMovementObjective>();
        var scores = new List<MoverScore>();
        AnsiConsole.Status().Start($"moving {samples.Count} {splitName} meshes", ctx =>
        {
            foreach (var sample in samples)
            {
                ctx.Status($"moving {sample.Name} ({scores.Count + 1} of {samples.Count})");
                scores.Add(MoverEvaluation.Score(simulator.Model, objective, sample, device));
            }
        });
        MoverEvaluation.Write(directory, scores, splitName);
        var mean = MoverEvaluation.Mean(scores);
        string Percent(double? v) => v is null ? "-" : v.Value.ToString("P1", CultureInfo.InvariantCulture);
        var table = new Table().Title($"{config.Model.Name} on {samples.Count} {splitName} meshes")
            .AddColumns("", "tangled cells", "meshes tangled", "ER model", "ER Monge-Ampere", "min angle before", "min angle after", "model ms", "speed ratio");
        table.AddRow("mean", mean.TangledCells.ToString(CultureInfo.InvariantCulture), scores.Count(s => s.TangledCells > 0).ToString(CultureInfo.InvariantCulture),
            Percent(mean.ErrorReduction), Percent(mean.MongeAmpereErrorReduction), mean.MinAngleOriginal.ToString("F1", CultureInfo.InvariantCulture),
            mean.MinAngleMoved.ToString("F1", CultureInfo.InvariantCulture), (1000 * mean.ModelSeconds).ToString("F1", CultureInfo.InvariantCulture),
            mean.SpeedRatio is { } ratio ? ratio.ToString("F1", CultureInfo.InvariantCulture) : "-");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"scores in [green]{Path.Combine(directory, MoverEvaluation.JsonFileName)}[/] and {MoverEvaluation.CsvFileName}");
        return 0;
    }

    /// <summary>Particle runs: the Chamfer distance of predicted and true clouds per horizon (chamfer.csv), the mean over cases printed.</summary>
    static void ScoreParticleClouds(List<RolloutResult> rollouts, string directory)
    {
        var scores = rollouts.Select(r => (r.Trajectory.Name, ParticleScores.ChamferByHorizon(r))).ToList();
        ParticleScores.Write(directory, scores);
        var table = new Table().Title($"Chamfer distance of the predicted and the true cloud ({(rollouts[0].QueryPoints is null ? "the particles rolled out" : "the whole cloud, reconstructed")}; mean over cases)")
            .AddColumns("step", "Chamfer", "Chamfer persistence", "model / persistence");
        var horizons = scores.Min(s => s.Item2.Count);
        for (var i = 0; i < horizons; i++)
        {
            double model = scores.Average(s => s.Item2[i].Model), persistence = scores.Average(s => s.Item2[i].Persistence);
            table.AddRow(scores[0].Item2[i].Horizon.ToString(CultureInfo.InvariantCulture), Number(model), Number(persistence),
                (model / persistence).ToString("F3", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Chamfer distances in [green]{Path.Combine(directory, ParticleScores.CsvFileName)}[/]");
    }

    /// <summary>The mean over cases, horizon by horizon, model beside persistence.</summary>
    public static void PrintMetrics(IReadOnlyList<CaseMetrics> metrics, string split)
    {
        var (model, persistence) = RolloutMetrics.Mean(metrics);
        var table = new Table().Title($"rollout on {metrics.Count} {split} trajectories (mean over cases)")
            .AddColumns("steps", "RMSE", "MAE", "NMSE", "NMSE persistence", "model / persistence");
        for (var i = 0; i < model.Count; i++)
        {
            var m = model[i];
            var p = persistence[i];
            table.AddRow(m.Horizon.ToString(CultureInfo.InvariantCulture), Number(m.Rmse), Number(m.Mae), Number(m.Nmse), Number(p.Nmse),
                (m.Nmse / p.Nmse).ToString("F3", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
    }

    private static string Number(double value) => value.ToString("E3", CultureInfo.InvariantCulture);
}
