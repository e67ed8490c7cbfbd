using GnnSim.Datasets.Meshes;

namespace GnnSim.Training.Tests;

/// <summary>UM2N against bench/um2n_bench.py, both ways, on a batch of two meshes with their boundary rules.</summary>
public class Um2nTwinTests
{
    const string Script = "um2n_bench.py";

    static ExperimentConfig Config(int steps) => ExperimentConfig.Parse($$"""
        model: { name: um2n, embed_width: 16, heads: 2, hidden: 8, deformer_layers: 3, deformer_heads: 2, global_features: 4, local_features: 5 }
        data: { format: mesh, path: unused.h5 }
        optimizer: { name: adam, learning_rate: 3.0e-3, schedule: constant }
        training: { objective: mesh_movement, steps: {{steps}}, batch_size: 2, coordinate_loss_weight: 1, log_every: 5, checkpoint_every: {{steps}}, seed: 4 }
        """, "um2n golden config");

    static List<MeshMovementSample> Samples2() =>
        [.. Enumerable.Range(0, 2).Select(i => MeshMovementSample.FromTrajectory(HelmholtzMeshGenerator.Generate(new HelmholtzMeshSettings { ElementSizes = [0.2, 0.25], Seed = 3 }, i), "generated"))];

    /// <summary>Two samples joined as the training set joins them, written as the twin reads them.</summary>
    static OperatorBatch WriteInputs(string path, MeshMovementObjective objective, IReadOnlyList<MeshMovementSample> samples)
    {
        var batch = OperatorBatch.Combine(samples.Select(s => objective.Graph(s, Device.CPU, out _)).ToList());
        var mesh = batch.Edges(OperatorBatch.MeshEdges);
        torch.save(new Dictionary<string, Tensor>
        {
            ["node_inputs"] = batch.NodeInputs, ["positions"] = batch.Positions, ["boundary_rule"] = batch.BoundaryRule!,
            ["senders"] = mesh.Senders, ["receivers"] = mesh.Receivers,
            ["node_offsets"] = torch.tensor(batch.NodeOffsets.Select(v => (long)v).ToArray(), batch.NodeOffsets.Length),
        }, path);
        return batch;
    }

    [Fact]
    public void AGnnSimCheckpointMovesTheSameInPyTorch()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var samples = Samples2();
            var config = Config(10);
            using var simulator = Experiment.CreateMover(config);
            var objective = simulator.ObjectiveAs<MeshMovementObjective>();
            using (var data = objective.Prepare(samples, Device.CPU))
            using (var trainer = new Trainer(config, simulator, data, directory, resume: false))
                trainer.Run(); // weights moved off their initial values, checkpoint and config written
            string inputs = Path.Combine(directory, "inputs.pt"), output = Path.Combine(directory, "python.pt");
            using var scope = torch.NewDisposeScope();
            var batch = WriteInputs(inputs, objective, samples);
            PyTorchTwinTests.RunTwin(Script, "predict", Path.Combine(directory, Checkpoint.FileName), inputs, output);
            using var noGrad = torch.no_grad();
            simulator.eval();
            PyTorchTwinTests.AssertSameState(torch.load(output)["positions"], simulator.Model.forward(batch));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void WeightsMadeInPyTorchMoveTheSameInGnnSim()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var simulator = Experiment.CreateMover(Config(1));
            string inputs = Path.Combine(directory, "inputs.pt"), made = Path.Combine(directory, "made.pt");
            var batch = WriteInputs(inputs, simulator.ObjectiveAs<MeshMovementObjective>(), Samples2());
            PyTorchTwinTests.RunTwin(Script, "init", inputs, made, "16", "2", "8", "3", "2", "4", "5", "17");
            var entries = torch.load(made);
            var expected = entries["positions"];
            entries.Remove("positions");
            simulator.load_state_dict(entries, strict: true);
            simulator.eval();
            using var noGrad = torch.no_grad();
            PyTorchTwinTests.AssertSameState(expected, simulator.Model.forward(batch));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
