namespace GnnSim.Training.Tests;

/// <summary>NaN and infinite losses and gradients: the run stops (or skips the step) and the last checkpoint stays good.</summary>
public class DivergenceTests
{
    // Adam moves every weight by about the learning rate on its first step: at 1e30 the next forward
    // pass overflows float32 (two stacked Linear layers of 1e30 weights), so training diverges within a step or two.
    private static ExperimentConfig Exploding(int skip, int warmUp = 0) => ExperimentConfig.Parse($$"""
        model: { latent: 16, message_passing_steps: 1, hidden_layers: 1 }
        optimizer: { learning_rate: 1.0e+30, schedule: constant, gradient_clip: 0 }
        training: { steps: 20, batch_size: 1, noise_std: 0, checkpoint_every: 1, log_every: 1, seed: 7, skip_nonfinite_steps: {{skip}}, normalizer_warmup_steps: {{warmUp}} }
        """, "test config");

    private static bool AllFinite(IEnumerable<Tensor> tensors) => tensors.All(t =>
    {
        using var largest = t.abs().amax();
        return double.IsFinite(largest.item());
    });

    private static Dictionary<string, double[]> Buffers(LearnedSimulator simulator) =>
        simulator.named_buffers().ToDictionary(b => b.name, b => { using var d = b.buffer.to(ScalarType.Float64); return d.ToArray<double>(); });

    [Fact]
    public void ADivergingRunStopsAtTheFirstNonFiniteStepNamingItAndKeepsTheLastGoodCheckpoint()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            using var run = Samples.StartRun(Exploding(skip: 0), [Samples.Swirl()], directory);
            var error = Assert.Throws<TrainingDivergedException>(() => run.Trainer.Run());
            Assert.InRange(error.Step, 2, 20);
            Assert.Matches("the loss is (NaN|∞|-∞|Infinity)|the gradient norm is", error.What);
            Assert.Contains($"training diverged at step {error.Step}", error.Message);
            Assert.Contains($"checkpoint of step {error.Step - 1}", error.Message);
            Assert.Contains("training.skip_nonfinite_steps", error.Message);
            Assert.Contains(directory, error.Message);

            // The checkpoint and the log end at the step before: the bad step wrote nothing, and the saved weights are finite.
            Assert.Equal(error.Step - 1, Checkpoint.ReadSummary(directory)!.Value.Step);
            Assert.Equal(error.Step - 1, TrainingLog.Read(directory)[^1].Step);
            using var reloaded = Experiment.CreateSimulator(Experiment.ReadRunConfig(directory), Samples.Swirl());
            Checkpoint.LoadModel(directory, reloaded);
            Assert.True(AllFinite(reloaded.parameters()));
            Assert.True(AllFinite(reloaded.named_buffers().Select(b => b.buffer)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void SkippedNonFiniteStepsChangeNothingAndThoseBeyondTheAllowanceStopTheRun()
    {
        var directory = Samples.TemporaryDirectory();
        var reference = Samples.TemporaryDirectory();
        try
        {
            int firstBad;
            using (var run = Samples.StartRun(Exploding(skip: 0), [Samples.Swirl()], reference))
                firstBad = Assert.Throws<TrainingDivergedException>(() => run.Trainer.Run()).Step;

            // Once the weights are huge every later step is bad too: three are skipped, the fourth stops the run.
            using var skipping = Samples.StartRun(Exploding(skip: 3), [Samples.Swirl()], directory);
            var error = Assert.Throws<TrainingDivergedException>(() => skipping.Trainer.Run());
            Assert.Equal(firstBad + 3, error.Step);
            Assert.Equal(4, skipping.Trainer.SkippedSteps);
            Assert.Contains("3 such steps were skipped", error.Message);
            // The skipped steps left the weights and the normalizer statistics as the last good step had them
            // (the run without skipping saved that step last); the checkpoints of the skipped steps hold the same.
            Assert.Equal(firstBad - 1, Checkpoint.ReadSummary(reference)!.Value.Step);
            Assert.Equal(firstBad + 2, Checkpoint.ReadSummary(directory)!.Value.Step);
            using var saved = Experiment.CreateSimulator(Experiment.ReadRunConfig(reference), Samples.Swirl());
            Checkpoint.LoadModel(reference, saved);
            var (now, then) = (Buffers(skipping.Simulator), Buffers(saved));
            Assert.Equal(then.Keys.Order(), now.Keys.Order());
            foreach (var (name, values) in then) Assert.Equal(values, now[name]);
            foreach (var ((name, p), (_, q)) in skipping.Simulator.named_parameters().Zip(saved.named_parameters()))
                Assert.True(p.ToArray<float>().SequenceEqual(q.ToArray<float>()), $"{name} changed in a skipped step");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
            Directory.Delete(reference, recursive: true);
        }
    }

    [Fact]
    public void NonFiniteDataStopsTheRunInTheNormalizerWarmUpAndSaysSo()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var clean = Samples.Swirl();
            var states = clean.States.ToArray();
            for (var t = 0; t < clean.FrameCount; t++) states[(t * clean.NodeCount + 14) * 2] = float.NaN; // an inner node's u, in every frame
            var broken = new SimulationTrajectory("broken", clean.Graph, clean.Positions, clean.NodeTypes, clean.FieldNames, states, clean.Parameters, clean.Dt) { Cells = clean.Cells };
            var config = Exploding(skip: 5, warmUp: 5);
            config.Optimizer.LearningRate = 1e-3;
            using var run = Samples.StartRun(config, [broken], directory);
            var error = Assert.Throws<TrainingDivergedException>(() => run.Trainer.Run());
            Assert.Equal(1, error.Step);
            Assert.Contains("the loss is NaN", error.What);
            Assert.Contains("normalizer warm-up", error.Message);
            Assert.Contains("training data holds NaN or infinite values", error.Message);
            Assert.Contains("no checkpoint had been written yet", error.Message);
            Assert.False(Checkpoint.Exists(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ANonFiniteLossNamesTheFirstLayerWhoseOutputWentBad()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var config = Exploding(skip: 0);
            config.Optimizer.LearningRate = 1e-3;
            using var run = Samples.StartRun(config, [Samples.Swirl()], directory);
            // A processor block's layer with one NaN weight: the encoders' outputs stay finite, that layer's does not.
            var (name, weight) = run.Simulator.named_parameters().First(p => p.name.Contains(".blocks.", StringComparison.Ordinal) && p.name.EndsWith(".weight", StringComparison.Ordinal));
            using (torch.no_grad())
            using (var row = weight.flatten().narrow(0, 0, 1)) row.fill_(float.NaN);
            var error = Assert.Throws<TrainingDivergedException>(() => run.Trainer.Run());
            Assert.Equal(1, error.Step);
            Assert.True(error.What.Contains($"the first layer whose output is not finite: {name[..^".weight".Length]} (", StringComparison.Ordinal), $"{name}: {error.What}");
            Assert.Contains(error.What, error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
