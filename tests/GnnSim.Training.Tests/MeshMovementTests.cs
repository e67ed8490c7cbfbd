using GnnSim.Datasets.Meshes;
using GnnSim.Meshing;

namespace GnnSim.Training.Tests;

public class MeshMovementTests
{
    const string SmallUm2n = """
        model: { name: um2n, embed_width: 16, heads: 2, hidden: 16, deformer_layers: 3, deformer_heads: 2, global_features: 4, local_features: 4 }
        data: { format: mesh, path: unused.h5 }
        optimizer: { name: adam, learning_rate: 1.0e-3, schedule: constant }
        training: { objective: mesh_movement, steps: 400, batch_size: 3, coordinate_loss_weight: 1, area_loss_weight: 0, chamfer_loss_weight: 0, log_every: 10, checkpoint_every: 400 }
        """;

    /// <summary>Helmholtz samples on coarse unit-square meshes (about 70 nodes), as generate helmholtz makes them.</summary>
    static List<MeshMovementSample> CoarseSamples(int count) =>
        Enumerable.Range(0, count)
            .Select(i => MeshMovementSample.FromTrajectory(HelmholtzMeshGenerator.Generate(new HelmholtzMeshSettings { ElementSizes = [0.15], Seed = 7 }, i), "generated"))
            .ToList();

    [Fact]
    public void ASmallUm2nFitsTheMongeAmpereMeshesOfAFewSamples()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var config = ExperimentConfig.Parse(SmallUm2n, "test");
            var samples = CoarseSamples(3);
            using var simulator = Experiment.CreateMover(config);
            var objective = simulator.ObjectiveAs<MeshMovementObjective>();
            using var data = objective.Prepare(samples, Device.CPU);
            using var trainer = new Trainer(config, simulator, data, directory, resume: false);
            var losses = trainer.Run();
            double first = losses.Take(5).Average(), last = losses.TakeLast(10).Average();
            Assert.True(last * 10 <= first, $"loss fell only from {first:E3} to {last:E3}");

            // The trained mover lands near the Monge-Ampere mesh, closer than the unmoved mesh is, and tangles nothing.
            simulator.eval();
            foreach (var sample in samples)
            {
                var moved = objective.Move(simulator.Model, sample);
                double Mse(double[] p) => p.Zip(sample.Target!, (a, b) => (a - b) * (a - b)).Average();
                Assert.True(Mse(moved) < 0.5 * Mse(sample.Mesh.Positions), $"{sample.Name}: MSE {Mse(moved):E3}, unmoved {Mse(sample.Mesh.Positions):E3}");
                Assert.Equal(0, MeshQuality.CountTangled(sample.Mesh, sample.Mesh.WithPositions(moved)));
            }
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void TheMongeAmpereResidualIsZeroForAnEvenMonitorAndSmallOnTheMongeAmpereMesh()
    {
        using var scope = torch.NewDisposeScope();
        var sample = CoarseSamples(1)[0];
        var frame = MeshMovementObjective.Frame.Of(sample.Mesh.Positions);
        var original = torch.tensor(frame.ToFrame(sample.Mesh.Positions), sample.Mesh.NodeCount, 2);
        using (var even = new MeshMovementObjective.MonitorField(sample with { Monitor = Enumerable.Repeat(3.0, sample.Mesh.NodeCount).ToArray() }, frame, Device.CPU))
            Assert.Equal(0, even.Residual(original).item(), 10);
        using var field = new MeshMovementObjective.MonitorField(sample, frame, Device.CPU);
        var unmoved = field.Residual(original).item();
        var mongeAmpere = field.Residual(torch.tensor(frame.ToFrame(sample.Target!), sample.Mesh.NodeCount, 2)).item();
        Assert.True(mongeAmpere < 0.5 * unmoved, $"residual {mongeAmpere:E3} on the Monge-Ampere mesh, {unmoved:E3} unmoved");
    }

    [Fact]
    public void ADataFreeUm2nLowersTheMongeAmpereResidualWithoutTargets()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var config = ExperimentConfig.Parse(SmallUm2n.Replace("steps: 400", "steps: 150").Replace("checkpoint_every: 400", "checkpoint_every: 150")
                .Replace("coordinate_loss_weight: 1, area_loss_weight: 0, chamfer_loss_weight: 0", "coordinate_loss_weight: 0, area_loss_weight: 0, chamfer_loss_weight: 0, monge_ampere_loss_weight: 1"), "test");
            var samples = CoarseSamples(2).Select(s => s with { Target = null }).ToList();
            using var simulator = Experiment.CreateMover(config);
            var objective = simulator.ObjectiveAs<MeshMovementObjective>();
            using var data = objective.Prepare(samples, Device.CPU);
            using var trainer = new Trainer(config, simulator, data, directory, resume: false);
            var losses = trainer.Run();
            double first = losses.Take(5).Average(), last = losses.TakeLast(10).Average();
            Assert.True(last * 2 <= first, $"the residual fell only from {first:E3} to {last:E3}");

