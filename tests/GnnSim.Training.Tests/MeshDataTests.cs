using GnnSim.Datasets.CfdBench;
using GnnSim.Datasets.Meshes;

namespace GnnSim.Training.Tests;

public class MeshDataTests
{
    /// <summary>Swirl trajectories stored as our HDF5 mesh layout: velocity [T, N, 2], pressure [T, N, 1], an inflow-speed parameter (or none, as DeepMind's files).</summary>
    private static string WriteMeshFile(string directory, int count, bool withParameters = true)
    {
        var trajectories = Enumerable.Range(0, count).Select(i =>
        {
            var swirl = Samples.Swirl(frames: 4, name: $"{i}");
            var nodes = swirl.NodeCount;
            var pressure = new float[swirl.FrameCount * nodes];
            for (var k = 0; k < pressure.Length; k++) pressure[k] = swirl.States[2 * k] * swirl.States[2 * k + 1];
            return new MeshTrajectory($"{i}", swirl.Positions, 2, swirl.Cells!, 3, swirl.NodeTypes, swirl.FrameCount, 0.01,
                [new TrajectoryField("velocity", 2, swirl.States), new TrajectoryField("pressure", 1, pressure)],
                withParameters ? new Dictionary<string, double> { ["inflow_speed"] = 1 + i, ["solver_nx"] = 250 } : null);
        });
        var path = Path.Combine(directory, "mesh.h5");
        MeshTrajectoryFile.Write(path, trajectories);
        return path;
    }

    [Fact]
    public void MeshFilesBecomeTrajectoriesWithTheChosenFieldsAndSplits()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var path = WriteMeshFile(directory, 10);
            var config = ExperimentConfig.Parse($"data: {{ format: mesh, path: {path}, fields: [velocity, pressure], parameters: [inflow_speed] }}", "mesh.yaml");
            var train = Experiment.LoadTrajectories(config, DataSplit.Train);
            var test = Experiment.LoadTrajectories(config, DataSplit.Test);
            Assert.Equal(8, train.Count);
            Assert.Single(test);
            Assert.Empty(train.Select(t => t.Name).Intersect(test.Select(t => t.Name)));
            var first = train[0];
            Assert.Equal(["velocity_x", "velocity_y", "pressure"], first.FieldNames);
            Assert.Equal(first.Graph.EdgeCount, MeshEdges.FromCells(first.Cells!, 3, first.NodeCount).EdgeCount);
            Assert.Equal(0.01, first.Dt);
            Assert.Equal(1 + int.Parse(first.Name), first.Parameters[0]);
            // Node 7's pressure at frame 2 is its u * v there.
            var frame = first.Frame(2);
            Assert.Equal(frame[7 * 3] * frame[7 * 3 + 1], frame[7 * 3 + 2], 6);

            // A separate evaluation file serves dev and test whole.
            var evaluation = WriteMeshFile(Directory.CreateDirectory(Path.Combine(directory, "eval")).FullName, 3);
            var withEval = ExperimentConfig.Parse($"data: {{ format: mesh, path: {path}, eval_path: {evaluation} }}", "mesh.yaml");
            Assert.Equal(10, Experiment.LoadTrajectories(withEval, DataSplit.Train).Count);
            Assert.Equal(3, Experiment.LoadTrajectories(withEval, DataSplit.Test).Count);

            // Without data.parameters the model gets no case parameter (DeepMind's inputs); an unknown one is named.
            Assert.Empty(Experiment.LoadTrajectories(withEval, DataSplit.Train)[0].Parameters);
            var unknownParameter = ExperimentConfig.Parse($"data: {{ format: mesh, path: {path}, parameters: [reynolds] }}", "mesh.yaml");
            var parameterError = Assert.Throws<InvalidDataException>(() => Experiment.LoadTrajectories(unknownParameter, DataSplit.Train));
            Assert.Contains("no attribute 'reynolds'", parameterError.Message);
            Assert.Contains("inflow_speed", parameterError.Message);

            var missing = ExperimentConfig.Parse($"data: {{ format: mesh, path: {path}, fields: [density] }}", "mesh.yaml");
            var error = Assert.Throws<InvalidDataException>(() => Experiment.LoadTrajectories(missing, DataSplit.Train));
            Assert.Contains("no field 'density'", error.Message);
            Assert.Contains(path, error.Message);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void MeshGraphNetTrainsOnAMeshFile()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var path = WriteMeshFile(directory, 5);
            var config = ExperimentConfig.Parse($"""
                model: {"{"} latent: 16, message_passing_steps: 2 {"}"}
                data: {"{"} format: mesh, path: {path} {"}"}
                optimizer: {"{"} learning_rate: 3.0e-3, schedule: constant {"}"}
                training: {"{"} steps: 150, batch_size: 2, noise_std: 0.0, log_every: 50 {"}"}
                """, "mesh.yaml");
            var train = Experiment.LoadTrajectories(config, DataSplit.Train);
            using var run = Samples.StartRun(config, train, Path.Combine(directory, "run"));
            var losses = run.Trainer.Run();
            Assert.True(losses.TakeLast(10).Average() * 10 < losses.Take(5).Average(), $"loss {losses.Take(5).Average():E3} -> {losses.TakeLast(10).Average():E3}");

