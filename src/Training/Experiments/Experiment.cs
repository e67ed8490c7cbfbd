using GnnSim.Datasets.CfdBench;
using GnnSim.Torch;
using GnnSim.Training.Data;
using GnnSim.Training.Objectives;

namespace GnnSim.Training.Experiments;

/// <summary>What a config names, made real: its data splits, its objective and its operator.</summary>
public static class Experiment
{
    public const string ConfigFileName = "config.yaml";

    public static DataSplit ParseSplit(string name) => name switch
    {
        "train" => DataSplit.Train,
        "dev" => DataSplit.Dev,
        "test" => DataSplit.Test,
        _ => throw new ArgumentException($"unknown split '{name}' (train, dev or test)"),
    };

    /// <summary>The trajectories of one split, checked to share fields and parameter widths.</summary>
    public static List<SimulationTrajectory> LoadTrajectories(ExperimentConfig config, DataSplit split, int? maxCases = null, string? pathOverride = null)
    {
        var data = config.Data;
        var path = pathOverride ?? data.Path;
        var limit = maxCases ?? data.MaxCases;
        List<SimulationTrajectory> trajectories;
        if (data.Format == "cfdbench")
        {
            var problem = CfdBenchCase.ParseProblem(data.Problem);
            var subsets = data.Subsets.Select(CfdBenchSweeps.ParseSubset).ToList();
            trajectories = TrajectoryLoader.CfdBench(path, problem, subsets, split, data.SplitSeed, data.Parameters, data.Neighbours, limit);
        }
        else if (TrajectoryLoader.FileFormats.ContainsKey(data.Format))
        {
            if (data.Parameters is { Count: > 0 }) throw new InvalidDataException($"{path}: data.parameters: {data.Format} files carry no case parameters");
            trajectories = TrajectoryLoader.TrajectoryFiles(data.Format, path, pathOverride is null ? data.EvalPath : null, split, data.SplitSeed, data.Fields, data.Dt, limit, data.Boundary);
        }
        else
        {
            trajectories = TrajectoryLoader.MeshFile(path, pathOverride is null ? data.EvalPath : null, split, data.SplitSeed, data.Fields, data.Parameters ?? [], limit, data.Boundary);
        }
        var first = trajectories[0];
        foreach (var t in trajectories)
            if (!t.FieldNames.SequenceEqual(first.FieldNames) || t.Parameters.Length != first.Parameters.Length)
                throw new InvalidDataException($"{path}: {t.Name} has fields [{string.Join(", ", t.FieldNames)}] and {t.Parameters.Length} parameters, {first.Name} [{string.Join(", ", first.FieldNames)}] and {first.Parameters.Length}: one model cannot take both");
        return trajectories;
    }

    /// <summary>The objective the config's training section names, sized for trajectories like <paramref name="sample"/>.</summary>
    public static NextStateObjective CreateObjective(ExperimentConfig config, SimulationTrajectory sample)
    {
        var t = config.Training;
        return new NextStateObjective(sample.FieldCount, sample.Parameters.Length, new NextStateOptions(t.NoiseStd, t.PushforwardSteps, t.UnrollSteps, t.Loss, t.DetachUnrolled, t.ChangeScale));
    }

    /// <summary>
    /// The operator the config names behind the objective for trajectories like <paramref name="sample"/>,
    /// its weights drawn from the generator seeded with training.seed (the same seed, the same model).
    /// </summary>
    public static LearnedSimulator CreateSimulator(ExperimentConfig config, SimulationTrajectory sample, Device? device = null)
    {
        var objective = CreateObjective(config, sample);
        torch.manual_seed(config.Training.Seed);
        var simulator = new LearnedSimulator(config.Model.Registration.Create(config.Model.Options, objective.Widths), objective);
        if (device is not null) simulator.to(device.Value);
        return simulator;
    }

    /// <summary>The mesh-movement objective and the mover the config names, weights drawn from training.seed.</summary>
    public static LearnedSimulator CreateMover(ExperimentConfig config, Device? device = null)
    {
        var t = config.Training;
        if (t.Objective != MeshMovementObjective.ObjectiveName) throw new ArgumentException($"training.objective is {t.Objective}, not {MeshMovementObjective.ObjectiveName}: {config.Model.Name} is not a mesh mover");
        var objective = new MeshMovementObjective(new MeshMovementOptions(t.CoordinateLossWeight, t.AreaLossWeight, t.ChamferLossWeight, t.MongeAmpereLossWeight));
        torch.manual_seed(t.Seed);
        var simulator = new LearnedSimulator(config.Model.Registration.Create(config.Model.Options, objective.Widths), objective);
        if (device is not null) simulator.to(device.Value);
        return simulator;
    }

    /// <summary>The run's trained mover, in eval mode.</summary>
    public static LearnedSimulator LoadTrainedMover(string runDirectory, ExperimentConfig config, Device? device = null)
    {
        var simulator = CreateMover(config, device);
        try { Checkpoint.LoadModel(runDirectory, simulator); }
        catch { simulator.Dispose(); throw; }
        simulator.eval();
        return simulator;
    }

    /// <summary>A mesh-movement split: the meshes, monitors and classical movers' meshes of data.path.</summary>
    public static List<MeshMovementSample> LoadMovementSamples(ExperimentConfig config, DataSplit split, int? maxCases = null) =>
        MeshMovementSample.Load(config.Data.Path, config.Data.EvalPath, split, config.Data.SplitSeed, maxCases ?? config.Data.MaxCases);

    /// <summary>The effective config a training run saved.</summary>
    public static ExperimentConfig ReadRunConfig(string runDirectory)
    {
        var configPath = Path.Combine(runDirectory, ConfigFileName);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{runDirectory}: not a training run (no {ConfigFileName})", configPath);
        return ExperimentConfig.Load(configPath);
    }

    /// <summary>The run's simulator with its trained weights and statistics, in eval mode.</summary>
    public static LearnedSimulator LoadTrainedSimulator(string runDirectory, ExperimentConfig config, SimulationTrajectory sample, Device? device = null)
    {
        var simulator = CreateSimulator(config, sample, device);
        try { Checkpoint.LoadModel(runDirectory, simulator); }
        catch { simulator.Dispose(); throw; }
        simulator.eval();
        return simulator;
    }
}
