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
    public void AGnnSimCheckpointPredictsTheSameInPyTorch() => PyTorchTwinTests.AssertACheckpointPredictsTheSameInPyTorch(Script, Config, trainingSteps: 20);

    [Fact]
    public void WeightsMadeInPyTorchPredictTheSameInGnnSim() =>
        PyTorchTwinTests.AssertWeightsMadeInPyTorchPredictTheSame(Script, Config, "16", "2", "2", "4", "3", "12", "13");
}
