using GnnSim.Operators.MeshGraphNets;
namespace GnnSim.Training.Tests;

public class TrainingTests
{
    private const string SmallPhysGto = "{ name: physgto, width: 16, blocks: 2, heads: 2, tokens: 8, frequencies: 3, hidden: 32 }";
    private const string SmallTransformer = "{ name: transformer, width: 16, blocks: 2, heads: 2, rope: true, k_hop: 2, global_tokens: 2 }";
    private const string TransformerWithJumps = "{ name: transformer, width: 16, blocks: 2, heads: 2, dilation: 2, random_jumps: 1 }";

    [Fact]
    public void MixedPrecisionInBfloat16TrainsCloseToFloat32()
    {
        // The same 150 steps in float32 and under bf16 autocast: bf16 learns as well, with losses close to float32's.
        var losses = new Dictionary<string, List<double>>();
        foreach (var precision in new[] { "float32", "bf16" })
        {
            var directory = Samples.TemporaryDirectory();
            try
            {
                var config = Samples.SmallConfig(150, training: $"{{ steps: 150, batch_size: 1, noise_std: 0, checkpoint_every: 1000, log_every: 10, seed: 7, precision: {precision} }}");
                using var run = Samples.StartRun(config, [Samples.Swirl()], directory);
                losses[precision] = run.Trainer.Run();
            }
            finally { Directory.Delete(directory, recursive: true); }
        }
        var (full, half) = (losses["float32"], losses["bf16"]);
        Assert.True(Math.Abs(half[0] - full[0]) < 0.02 * full[0], $"first loss {half[0]:E4} in bf16, {full[0]:E4} in float32");
        Assert.NotEqual(full[0], half[0]); // bf16 really ran
        double first = half.Take(5).Average(), last = half.TakeLast(10).Average();
        Assert.True(last * 10 <= first, $"bf16 loss fell only from {first:E3} to {last:E3}");
        Assert.True(last < 3 * full.TakeLast(10).Average(), $"bf16 ended at {last:E3}, float32 at {full.TakeLast(10).Average():E3}");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(SmallPhysGto)]
    [InlineData(SmallTransformer)]
    public void ASmallOperatorOverfitsOneShortTrajectory(string? model)
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var trajectory = Samples.Swirl();
            var config = Samples.SmallConfig(steps: 600, model: model);
            using var run = Samples.StartRun(config, [trajectory], directory);
            var losses = run.Trainer.Run();
            double first = losses.Take(5).Average(), last = losses.TakeLast(20).Average();
            Assert.True(last * 100 <= first, $"loss fell only from {first:E3} to {last:E3}");

            // The loop left its record: the config, the checkpoint and one log line per 10 steps.
            Assert.True(File.Exists(Path.Combine(directory, Experiment.ConfigFileName)));
            Assert.True(Checkpoint.Exists(directory));
            Assert.Equal(61, File.ReadAllLines(Path.Combine(directory, TrainingLog.CsvFileName)).Length);

