using GnnSim.Datasets.Particles;
using GnnSim.Operators.Particles;
using GnnSim.Torch.Optimizers;

namespace GnnSim.Training.Tests;

/// <summary>GIOROM on sparse particle graphs, its neural field, and the dense rollout.</summary>
public class GioromTests
{
    const string TinyGiorom = "{ name: giorom, latent: 32, interaction_layers: 1, hidden_layers: 1, type_embedding: 4, grid_side: 6, grid_width: 16, kernel_hidden: 16, transformer_layers: 1, heads: 2, field_hidden: 16 }";

    static ExperimentConfig Config(int steps, double fraction = 0.5, string sampling = "farthest", double noise = 0) => ExperimentConfig.Parse($$"""
        model: {{TinyGiorom}}
        data: { format: particles, path: unused.h5, connectivity_radius: 0.08 }
        optimizer: { learning_rate: 3.0e-3, schedule: constant, gradient_clip: 0 }
        training: { objective: particle_dynamics, steps: {{steps}}, batch_size: 1, noise_std: {{noise}}, particle_fraction: {{fraction}}, particle_sampling: {{sampling}}, checkpoint_every: 1000, log_every: 10, seed: 3 }
        """, "giorom test config");

    [Fact]
    public void GioromGivesEachGraphOfABatchWhatItGivesAlone()
    {
        // Each graph its own latent grid and its own attention: nothing crosses between the graphs of a batch.
        using var simulator = Experiment.CreateParticleSimulator(Config(1, fraction: 1), 2);
        ParticleDynamicsTests.AssertBatchOfTwoIsEachAlone(simulator);
    }

    [Fact]
    public void TheSparseGraphIsBuiltOnASampleWithAWiderRadius()
    {
        var trajectory = ParticleDynamicsTests.Orbits(particles: 60, kinematic: 0);
        var objective = new ParticleDynamicsObjective(2, new ParticleDynamicsOptions(0.05, ParticleFraction: 0.25, Sampling: ParticleDynamicsObjective.FarthestSampling));
        Assert.Equal(0.05 * 2, objective.GraphRadius, 1e-12); // 0.25^(-1/2) = 2: the sample's spacing doubles in 2D
        var sample = objective.SampleParticles(trajectory.Frame(6), trajectory.ParticleCount, new Random(4));
        Assert.Equal(15, sample.Length);
        Assert.Equal(15, sample.Distinct().Count());
        Assert.Equal(sample, objective.SampleParticles(trajectory.Frame(6), trajectory.ParticleCount, new Random(4)));
    }

    [Fact]
    public void TheNeuralFieldFitsADenseCloudFromASparseOne()
    {
        // A lattice sheared and turned: the dense cloud's displacement is smooth, the sample a fifth of it.
        var side = 20;
        var reference = new float[side * side * 2];
        var current = new float[side * side * 2];
        for (var k = 0; k < side * side; k++)
        {
            double x = 0.2 + 0.6 * (k % side) / (side - 1), y = 0.2 + 0.6 * (k / side) / (side - 1);
            reference[2 * k] = (float)x;
            reference[2 * k + 1] = (float)y;
            double angle = 0.3, sx = x - 0.5 + 0.2 * (y - 0.5), sy = y - 0.5;
            current[2 * k] = (float)(0.5 + Math.Cos(angle) * sx - Math.Sin(angle) * sy + 0.03);
            current[2 * k + 1] = (float)(0.5 + Math.Sin(angle) * sx + Math.Cos(angle) * sy);
        }
        var objective = new ParticleDynamicsObjective(2, new ParticleDynamicsOptions(0.05, ParticleFraction: 0.2, Sampling: ParticleDynamicsObjective.FarthestSampling));
        var chosen = objective.SampleParticles(reference, side * side, new Random(1)).Select(i => (long)i).ToArray();
        torch.manual_seed(5);
        using var field = new NeuralField(2, hidden: 8);
        var decoder = new FieldOnly(field);
        using var optimizer = new Adam(field.parameters(), lr: 1e-2);
        using var denseReference = torch.tensor(reference, side * side, 2);
        using var denseCurrent = torch.tensor(current, side * side, 2);
        using var index = torch.tensor(chosen, chosen.Length);
        using var sparseReference = denseReference.index_select(0, index);
        using var sparseCurrent = denseCurrent.index_select(0, index);
        var losses = new List<double>();
        for (var step = 0; step < 150; step++)
        {
            using var scope = torch.NewDisposeScope();
            var dense = objective.Reconstruct(decoder, sparseReference, sparseCurrent, denseReference);
            var loss = (dense - denseCurrent).square().sum(1).mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item());
        }
        double first = losses.Take(5).Average(), last = losses.TakeLast(5).Average();
        Assert.True(last < first / 10, $"the reconstruction loss fell from {first:E3} to {last:E3}, not tenfold");
    }

    sealed class FieldOnly(NeuralField field) : INeuralFieldDecoder
    {
        public Tensor Reconstruct(Tensor pairFeatures, Tensor queries, long queryCount) => field.forward(pairFeatures, queries, queryCount);
    }

    [Fact]
    public void GioromOverfitsAShortTrajectoryOnASparseSample()
    {
        // MPM water: its displacement field is smooth, so the neural field can learn it (the orbits' is not: each particle has its own circle).
        var trajectory = MpmGenerator.Generate(new MpmDatasetSettings { Particles = 150, Frames = 16, Seed = 5 }, 0);
        var directory = Samples.TemporaryDirectory();
        try
        {
            var config = Config(300, fraction: 0.3, noise: 6.7e-4);
            config.Data.ConnectivityRadius = trajectory.Parameters["connectivity_radius"];
            using var simulator = Experiment.CreateParticleSimulator(config, 2);
            var objective = simulator.ObjectiveAs<ParticleDynamicsObjective>();
            objective.FitStatistics([trajectory]);
            using var data = objective.Prepare([trajectory]);
            using var trainer = new Trainer(config, simulator, data, directory, resume: false);
            var losses = trainer.Run();
            double first = losses.Take(20).Average(), last = losses.TakeLast(20).Average();
            Assert.True(last < first / 10, $"the loss (dynamics and reconstruction) fell from {first:E3} to {last:E3}, not tenfold");

            // The rollout runs on the sample and answers for every particle through the neural field.
            var rollout = ParticleRollout.Run(simulator, trajectory, steps: 4, seed: 2);
            Assert.Equal(trajectory.ParticleCount, rollout.Trajectory.NodeCount);
            Assert.Equal(trajectory.Frame(5).ToArray(), rollout.QueryPoints);
            var metrics = RolloutMetrics.ForCase(rollout);
            Assert.True(metrics.Model[^1].Mse < metrics.Persistence[^1].Mse / 10, $"4 steps: model MSE {metrics.Model[^1].Mse:E3}, persistence {metrics.Persistence[^1].Mse:E3}");
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
