using GnnSim.Datasets.CfdBench;
using GnnSim.Operators.Data;
using GnnSim.Operators.MeshGraphNet;
using GnnSim.Solvers;
using GnnSim.Torch;

namespace GnnSim.Operators.Training;

/// <summary>What a config names, made real: its data splits and its model.</summary>
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
            trajectories = TrajectoryLoader.CfdBench(path, problem, subsets, split, data.SplitSeed, data.Neighbours, limit);
        }
        else
        {
            trajectories = TrajectoryLoader.MeshFile(path, pathOverride is null ? data.EvalPath : null, split, data.SplitSeed, data.Fields, limit);
        }
        var first = trajectories[0];
        foreach (var t in trajectories)
            if (!t.FieldNames.SequenceEqual(first.FieldNames) || t.Parameters.Length != first.Parameters.Length)
                throw new InvalidDataException($"{path}: {t.Name} has fields [{string.Join(", ", t.FieldNames)}] and {t.Parameters.Length} parameters, {first.Name} [{string.Join(", ", first.FieldNames)}] and {first.Parameters.Length}: one model cannot take both");
        return trajectories;
    }

    /// <summary>
    /// The operator the config names, sized for trajectories like <paramref name="sample"/>, its
    /// weights drawn from the generator seeded with training.seed (the same seed, the same model).
    /// </summary>
    public static GraphSimulator CreateModel(ExperimentConfig config, SimulationTrajectory sample, Device? device = null)
    {
        var m = config.Model;
        torch.manual_seed(config.Training.Seed);
        GraphSimulator model = m.Name switch
        {
            "meshgraphnet" => new MeshGraphNetModel(sample.FieldCount, 9 + sample.Parameters.Length, 3,
                new MeshGraphNetOptions(m.Latent, m.MessagePassingSteps, m.HiddenLayers)),
            _ => throw new ArgumentException($"unknown model '{m.Name}'"),
        };
        if (device is not null) model.to(device.Value);
        return model;
    }

    /// <summary>The effective config a training run saved.</summary>
    public static ExperimentConfig ReadRunConfig(string runDirectory)
    {
        var configPath = Path.Combine(runDirectory, ConfigFileName);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{runDirectory}: not a training run (no {ConfigFileName})", configPath);
        return ExperimentConfig.Load(configPath);
    }

    /// <summary>The run's model with its trained weights and statistics, in eval mode.</summary>
    public static GraphSimulator LoadTrainedModel(string runDirectory, ExperimentConfig config, SimulationTrajectory sample, Device? device = null)
    {
        var model = CreateModel(config, sample, device);
        try { Checkpoint.LoadModel(runDirectory, model); }
        catch { model.Dispose(); throw; }
        model.eval();
        return model;
    }
}
