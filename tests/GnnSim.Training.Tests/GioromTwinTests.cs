namespace GnnSim.Training.Tests;

/// <summary>
/// GIOROM against bench/giorom_bench.py, both ways: the twin computes a rollout step (its own radius
/// graph, latent grid and pairs, by brute force) and the neural field's reconstruction of the dense
/// cloud from a sample, from positions.
/// </summary>
public class GioromTwinTests
{
    const string Script = "giorom_bench.py";
    const double Radius = 0.08, Noise = 6.7e-4, GridRadius = 1.5;
    const int Side = 5, Heads = 2;

    static ExperimentConfig Config(int steps) => ExperimentConfig.Parse($$"""
        model: { name: giorom, latent: 16, interaction_layers: 1, hidden_layers: 2, type_embedding: 4, grid_side: {{Side}}, grid_radius: {{GridRadius}}, grid_width: 8, kernel_hidden: 8, transformer_layers: 1, heads: {{Heads}}, field_hidden: 8 }
        data: { format: particles, path: unused.h5, connectivity_radius: {{Radius}} }
        optimizer: { learning_rate: 3.0e-3, schedule: constant }
        training: { objective: particle_dynamics, steps: {{steps}}, batch_size: 2, noise_std: {{Noise}}, log_every: 5, checkpoint_every: {{steps}}, seed: 4 }
        """, "giorom golden config");

    /// <summary>The step from frame 9 and the reconstruction of frame 9 from every third particle (frame 5 the reference), as the twin reads them.</summary>
    static (Tensor History, Tensor SparseReference, Tensor SparseCurrent, Tensor DenseReference) WriteInputs(string path, ParticleTensors particles)
    {
        var t = particles.Trajectory;
        var (step, history) = GnsTwinTests.StepInputs(particles, Radius, Noise);
        var chosen = Enumerable.Range(0, t.ParticleCount).Where(i => i % 3 == 0).Select(i => (long)i).ToArray();
        var index = torch.tensor(chosen, chosen.Length);
        var (sparseReference, sparseCurrent, denseReference) = (particles.At(5).index_select(0, index), particles.At(9).index_select(0, index), particles.At(5));
        step["heads"] = torch.tensor([(float)Heads], 1);
        step["sparse_reference"] = sparseReference;
        step["sparse_current"] = sparseCurrent;
        step["dense_reference"] = denseReference;
        step["field_radius"] = torch.tensor([Radius], 1);
        torch.save(step, path);
        return (history, sparseReference, sparseCurrent, denseReference);
    }

    static void AssertSame(Dictionary<string, Tensor> expected, LearnedSimulator simulator, ParticleTensors particles,
        (Tensor History, Tensor SparseReference, Tensor SparseCurrent, Tensor DenseReference) inputs)
    {
        simulator.eval();
        using var noGrad = torch.no_grad();
        var objective = simulator.ObjectiveAs<ParticleDynamicsObjective>();
        Assert.Equal(Radius, objective.GraphRadius); // not sparse: the twin's radius is the graph's and the field's
        GnsTwinTests.AssertSameStep(expected["next_positions"], objective.NextPositions(simulator.Model, particles, inputs.History), inputs.History);
        var field = (Operators.Particles.INeuralFieldDecoder)simulator.Model;
        PyTorchTwinTests.AssertSameState(expected["dense"], objective.Reconstruct(field, inputs.SparseReference, inputs.SparseCurrent, inputs.DenseReference));
    }

    [Fact]
    public void AGnnSimCheckpointStepsAndReconstructsTheSameInPyTorch()
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
                trainer.Run();
            using var particles = ParticleTensors.Create(trajectory);
            using var scope = torch.NewDisposeScope();
            string inputs = Path.Combine(directory, "inputs.pt"), output = Path.Combine(directory, "python.pt");
            var written = WriteInputs(inputs, particles);
            PyTorchTwinTests.RunTwin(Script, "predict", Path.Combine(directory, Checkpoint.FileName), inputs, output, $"{Side}", $"{GridRadius}");
            AssertSame(torch.load(output), simulator, particles, written);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void WeightsMadeInPyTorchStepAndReconstructTheSameInGnnSim()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var trajectory = ParticleDynamicsTests.Orbits(frames: 12);
            using var simulator = Experiment.CreateParticleSimulator(Config(1), 2);
            using var particles = ParticleTensors.Create(trajectory);
            using var scope = torch.NewDisposeScope();
            string inputs = Path.Combine(directory, "inputs.pt"), made = Path.Combine(directory, "made.pt");
            var written = WriteInputs(inputs, particles);
            PyTorchTwinTests.RunTwin(Script, "init", inputs, made, "16", "1", "2", "4", $"{Side}", "8", "8", "1", $"{Heads}", "8", $"{(int)(GridRadius * 100)}", "17");
            var entries = torch.load(made);
            var expected = new Dictionary<string, Tensor> { ["next_positions"] = entries["next_positions"], ["dense"] = entries["dense"] };
            entries.Remove("next_positions");
            entries.Remove("dense");
            simulator.load_state_dict(entries, strict: true);
            AssertSame(expected, simulator, particles, written);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
