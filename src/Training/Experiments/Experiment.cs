using GnnSim.Datasets.CfdBench;
using GnnSim.Datasets.Particles;
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
        return new NextStateObjective(sample.FieldCount, sample.Parameters.Length, new NextStateOptions(t.NoiseStd, t.PushforwardSteps, t.UnrollSteps, t.Loss, t.DetachUnrolled, t.ChangeScale, t.RandomPushforward));
    }

    /// <summary>
    /// The operator the config names behind the objective for trajectories like <paramref name="sample"/>,
    /// its weights drawn from the generator seeded with training.seed (the same seed, the same model).
    /// </summary>
    public static LearnedSimulator CreateSimulator(ExperimentConfig config, SimulationTrajectory sample, Device? device = null)
    {
        var objective = CreateObjective(config, sample);
        return Built(config, objective, device);
    }

    /// <summary>The mesh-movement objective and the mover the config names, weights drawn from training.seed.</summary>
    public static LearnedSimulator CreateMover(ExperimentConfig config, Device? device = null)
    {
        var t = config.Training;
        if (t.Objective != MeshMovementObjective.ObjectiveName) throw new ArgumentException($"training.objective is {t.Objective}, not {MeshMovementObjective.ObjectiveName}: {config.Model.Name} is not a mesh mover");
        var objective = new MeshMovementObjective(new MeshMovementOptions(t.CoordinateLossWeight, t.AreaLossWeight, t.ChamferLossWeight, t.MongeAmpereLossWeight));
        return Built(config, objective, device);
    }

    /// <summary>The run's trained mover, in eval mode.</summary>
    public static LearnedSimulator LoadTrainedMover(string runDirectory, ExperimentConfig config, Device? device = null)
        => Trained(runDirectory, CreateMover(config, device));

    /// <summary>A mesh-movement split: the meshes, monitors and classical movers' meshes of data.path.</summary>
    public static List<MeshMovementSample> LoadMovementSamples(ExperimentConfig config, DataSplit split, int? maxCases = null) =>
        MeshMovementSample.Load(config.Data.Path, config.Data.EvalPath, split, config.Data.SplitSeed, maxCases ?? config.Data.MaxCases);

    /// <summary>
    /// A particle split: for format particles the trajectories of a GnnSim particle file (80/10/10 by
    /// data.split_seed, or all of data.eval_path for dev and test); for gns the split's own TFRecord
    /// (train, valid for dev, test).
    /// </summary>
    public static List<ParticleTrajectory> LoadParticleTrajectories(ExperimentConfig config, DataSplit split, int? maxCases = null, string? pathOverride = null)
    {
        var data = config.Data;
        var path = pathOverride ?? data.Path;
        var limit = maxCases ?? data.MaxCases ?? int.MaxValue;
        var evaluationPath = pathOverride is null ? data.EvalPath : null;
        var source = evaluationPath is not null && split != DataSplit.Train ? evaluationPath : path;
        List<ParticleTrajectory> trajectories;
        if (data.Format == "gns")
        {
            trajectories = GnsDataset.Read(source, split switch { DataSplit.Train => "train", DataSplit.Dev => "valid", _ => "test" });
        }
        else
        {
            if (!File.Exists(source)) throw new FileNotFoundException($"{source}: no such particle file", source);
            if (!ParticleTrajectoryFile.IsParticleFile(source)) throw new InvalidDataException($"{source}: not a GnnSim particle file (format {ParticleTrajectoryFile.FormatName}); convert gns DIR makes one from GNS data");
            trajectories = ParticleTrajectoryFile.ReadAll(source);
            if (evaluationPath is null)
            {
                var chosen = CfdBenchDataset.Split(trajectories.Select(t => t.Name).ToList(), data.SplitSeed)[(int)split].ToHashSet();
                trajectories = trajectories.Where(t => chosen.Contains(t.Name)).ToList();
            }
            if (trajectories.Count == 0) throw new InvalidDataException($"{source}: the {split.ToString().ToLowerInvariant()} split is empty (80/10/10); add trajectories or give data.eval_path");
        }
        trajectories = trajectories.Take(limit).ToList();
        var first = trajectories[0];
        foreach (var t in trajectories)
            if (t.Dimension != first.Dimension) throw new InvalidDataException($"{path}: {t.Name} is {t.Dimension}D, {first.Name} {first.Dimension}D: one model cannot take both");
        return trajectories;
    }

    /// <summary>data.connectivity_radius, or else the radius the data records (GNS metadata's default_connectivity_radius); an error says to set it.</summary>
    public static double ConnectivityRadius(ExperimentConfig config, IReadOnlyList<ParticleTrajectory> trajectories)
    {
        if (config.Data.ConnectivityRadius is { } radius) return radius;
        if (trajectories[0].Parameters.TryGetValue("connectivity_radius", out var recorded) && recorded > 0) return recorded;
        throw new InvalidDataException($"{config.Data.Path}: the data records no connectivity radius: set data.connectivity_radius (GNS: 0.015 for WaterDrop, about 2.5 particle spacings)");
    }

    /// <summary>
    /// The particle objective and the operator the config names, for particles in <paramref name="dimension"/>
    /// dimensions; data.connectivity_radius must be set (training sets it from the data, so a run's saved config has it).
    /// </summary>
    public static LearnedSimulator CreateParticleSimulator(ExperimentConfig config, int dimension, Device? device = null)
    {
        var t = config.Training;
        if (t.Objective != ParticleDynamicsObjective.ObjectiveName) throw new ArgumentException($"training.objective is {t.Objective}, not {ParticleDynamicsObjective.ObjectiveName}: {config.Model.Name} does not simulate particles");
        var radius = config.Data.ConnectivityRadius ?? throw new ArgumentException("data.connectivity_radius is not set");
        var objective = new ParticleDynamicsObjective(dimension, new ParticleDynamicsOptions(radius, t.VelocityHistory, t.NoiseStd, t.ParticleFraction, t.ParticleSampling, t.ReconstructionLossWeight));
        return Built(config, objective, device);
    }

    /// <summary>The run's trained particle simulator, in eval mode.</summary>
    public static LearnedSimulator LoadTrainedParticleSimulator(string runDirectory, ExperimentConfig config, int dimension, Device? device = null)
        => Trained(runDirectory, CreateParticleSimulator(config, dimension, device));

    /// <summary>The operator the config names behind <paramref name="objective"/>, its weights drawn from training.seed, on the device.</summary>
    static LearnedSimulator Built(ExperimentConfig config, TrainingObjective objective, Device? device)
    {
        torch.manual_seed(config.Training.Seed);
        var simulator = new LearnedSimulator(config.Model.Registration.Create(config.Model.Options, objective.Widths), objective);
        if (device is not null) simulator.to(device.Value);
        return simulator;
    }

    /// <summary><paramref name="simulator"/> with the run's checkpoint loaded, in eval mode (disposed if the checkpoint does not fit).</summary>
    static LearnedSimulator Trained(string runDirectory, LearnedSimulator simulator)
    {
        try { Checkpoint.LoadModel(runDirectory, simulator); }
        catch { simulator.Dispose(); throw; }
        simulator.eval();
        return simulator;
    }

    /// <summary>The effective config a training run saved.</summary>
    public static ExperimentConfig ReadRunConfig(string runDirectory)
    {
        var configPath = Path.Combine(runDirectory, ConfigFileName);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{runDirectory}: not a training run (no {ConfigFileName})", configPath);
        return ExperimentConfig.Load(configPath);
    }

    /// <summary>The run's simulator with its trained weights and statistics, in eval mode.</summary>
    public static LearnedSimulator LoadTrainedSimulator(string runDirectory, ExperimentConfig config, SimulationTrajectory sample, Device? device = null)
        => Trained(runDirectory, CreateSimulator(config, sample, device));
}
