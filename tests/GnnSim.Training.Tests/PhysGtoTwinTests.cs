namespace GnnSim.Training.Tests;

/// <summary>PhysGTO against bench/physgto_bench.py, both ways: our checkpoint in PyTorch, PyTorch's weights in GnnSim.</summary>
public class PhysGtoTwinTests
{
    private const string Script = "physgto_bench.py";

    private static ExperimentConfig Config(int steps) => ExperimentConfig.Parse($$"""
        model: { name: physgto, width: 16, blocks: 2, heads: 2, tokens: 4, frequencies: 3, hidden: 12 }
        optimizer: { name: adamw, learning_rate: 3.0e-3, schedule: constant }
        training: { steps: {{steps}}, noise_std: 0.01, log_every: 10, seed: 3 }
        """, "physgto golden config");

    [Fact]
    public void AGnnSimCheckpointPredictsTheSameInPyTorch()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            using var run = Samples.StartRun(Config(steps: 20), [Samples.Swirl()], directory);
            run.Trainer.Run();
            using var tensors = TrajectoryTensors.Create(Samples.Swirl(name: "other", parameter: 0.7f));
            string inputs = Path.Combine(directory, "inputs.pt"), output = Path.Combine(directory, "python.pt");
            PyTorchTwinTests.WriteInputs(inputs, tensors);
            PyTorchTwinTests.RunTwin(Script, "predict", Path.Combine(directory, Checkpoint.FileName), inputs, output);

            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            run.Simulator.eval();
            var ours = run.Simulator.ObjectiveAs<NextStateObjective>().NextState(run.Simulator.Model, tensors, tensors.State(1), 1);
            PyTorchTwinTests.AssertSameState(torch.load(output)["next_state"], ours);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void WeightsMadeInPyTorchPredictTheSameInGnnSim()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var trajectory = Samples.Swirl();
            using var tensors = TrajectoryTensors.Create(trajectory);
            string inputs = Path.Combine(directory, "inputs.pt"), made = Path.Combine(directory, "made.pt");
            PyTorchTwinTests.WriteInputs(inputs, tensors);
            PyTorchTwinTests.RunTwin(Script, "init", inputs, made, "16", "2", "2", "4", "3", "12", "13");

            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var entries = torch.load(made);
            using var simulator = Experiment.CreateSimulator(Config(steps: 1), trajectory);
            var expected = entries["next_state"];
            entries.Remove("next_state");
            simulator.load_state_dict(entries, strict: true);
            simulator.eval();
            var ours = simulator.ObjectiveAs<NextStateObjective>().NextState(simulator.Model, tensors, tensors.State(1), 1);
            PyTorchTwinTests.AssertSameState(expected, ours);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
