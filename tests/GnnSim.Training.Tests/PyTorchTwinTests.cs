using System.Diagnostics;

namespace GnnSim.Training.Tests;

/// <summary>
/// Golden tests against the PyTorch twins under bench/ (mgn_bench.py, physgto_bench.py), the same
/// operators written plainly in PyTorch's Python API: a GnnSim checkpoint loads into the twin with
/// strict=True and predicts the same next state, and weights made in PyTorch load into GnnSim and
/// predict what PyTorch predicted.
/// </summary>
public class PyTorchTwinTests
{
    private const string Python = "/usr/bin/python3"; // Debian's, with python3-torch (setup.sh installs it)
    private const string Script = "mgn_bench.py";

    internal static void RunTwin(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(Samples.RepositoryRoot(), "bench", script));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), $"{script} did not finish in 2 minutes");
        Assert.True(process.ExitCode == 0, $"{script} {string.Join(" ", arguments)} failed: {error.Result}");
    }

    /// <summary>The inputs of one step from frame 1 of <paramref name="tensors"/>' trajectory, as the twins read them.</summary>
    internal static void WriteInputs(string path, TrajectoryTensors tensors)
    {
        using var scope = torch.NewDisposeScope();
        torch.save(new Dictionary<string, Tensor>
        {
            ["state"] = tensors.State(1), ["static_features"] = tensors.StaticNodeFeatures, ["edge_features"] = tensors.EdgeFeatures,
            ["positions"] = tensors.Positions, ["time"] = torch.tensor([(float)tensors.Trajectory.Dt], 1),
            ["senders"] = tensors.Senders, ["receivers"] = tensors.Receivers,
        }, path);
    }

    internal static void AssertSameState(Tensor expected, Tensor actual)
    {
        var e = expected.ToArray<float>();
        var a = actual.ToArray<float>();
        Assert.Equal(e.Length, a.Length);
        var scale = e.Max(Math.Abs);
        for (var i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5 * scale, $"value {i}: PyTorch {e[i]}, GnnSim {a[i]}");
    }

    private static ExperimentConfig Config(int steps) => ExperimentConfig.Parse($$"""
        model: { latent: 16, message_passing_steps: 2, hidden_layers: 2 }
        optimizer: { learning_rate: 3.0e-3, schedule: constant }
        training: { steps: {{steps}}, noise_std: 0.01, log_every: 10, seed: 2 }
        """, "golden config");

    [Fact]
    public void AGnnSimCheckpointPredictsTheSameInPyTorch() => AssertACheckpointPredictsTheSameInPyTorch(Script, Config, trainingSteps: 30);

    [Fact]
    public void WeightsMadeInPyTorchPredictTheSameInGnnSim() => AssertWeightsMadeInPyTorchPredictTheSame(Script, Config, "16", "2", "2", "11");

    /// <summary>A short run of <paramref name="config"/>'s operator, its checkpoint loaded by the twin (strict), predicts the same next state there.</summary>
    internal static void AssertACheckpointPredictsTheSameInPyTorch(string script, Func<int, ExperimentConfig> config, int trainingSteps)
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var trajectory = Samples.Swirl();
            using var run = Samples.StartRun(config(trainingSteps), [trajectory], directory);
            run.Trainer.Run(); // weights moved off their initial values, statistics accumulated, checkpoint written
            // Another viscosity than in training: the constant parameter column takes the normalizer's constant-feature rule.
            using var tensors = TrajectoryTensors.Create(Samples.Swirl(name: "other", parameter: 0.7f));
            string inputs = Path.Combine(directory, "inputs.pt"), output = Path.Combine(directory, "python.pt");
            WriteInputs(inputs, tensors);
            RunTwin(script, "predict", Path.Combine(directory, Checkpoint.FileName), inputs, output);

            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            run.Simulator.eval();
            var ours = run.Simulator.ObjectiveAs<NextStateObjective>().NextState(run.Simulator.Model, tensors, tensors.State(1), 1);
            var theirs = torch.load(output)["next_state"];
            AssertSameState(theirs, ours);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    /// <summary>Weights and statistics the twin makes (its <c>init</c> mode with <paramref name="initArguments"/>) load into GnnSim (strict) and predict what the twin predicted.</summary>
    internal static void AssertWeightsMadeInPyTorchPredictTheSame(string script, Func<int, ExperimentConfig> config, params string[] initArguments)
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var trajectory = Samples.Swirl();
            using var tensors = TrajectoryTensors.Create(trajectory);
            string inputs = Path.Combine(directory, "inputs.pt"), made = Path.Combine(directory, "made.pt");
            WriteInputs(inputs, tensors);
            RunTwin(script, ["init", inputs, made, .. initArguments]);

            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var entries = torch.load(made);
            using var simulator = Experiment.CreateSimulator(config(1), trajectory);
            var expected = entries["next_state"];
            entries.Remove("next_state");
            simulator.load_state_dict(entries, strict: true);
            simulator.eval();
            var ours = simulator.ObjectiveAs<NextStateObjective>().NextState(simulator.Model, tensors, tensors.State(1), 1);
            AssertSameState(expected, ours);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
