using System.Diagnostics;
using System.Text.Json;
using GnnSim.Datasets.Meshes;
using GnnSim.Meshing;
using GnnSim.Meshing.Movement;
using GnnSim.Operators.MeshMovers;
using GnnSim.Solvers.Helmholtz;
using GnnSim.Torch;
using GnnSim.Training;
using GnnSim.Training.Data;
using GnnSim.Training.Evaluation;
using GnnSim.Training.Experiments;
using GnnSim.Training.Objectives;
using Spectre.Console;

namespace GnnSim.Cli.Bench;

/// <summary>
/// `gnnsim bench um2n`: (1) the learned mover's time against the Monge-Ampere relaxation's on the
/// same unit-square meshes and Helmholtz monitor (about 1,000, 5,000 and 20,000 nodes): MA as the
/// data is made (the monitor re-solved on every iterate), UM2N as it is used (one forward pass,
/// graph building included, median of three after a warm-up); the speed ratio; (2) with a trained
/// run, its scores on its test split (tangles, ER beside MA's). Without a run the timing uses a
/// UM2N of the default size with its initial weights: time does not depend on the weights. Beside
/// them, the PyTorch twin's forward pass (bench/um2n_bench.py, default size) on a structured square
/// of about the same node count, as the side-by-side figure of the binding. On a GPU (<c>--device
/// cuda</c>) UM2N runs there and Monge-Ampere, a CPU code, stays on the CPU: the comparison UM2N's
/// paper makes, and the one its 100x target is about; the twin is then left out.
/// </summary>
internal sealed class Um2nBenchmark(string? runDirectory, double[] elementSizes, int seed, bool python, Device device)
{
    const double TargetSpeedRatio = 100, TargetErShare = 0.8;

    public int Run()
    {
        var figures = new Dictionary<string, object?> { ["bench"] = "um2n", ["threads"] = torch.get_num_threads(), ["device"] = device.ToString() };
        ExperimentConfig? config = runDirectory is null ? null : Experiment.ReadRunConfig(runDirectory);
        using var simulator = config is null ? Untrained(device) : Experiment.LoadTrainedMover(runDirectory!, config, device);
        simulator.eval();
        var objective = simulator.ObjectiveAs<MeshMovementObjective>();
        var problem = GaussianProblem.Random(new Random(seed));
        var table = new Table().AddColumns("nodes", "Monge-Ampere", "iterations", "UM2N", "PyTorch twin", "speed ratio", "tangled (UM2N)", "ER MA", "ER UM2N");
        foreach (var size in elementSizes)
        {
            var mesh = HelmholtzMeshGenerator.UnitSquare(size);
            var monitor = HelmholtzSolver.Monitor(problem);
            var ma = new MongeAmpereMover(mesh).Move(monitor);
            var sample = new MeshMovementSample($"h={size}", mesh, monitor(mesh), null, new Dictionary<string, double>());
            double[]? positions = null;
            var modelSeconds = Timing.MedianSeconds(() => positions = objective.Move(simulator.Model, sample, device), 3);
            var moved = mesh.WithPositions(positions!); // the last timed move's mesh: the same weights and input give the same positions
            var tangled = MeshQuality.CountTangled(mesh, moved);
            var before = HelmholtzSolver.SolutionError(mesh, problem);
            var erMa = (before - HelmholtzSolver.SolutionError(ma.Mesh, problem)) / before;
            double? erModel = tangled == 0 && config is not null ? (before - HelmholtzSolver.SolutionError(moved, problem)) / before : null;
            var ratio = ma.Elapsed.TotalSeconds / modelSeconds;
            // The twin's square: side^2 nodes, about the mesh's count.
            var side = (int)Math.Round(Math.Sqrt(mesh.NodeCount));
            using var twin = python ? PythonSide.Run("um2n_bench.py", PythonSide.IntraThreads, side, 1, 3, "rollout") : null;
            double? twinMs = twin?.RootElement.GetProperty("rollout_step_ms").GetDouble();
            table.AddRow($"{mesh.NodeCount:N0}", $"{ma.Elapsed.TotalSeconds:F2} s", $"{ma.Iterations}{(ma.Converged ? "" : " (not converged)")}", $"{1000 * modelSeconds:F1} ms",
                twinMs is null ? "-" : $"{twinMs:F1} ms ({side * side:N0} nodes)",
                $"{ratio:F1}", config is null ? "- (untrained)" : $"{tangled}", $"{erMa:P1}", erModel is null ? "-" : $"{erModel:P1}");
            figures[$"nodes_{size}"] = mesh.NodeCount;
            figures[$"ma_s_{size}"] = Math.Round(ma.Elapsed.TotalSeconds, 4);
            figures[$"ma_iterations_{size}"] = ma.Iterations;
            figures[$"model_s_{size}"] = Math.Round(modelSeconds, 5);
            figures[$"speed_ratio_{size}"] = Math.Round(ratio, 2);
            if (twinMs is not null) figures[$"pytorch_ms_{size}"] = Math.Round(twinMs.Value, 2);
            figures[$"er_ma_{size}"] = Math.Round(erMa, 4);
            if (config is not null)
            {
                figures[$"tangled_{size}"] = tangled;
                figures[$"er_model_{size}"] = erModel is null ? null : Math.Round(erModel.Value, 4);
            }
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[grey]target: UM2N at least {TargetSpeedRatio}x faster than Monge-Ampere at about 5,000 nodes[/]");

        if (config is not null)
        {
            var samples = Experiment.LoadMovementSamples(config, Experiment.ParseSplit("test"));
            var scores = samples.Select(s => MoverEvaluation.Score(simulator.Model, objective, s, device)).ToList();
            var mean = MoverEvaluation.Mean(scores);
            AnsiConsole.MarkupLineInterpolated(
                $"test split ({scores.Count} meshes): {mean.TangledCells} tangled cells in {scores.Count(s => s.TangledCells > 0)} meshes; mean ER {mean.ErrorReduction:P1} against Monge-Ampere's {mean.MongeAmpereErrorReduction:P1} (target: no tangles and at least {TargetErShare:P0} of MA's)");
            figures["test_meshes"] = scores.Count;
            figures["test_tangled_cells"] = mean.TangledCells;
            figures["test_er_model"] = mean.ErrorReduction is null ? null : Math.Round(mean.ErrorReduction.Value, 4);
            figures["test_er_ma"] = mean.MongeAmpereErrorReduction is null ? null : Math.Round(mean.MongeAmpereErrorReduction.Value, 4);
        }
        Console.WriteLine(JsonSerializer.Serialize(figures));
        return 0;
    }

    static LearnedSimulator Untrained(Device device)
    {
        var objective = new MeshMovementObjective();
        torch.manual_seed(0);
        var simulator = new LearnedSimulator(new Um2n(objective.Widths, new Um2nOptions()), objective);
        simulator.to(device);
        return simulator;
    }
}
