namespace GnnSim.Training.Tests;

/// <summary>Small hand-made trajectories for the operator tests.</summary>
internal static class Samples
{
    /// <summary>
    /// A triangulated n x n grid on the unit square whose two fields swirl: u = A(t) sin(pi x) cos(pi y),
    /// v = -A(t) cos(pi x) sin(pi y), A growing linearly, so each step changes the state smoothly.
    /// Border nodes are walls (their values are boundary conditions), the rest NORMAL.
    /// </summary>
    public static SimulationTrajectory Swirl(int n = 6, int frames = 5, string name = "swirl", float parameter = 0.5f)
    {
        var positions = new float[n * n * 2];
        var types = new int[n * n];
        var cells = new List<int>();
        for (var j = 0; j < n; j++)
        for (var i = 0; i < n; i++)
        {
            var k = j * n + i;
            positions[2 * k] = i / (float)(n - 1);
            positions[2 * k + 1] = j / (float)(n - 1);
            types[k] = i == 0 || j == 0 || i == n - 1 || j == n - 1 ? (int)NodeType.WallBoundary : (int)NodeType.Normal;
            if (i < n - 1 && j < n - 1) cells.AddRange([k, k + 1, k + n, k + 1, k + n + 1, k + n]);
        }
        var states = new float[frames * n * n * 2];
        for (var t = 0; t < frames; t++)
        for (var k = 0; k < n * n; k++)
        {
            double x = positions[2 * k], y = positions[2 * k + 1], amplitude = 0.5 + 0.25 * t;
            states[(t * n * n + k) * 2] = (float)(amplitude * Math.Sin(Math.PI * x) * Math.Cos(Math.PI * y));
            states[(t * n * n + k) * 2 + 1] = (float)(-amplitude * Math.Cos(Math.PI * x) * Math.Sin(Math.PI * y));
        }
        var graph = MeshEdges.FromCells(cells.ToArray(), 3, n * n);
        return new SimulationTrajectory(name, graph, positions, types, ["u", "v"], states, [parameter], 0.1) { Cells = cells.ToArray() };
    }

    /// <summary>A small MeshGraphNet (or the <paramref name="model"/> section, flow style) trained with a constant rate; <paramref name="training"/> replaces the training section (flow style).</summary>
    public static ExperimentConfig SmallConfig(int steps, string? training = null, string? model = null) => ExperimentConfig.Parse($"""
        model: {model ?? "{ latent: 32, message_passing_steps: 2, hidden_layers: 1 }"}
        optimizer: {"{"} learning_rate: 3.0e-3, schedule: constant, gradient_clip: 1.0 {"}"}
        training: {training ?? $"{{ steps: {steps}, batch_size: 1, noise_std: 0, checkpoint_every: 1000, log_every: 10, seed: 7 }}"}
        """, "test config");

    /// <summary>A simulator, its training set and a trainer for <paramref name="training"/>, disposed together.</summary>
    public sealed class TrainingRun(LearnedSimulator simulator, NextStateTrainingSet data, Trainer trainer) : IDisposable
    {
        public LearnedSimulator Simulator { get; } = simulator;
        public NextStateTrainingSet Data { get; } = data;
        public Trainer Trainer { get; } = trainer;

        public void Dispose()
        {
            Trainer.Dispose();
            Data.Dispose();
            Simulator.Dispose();
        }
    }

    public static TrainingRun StartRun(ExperimentConfig config, IReadOnlyList<SimulationTrajectory> training, string directory, bool resume = false)
    {
        var simulator = Experiment.CreateSimulator(config, training[0]);
        var data = simulator.ObjectiveAs<NextStateObjective>().Prepare(training, derivedEdgeSets: simulator.Model.DerivedEdgeSets);
        return new TrainingRun(simulator, data, new Trainer(config, simulator, data, directory, resume));
    }

    internal static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>The repository's root, found from the test's output folder.</summary>
    public static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "GnnSim.sln"))) root = root.Parent;
        Assert.NotNull(root);
        return root.FullName;
    }

    /// <summary>tests/data/RELATIVE.</summary>
    public static string TestData(string relative) => Path.Combine(RepositoryRoot(), "tests", "data", relative);

    public static string TemporaryDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "gnnsim-operators-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }
}
