namespace GnnSim.Training.Tests;

/// <summary>The mesh graph transformer against bench/transformer_bench.py, both ways, with RoPE and global tokens.</summary>
public class TransformerTwinTests
{
    private const string Script = "transformer_bench.py";

    private static ExperimentConfig Config(int steps) => ExperimentConfig.Parse($$"""
        model: { name: transformer, width: 16, blocks: 2, heads: 2, rope: true, global_tokens: 2 }
        optimizer: { name: adamw, learning_rate: 3.0e-3, betas: [0.9, 0.95], schedule: constant }
        training: { steps: {{steps}}, noise_std: 0.01, log_every: 10, seed: 3 }
        """, "transformer golden config");

    [Fact]
    public void AGnnSimCheckpointPredictsTheSameInPyTorch() => PyTorchTwinTests.AssertACheckpointPredictsTheSameInPyTorch(Script, Config, trainingSteps: 20);

    [Fact]
    public void WeightsMadeInPyTorchPredictTheSameInGnnSim() =>
        PyTorchTwinTests.AssertWeightsMadeInPyTorchPredictTheSame(Script, Config, "16", "2", "2", "1", "2", "13");
}