            simulator.eval();
            using var scope = torch.NewDisposeScope();
            foreach (var sample in samples)
            {
                var frame = MeshMovementObjective.Frame.Of(sample.Mesh.Positions);
                using var field = new MeshMovementObjective.MonitorField(sample, frame, Device.CPU);
                var moved = objective.Move(simulator.Model, sample);
                var residual = field.Residual(torch.tensor(frame.ToFrame(moved), sample.Mesh.NodeCount, 2)).item();
                var unmoved = field.Residual(torch.tensor(frame.ToFrame(sample.Mesh.Positions), sample.Mesh.NodeCount, 2)).item();
                Assert.True(residual < unmoved, $"{sample.Name}: residual {residual:E3} moved, {unmoved:E3} unmoved");
                Assert.Equal(0, MeshQuality.CountTangled(sample.Mesh, sample.Mesh.WithPositions(moved)));
            }
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void TheAreaAndChamferLossesAreTheirFormulas()
    {
        using var scope = torch.NewDisposeScope();
        // Two triangles of the unit square; the output moves node 2 from (1, 1) to (0.8, 1).
        var target = torch.tensor(new float[] { 0, 0, 1, 0, 1, 1, 0, 1 }, 4, 2);
        var output = torch.tensor(new float[] { 0, 0, 1, 0, 0.8f, 1, 0, 1 }, 4, 2);
        var cells = torch.tensor(new long[] { 0, 1, 2, 0, 2, 3 }, 2, 3);
        Assert.Equal([0.5f, 0.5f], MeshMovementObjective.CellAreas(target, cells).ToArray<float>());
        // The first cell keeps its base and height; the second, (0, 0) (0.8, 1) (0, 1), loses 0.1.
        var moved = MeshMovementObjective.CellAreas(output, cells).ToArray<float>();
        Assert.Equal(0.5f, moved[0], 6);
        Assert.Equal(0.4f, moved[1], 6);

        var area = new MeshMovementObjective(new MeshMovementOptions(0, 1, 0)).Loss(output, target, cells, [0, 4]).item();
        Assert.Equal(100 * 0.1, area, 4);
        var chamfer = new MeshMovementObjective(new MeshMovementOptions(0, 0, 1)).Loss(output, target, cells, [0, 4]).item();
        // Only (0.8, 1) and (1, 1) are apart: each is the other's nearest, 0.2 away (0.04 squared), one of four points each way.
        Assert.Equal(0.04 / 4 + 0.04 / 4, chamfer, 5);
        var coordinates = new MeshMovementObjective(new MeshMovementOptions(1, 0, 0)).Loss(output, target, cells, [0, 4]).item();
        Assert.Equal(0.04 / 8, coordinates, 6);
        // A permutation of the same points has no Chamfer distance.
        var permuted = torch.tensor(new float[] { 0, 1, 1, 1, 0, 0, 1, 0 }, 4, 2);
        Assert.Equal(0, MeshMovementObjective.Chamfer(permuted, target).item(), 6);
    }

    [Fact]
    public void SamplesAreReadInTheirOwnFrameAndBadFilesAreRefused()
    {
        var positions = new double[] { 2, 1, 6, 1, 6, 3, 2, 3 };
        var frame = MeshMovementObjective.Frame.Of(positions);
        Assert.Equal((2.0, 1.0, 4.0), (frame.OriginX, frame.OriginY, frame.Scale));
        Assert.Equal([0f, 0, 1, 0, 1, 0.5f, 0, 0.5f], frame.ToFrame(positions));
        Assert.Equal(positions, frame.FromFrame(frame.ToFrame(positions)));

        var sample = HelmholtzMeshGenerator.Generate(new HelmholtzMeshSettings { ElementSizes = [0.2] }, 0);
        var withoutMonitor = new MeshTrajectory("x", sample.MeshPositions, 2, sample.Cells, 3, sample.NodeTypes, 1, 0, [sample.Field("solution")]);
        var error = Assert.Throws<InvalidDataException>(() => MeshMovementSample.FromTrajectory(withoutMonitor, "f.h5"));
        Assert.Contains("no one-channel 'monitor' field", error.Message);
        var negative = new MeshTrajectory("y", sample.MeshPositions, 2, sample.Cells, 3, sample.NodeTypes, 1, 0,
            [new TrajectoryField("monitor", 1, sample.Field("monitor").Values.Select((v, i) => i == 3 ? -1f : v).ToArray())]);
        Assert.Contains("monitor at node 3 is -1", Assert.Throws<InvalidDataException>(() => MeshMovementSample.FromTrajectory(negative, "f.h5")).Message);
        var noTarget = MeshMovementSample.FromTrajectory(new MeshTrajectory("z", sample.MeshPositions, 2, sample.Cells, 3, sample.NodeTypes, 1, 0, [sample.Field("monitor")]), "f.h5");
        Assert.Null(noTarget.Target);
        Assert.Throws<InvalidDataException>(() => new MeshMovementObjective().Prepare([noTarget], Device.CPU));
        using var dataFree = new MeshMovementObjective(new MeshMovementOptions(0, 0, 0, 1)).Prepare([noTarget], Device.CPU);
        Assert.Equal(1, dataFree.Count);
    }
}
