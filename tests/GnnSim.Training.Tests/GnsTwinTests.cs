using GnnSim.Datasets.Particles;

namespace GnnSim.Training.Tests;

/// <summary>
/// GNS against bench/gns_bench.py, both ways: the twin computes the whole step itself (its own
/// brute-force radius graph, the node and edge inputs, the network, semi-implicit Euler) from the
/// positions, so the features and the integrator are checked with the weights.
/// </summary>
public class GnsTwinTests
{
    const string Script = "gns_bench.py";
    const double Radius = 0.08, Noise = 6.7e-4;

    static ExperimentConfig Config(int steps) => ExperimentConfig.Parse($$"""
        model: { name: gns, latent: 16, message_passing_steps: 2, hidden_layers: 2, type_embedding: 4 }
        data: { format: particles, path: unused.h5, connectivity_radius: {{Radius}} }
        optimizer: { learning_rate: 3.0e-3, schedule: constant }
        training: { objective: particle_dynamics, steps: {{steps}}, batch_size: 2, noise_std: {{Noise}}, log_every: 5, checkpoint_every: {{steps}}, seed: 4 }
        """, "gns golden config");

    /// <summary>The inputs of the step from frame 9 (history frames 4..9), as the twin reads them.</summary>
    static Tensor History(string path, ParticleTensors particles)
    {
        var (inputs, history) = StepInputs(particles, Radius, Noise);
        torch.save(inputs, path);
        return history;
    }

    /// <summary>The inputs gns_bench.py's step reads (giorom_bench.py's too), for the step from frame 9, and the history they hold.</summary>
    internal static (Dictionary<string, Tensor> Inputs, Tensor History) StepInputs(ParticleTensors particles, double radius, double noise)
    {
        var t = particles.Trajectory;
        var history = particles.History(9, 5);
        return (new Dictionary<string, Tensor>
        {
            ["history"] = history, ["particle_type"] = torch.tensor(t.ParticleTypes.Select(v => (long)v).ToArray(), t.ParticleCount),
            ["bounds"] = torch.tensor(t.Bounds.Select(v => (float)v).ToArray(), 2, 2),
            ["radius"] = torch.tensor([radius], 1), ["noise_std"] = torch.tensor([noise], 1),
        }, history);
    }

    /// <summary>
    /// The same next positions, and the same accelerations they imply (p' - 2 p + p_-1, a thousandth
    /// of the positions' size: positions alone would hide a wrong network under their float32 ulps).
    /// </summary>
    internal static void AssertSameStep(Tensor expected, Tensor actual, Tensor history)
    {
        PyTorchTwinTests.AssertSameState(expected, actual);
        using var newest = history.narrow(0, 5, 1).squeeze(0);
        using var before = history.narrow(0, 4, 1).squeeze(0);
        var e = (expected - newest * 2.0 + before).ToArray<float>();
        var a = (actual - newest * 2.0 + before).ToArray<float>();
        var scale = e.Max(Math.Abs);
        Assert.True(scale > 1e-5, $"the accelerations ({scale}) are too small to compare");
        for (var i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= 2e-3 * scale, $"acceleration {i}: PyTorch {e[i]}, GnnSim {a[i]}");
    }

    [Fact]
    public void AGnnSimCheckpointStepsTheSameInPyTorch()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var trajectory = ParticleDynamicsTests.Orbits(frames: 16);
            var config = Config(10);
            using var simulator = Experiment.CreateParticleSimulator(config, 2);
            var objective = simulator.ObjectiveAs<ParticleDynamicsObjective>();
            objective.FitStatistics([trajectory]);
            using (var data = objective.Prepare([trajectory]))
            using (var trainer = new Trainer(config, simulator, data, directory, resume: false))
                trainer.Run(); // weights moved off their initial values, checkpoint written
            using var particles = ParticleTensors.Create(trajectory);
            using var scope = torch.NewDisposeScope();
            string inputs = Path.Combine(directory, "inputs.pt"), output = Path.Combine(directory, "python.pt");
            var history = History(inputs, particles);
            PyTorchTwinTests.RunTwin(Script, "predict", Path.Combine(directory, Checkpoint.FileName), inputs, output);
            simulator.eval();
            using var noGrad = torch.no_grad();
            AssertSameStep(torch.load(output)["next_positions"], objective.NextPositions(simulator.Model, particles, history), history);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void WeightsMadeInPyTorchStepTheSameInGnnSim()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var trajectory = ParticleDynamicsTests.Orbits(frames: 12);
            using var simulator = Experiment.CreateParticleSimulator(Config(1), 2);
            using var particles = ParticleTensors.Create(trajectory);
            using var scope = torch.NewDisposeScope();
            string inputs = Path.Combine(directory, "inputs.pt"), made = Path.Combine(directory, "made.pt");
            var history = History(inputs, particles);
            PyTorchTwinTests.RunTwin(Script, "init", inputs, made, "16", "2", "2", "4", "17");
            var entries = torch.load(made);
            var expected = entries["next_positions"];
            entries.Remove("next_positions");
            simulator.load_state_dict(entries, strict: true);
            simulator.eval();
            using var noGrad = torch.no_grad();
            var objective = simulator.ObjectiveAs<ParticleDynamicsObjective>();
            AssertSameStep(expected, objective.NextPositions(simulator.Model, particles, history), history);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