            // The trained model's one-step prediction is close to the truth.
            var rollout = Rollout.Run(run.Simulator, trajectory, startFrame: 0, steps: 1);
            var error = RolloutMetrics.ForCase(rollout);
            Assert.True(error.Model[0].Nmse < 0.01 * error.Persistence[0].Nmse, $"one-step NMSE {error.Model[0].Nmse:E3} vs persistence {error.Persistence[0].Nmse:E3}");
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(SmallPhysGto)]
    [InlineData(TransformerWithJumps)]
    public void ResumedRunRepeatsTheUninterruptedLossCurve(string? model)
    {
        string whole = Samples.TemporaryDirectory(), split = Samples.TemporaryDirectory();
        try
        {
            // Noise, batches of two and push-forward: every source of randomness and state is exercised.
            const string training = "{ steps: 12, batch_size: 2, noise_std: 0.01, pushforward_steps: 1, normalizer_warmup_steps: 2, checkpoint_every: 6, log_every: 1, seed: 5 }";
            var config = Samples.SmallConfig(12, training, model);
            var trajectories = new[] { Samples.Swirl(name: "a"), Samples.Swirl(n: 5, frames: 4, name: "b") };

            List<double> uninterrupted;
            using (var run = Samples.StartRun(config, trajectories, whole))
                uninterrupted = run.Trainer.Run();

            var firstHalf = Samples.SmallConfig(6, training.Replace("steps: 12", "steps: 6"), model);
            List<double> before, after;
            using (var run = Samples.StartRun(firstHalf, trajectories, split))
                before = run.Trainer.Run();
            // A different seed in the process's generator must not matter: the checkpoint carries the generator.
            torch.manual_seed(12345);
            using (var run = Samples.StartRun(config, trajectories, split, resume: true))
            {
                Assert.Equal(6, run.Trainer.Step);
                after = run.Trainer.Run();
            }
            var resumed = before.Concat(after).ToList();
            Assert.Equal(uninterrupted.Count, resumed.Count);
            for (var i = 0; i < resumed.Count; i++)
                Assert.True(Math.Abs(uninterrupted[i] - resumed[i]) <= 1e-5 * (1 + Math.Abs(uninterrupted[i])), $"step {i + 1}: {uninterrupted[i]} vs {resumed[i]}");
            Assert.Equal(File.ReadAllLines(Path.Combine(whole, TrainingLog.CsvFileName)).Select(l => l.Split(',')[1]),
                File.ReadAllLines(Path.Combine(split, TrainingLog.CsvFileName)).Select(l => l.Split(',')[1]));
        }
        finally
        {
            Directory.Delete(whole, recursive: true);
            Directory.Delete(split, recursive: true);
        }
    }

    [Fact]
    public void AWallClockBudgetStopsTrainingWithACheckpoint()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            // A budget of 0.3 s for a run of 100,000 steps: it stops long before, at a step it checkpoints.
            var config = Samples.SmallConfig(100_000, "{ steps: 100000, max_minutes: 0.005, noise_std: 0, checkpoint_every: 100000, log_every: 100000, seed: 1 }");
            int stoppedAt;
            using (var run = Samples.StartRun(config, [Samples.Swirl()], directory))
            {
                var losses = run.Trainer.Run();
                stoppedAt = run.Trainer.Step;
                Assert.InRange(losses.Count, 1, 99_999);
                Assert.Equal(losses.Count, stoppedAt);
            }
            using (var resumed = Samples.StartRun(config, [Samples.Swirl()], directory, resume: true))
            {
                Assert.Equal(stoppedAt, resumed.Trainer.Step); // the checkpoint holds the last step
                Assert.Empty(resumed.Trainer.Run());             // and the budget counts the time already spent
            }
            Assert.Contains("training.max_minutes", Assert.Throws<InvalidDataException>(() => ExperimentConfig.Parse("training: { max_minutes: 0 }", "m.yaml")).Message);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void ConfigOverridesApplyAndTyposAreErrors()
    {
        var config = ExperimentConfig.Parse("training: { steps: 10 }", "a.yaml", ["training.steps=25", "data.subsets=[bc, prop]", "optimizer.learning_rate=2e-4"]);
        Assert.Equal(25, config.Training.Steps);
        Assert.Equal(["bc", "prop"], config.Data.Subsets);
        Assert.Equal(2e-4, config.Optimizer.LearningRate);
        Assert.Equal(15, Assert.IsType<MeshGraphNetOptions>(config.Model.Options).MessagePassingSteps); // untouched defaults are DeepMind's

        var roundTrip = ExperimentConfig.Parse(config.ToYaml(), "saved.yaml");
        Assert.Equal(config.ToYaml(), roundTrip.ToYaml());

        var typo = Assert.Throws<InvalidDataException>(() => ExperimentConfig.Parse("training: { stpes: 10 }", "a.yaml"));
        Assert.Contains("a.yaml", typo.Message);
        Assert.Contains("stpes", typo.Message);
        var range = Assert.Throws<InvalidDataException>(() => ExperimentConfig.Parse("training: { batch_size: 0 }", "b.yaml"));
        Assert.Contains("training.batch_size", range.Message);
        Assert.Throws<InvalidDataException>(() => ExperimentConfig.Parse("model: [unclosed", "c.yaml"));
    }

    [Fact]
    public void ExampleConfigsParse()
    {
        var configs = Directory.GetFiles(Path.Combine(Samples.RepositoryRoot(), "configs"), "*.yaml");
        Assert.Contains(configs, c => c.EndsWith("cavity.yaml", StringComparison.Ordinal));
        Assert.Contains(configs, c => c.EndsWith("cylinder.yaml", StringComparison.Ordinal));
        var named = new HashSet<string>();
        foreach (var path in configs)
        {
            var config = ExperimentConfig.Load(path);
            Assert.NotNull(OperatorRegistry.Find(config.Model.Name));
            Assert.Equal(config.ToYaml(), ExperimentConfig.Parse(config.ToYaml(), path).ToYaml());
            named.Add(config.Model.Name);
        }
        // Every registered operator comes with an example experiment.
        Assert.Empty(OperatorRegistry.All.Select(r => r.Name).Except(named));
    }

    [Fact]
    public void TheModelSectionIsTheNamedOperatorsOptionsAndErrorsNameTheKey()
    {
        var config = ExperimentConfig.Parse("model: { name: meshgraphnet, latent: 24 }", "a.yaml", ["model.message_passing_steps=3"]);
        var options = Assert.IsType<MeshGraphNetOptions>(config.Model.Options);
        Assert.Equal((24, 3, 2), (options.Latent, options.MessagePassingSteps, options.HiddenLayers));
        Assert.StartsWith("model:\n  name: meshgraphnet\n  latent: 24\n  message_passing_steps: 3\n", config.ToYaml().ReplaceLineEndings("\n"));

        string Error(string yaml) => Assert.Throws<InvalidDataException>(() => ExperimentConfig.Parse(yaml, "b.yaml")).Message;
        var unknownOperator = Error("model: { name: meshgraphnett }");
        Assert.Contains("b.yaml: model.name = meshgraphnett", unknownOperator);
        Assert.Contains("meshgraphnet", unknownOperator.Split("known operators:")[1]);
        var unknownKey = Error("model: { latnt: 8 }");
        Assert.Contains("model.latnt", unknownKey);
        Assert.Contains("latent, message_passing_steps, hidden_layers", unknownKey);
        Assert.Contains("b.yaml: model.latent = 0: must be at least 1", Error("model: { latent: 0 }"));
        Assert.Contains("b.yaml: model", Error("model: { latent: wide }"));
        Assert.Contains("model must be a mapping", Error("model: meshgraphnet"));
        Assert.Contains("training.unroll_steps", Error("training: { unroll_steps: 0 }"));
        Assert.Contains("training.loss", Error("training: { loss: l1 }"));
        Assert.Contains("training.change_scale", Error("training: { change_scale: field }"));
        Assert.Contains("optimizer.betas", Error("optimizer: { betas: [0.9] }"));
        Assert.Contains("optimizer.betas", Error("optimizer: { betas: [0.9, 1.5] }"));
        Assert.Contains("model.k_hop", Error("model: { name: transformer, k_hop: 0 }"));
        Assert.Equal([0.9, 0.95], ExperimentConfig.Parse("optimizer: { betas: [0.9, 0.95] }", "c.yaml").Optimizer.Betas);
        Assert.Contains("training.objective", Error("training: { objective: particles }"));
    }
}