            // Trained on our files (whose attributes include solver bookkeeping), it runs on files without attributes, as DeepMind's are.
            var deepMindLike = WriteMeshFile(Directory.CreateDirectory(Path.Combine(directory, "deepmind")).FullName, 5, withParameters: false);
            var foreign = ExperimentConfig.Parse($"data: {{ format: mesh, path: {deepMindLike} }}", "mesh.yaml");
            var rollout = Rollout.Run(run.Simulator, Experiment.LoadTrajectories(foreign, DataSplit.Train)[0]);
            Assert.True(rollout.Prediction.All(float.IsFinite));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    /// <summary>A small MeshGraphNet trained 150 steps on what <paramref name="data"/> (a flow-style data section) names: its loss must fall tenfold.</summary>
    private static void AssertLearnsFrom(string data, Action<List<SimulationTrajectory>> check)
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var config = ExperimentConfig.Parse($"""
                model: {"{"} latent: 16, message_passing_steps: 2 {"}"}
                data: {data}
                optimizer: {"{"} learning_rate: 3.0e-3, schedule: constant {"}"}
                training: {"{"} steps: 150, noise_std: 0.0, log_every: 50 {"}"}
                """, "data.yaml");
            var train = Experiment.LoadTrajectories(config, DataSplit.Train);
            check(train);
            using var run = Samples.StartRun(config, train, Path.Combine(directory, "run"));
            var losses = run.Trainer.Run();
            Assert.True(losses.TakeLast(10).Average() * 10 < losses.Take(5).Average(), $"loss {losses.Take(5).Average():E3} -> {losses.TakeLast(10).Average():E3}");
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void MeshGraphNetTrainsFromAMeshGraphNetsNpzThroughTheConfig()
    {
        var npz = Samples.TestData("npz/swirl.npz");
        AssertLearnsFrom($"{{ format: npz, path: {npz}, dt: 0.01, fields: [velocity] }}", train =>
        {
            Assert.Equal(["velocity_x", "velocity_y"], train[0].FieldNames);
            Assert.Equal(0.01, train[0].Dt);
        });
        var noDt = ExperimentConfig.Parse($"data: {{ format: npz, path: {npz} }}", "npz.yaml");
        Assert.Contains("data.dt", Assert.Throws<InvalidDataException>(() => Experiment.LoadTrajectories(noDt, DataSplit.Train)).Message);
    }

    [Fact]
    public void MeshGraphNetTrainsFromAnXdmfTimeSeriesThroughTheConfig() =>
        AssertLearnsFrom($"{{ format: xdmf, path: {Samples.TestData("xdmf/swirl_series.xdmf")}, fields: [velocity] }}",
            train => Assert.Equal((36, 8), (train[0].NodeCount, train[0].FrameCount)));

    [Fact]
    public void MeshGraphNetTrainsFromAVtuSeriesWhoseNodeTypesComeFromTheGeometry()
    {
        // The swirl trajectory as a ParaView series without node types: data.boundary types the square's sides.
        var directory = Samples.TemporaryDirectory();
        try
        {
            var source = Datasets.Meshes.MeshGraphNetsNpz.Read(Samples.TestData("npz/swirl.npz"), dt: 0.01);
            var untyped = new Datasets.Meshes.MeshTrajectory("swirl", source.MeshPositions, 2, source.Cells, 3, new int[source.NodeCount], source.FrameCount, source.Dt, [source.Field("velocity")]);
            var pvd = Datasets.Vtu.VtuTrajectory.Write(Path.Combine(directory, "swirl.pvd"), untyped);
            foreach (var step in Directory.GetFiles(Path.Combine(directory, "swirl")))
                File.WriteAllBytes(step, System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(step)).Replace("Name=\"node_type\"", "Name=\"label\"")));
            var withoutTypes = ExperimentConfig.Parse($"data: {{ format: vtu, path: {pvd}, fields: [velocity] }}", "vtu.yaml");
            Assert.Contains("data.boundary", Assert.Throws<InvalidDataException>(() => Experiment.LoadTrajectories(withoutTypes, DataSplit.Train)).Message);
            Assert.Contains("PART=TYPE", Assert.Throws<InvalidDataException>(() => ExperimentConfig.Parse($"data: {{ format: vtu, path: {pvd}, boundary: \"sides=wall\" }}", "vtu.yaml")).Message);
            AssertLearnsFrom($"{{ format: vtu, path: {pvd}, fields: [velocity], boundary: \"left=wall,right=wall,top=wall,bottom=wall\" }}", train =>
            {
                Assert.Equal((36, 8, 0.01), (train[0].NodeCount, train[0].FrameCount, Math.Round(train[0].Dt, 9)));
                Assert.Equal(source.NodeTypes, train[0].NodeTypes); // the file's own types were the border's walls
            });
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
