using GnnSim.Datasets.Particles;

namespace GnnSim.Training.Tests;

/// <summary>The particle objective (GNS's features, target and integrator), GNS on it, and particle rollouts.</summary>
public class ParticleDynamicsTests
{
    const int History = 5;

    /// <summary>
    /// Particles on circles of their own (each accelerates towards its centre, a known trajectory)
    /// in the unit box, and <paramref name="kinematic"/> kinematic particles sliding across it.
    /// </summary>
    internal static ParticleTrajectory Orbits(int particles = 40, int frames = 30, int kinematic = 2, string name = "orbits", int seed = 1)
    {
        var random = new Random(seed);
        var n = particles + kinematic;
        var centres = Enumerable.Range(0, particles).Select(_ => (X: 0.3 + 0.4 * random.NextDouble(), Y: 0.3 + 0.4 * random.NextDouble(), Phase: 2 * Math.PI * random.NextDouble())).ToArray();
        var positions = new float[frames * n * 2];
        for (var t = 0; t < frames; t++)
        {
            for (var i = 0; i < particles; i++)
            {
                var angle = centres[i].Phase + 0.15 * t;
                positions[(t * n + i) * 2] = (float)(centres[i].X + 0.1 * Math.Cos(angle));
                positions[(t * n + i) * 2 + 1] = (float)(centres[i].Y + 0.1 * Math.Sin(angle));
            }
            for (var k = 0; k < kinematic; k++)
            {
                positions[(t * n + particles + k) * 2] = (float)(0.1 + 0.02 * t);
                positions[(t * n + particles + k) * 2 + 1] = (float)(0.2 + 0.3 * k);
            }
        }
        var types = Enumerable.Repeat(GnsParticleTypes.Water, particles).Concat(Enumerable.Repeat(GnsParticleTypes.Kinematic, kinematic)).ToArray();
        return new ParticleTrajectory(name, 2, positions, types, 0.0025, [0.0, 1.0, 0.0, 1.0], "water");
    }

    static ParticleDynamicsObjective Objective(IReadOnlyList<ParticleTrajectory> data, double radius = 0.08, double noise = 0)
    {
        var objective = new ParticleDynamicsObjective(2, new ParticleDynamicsOptions(radius, History, noise));
        objective.FitStatistics(data);
        return objective;
    }

    static ExperimentConfig Config(int steps, string model = "{ name: gns, latent: 32, message_passing_steps: 2, hidden_layers: 1, type_embedding: 4 }", double noise = 0, int batch = 1) => ExperimentConfig.Parse($$"""
        model: {{model}}
        data: { format: particles, path: unused.h5, connectivity_radius: 0.08 }
        optimizer: { learning_rate: 3.0e-3, schedule: constant, gradient_clip: 0 }
        training: { objective: particle_dynamics, steps: {{steps}}, batch_size: {{batch}}, noise_std: {{noise}}, checkpoint_every: 1000, log_every: 10, seed: 3 }
        """, "particle test config");

    [Fact]
    public void StatisticsAreTheMovingParticlesVelocityAndAccelerationMoments()
    {
        // Two groups at constant velocities (0.01, 0) and (0.03, -0.02) per step, and a kinematic particle far faster, which must not count.
        var frames = 4;
        var positions = new float[frames * 3 * 2];
        for (var t = 0; t < frames; t++)
        {
            positions[t * 6] = 0.1f + 0.01f * t; positions[t * 6 + 1] = 0.5f;
            positions[t * 6 + 2] = 0.2f + 0.03f * t; positions[t * 6 + 3] = 0.5f - 0.02f * t;
            positions[t * 6 + 4] = 0.1f * t; positions[t * 6 + 5] = 0.9f;
        }
        var trajectory = new ParticleTrajectory("two", 2, positions, [GnsParticleTypes.Water, GnsParticleTypes.Water, GnsParticleTypes.Kinematic], 0.01, [0, 1, 0, 1], "water");
        var (vMean, vStd, aMean, aStd) = Objective([trajectory]).Statistics;
        Assert.Equal(0.02, vMean[0], 1e-6);
        Assert.Equal(-0.01, vMean[1], 1e-6);
        Assert.Equal(0.01, vStd[0], 1e-6);
        Assert.Equal(0.01, vStd[1], 1e-6);
        // No acceleration anywhere (float32 rounding is not motion): a std of 0, which the noise alone widens.
        Assert.All(aMean, a => Assert.Equal(0, a, 1e-6));
        Assert.All(aStd, s => Assert.Equal(0, s));
    }

    [Fact]
    public void TheGraphIsTheRadiusGraphOfTheNewestPositionsRebuiltEveryStep()
    {
        var trajectory = Orbits();
        var objective = Objective([trajectory], noise: 1e-3);
        using var particles = ParticleTensors.Create(trajectory);
        using var scope = torch.NewDisposeScope();
        const double radius = 0.08;
        var edgeSets = new List<HashSet<(int, int)>>();
        foreach (var frame in new[] { 5, 20 })
        {
            var graph = objective.Graph(particles, particles.History(frame, History));
            var edges = graph.EdgeSets[OperatorBatch.RadiusEdges];
            var p = trajectory.Frame(frame).ToArray();
            // Every pair within the radius, each particle with itself, by brute force.
            var expected = new HashSet<(int, int)>();
            for (var r = 0; r < trajectory.ParticleCount; r++)
                for (var s = 0; s < trajectory.ParticleCount; s++)
                    if (Math.Pow((double)p[2 * s] - p[2 * r], 2) + Math.Pow((double)p[2 * s + 1] - p[2 * r + 1], 2) <= radius * radius) expected.Add((s, r));
            var senders = edges.Senders.ToArray<long>();
            var receivers = edges.Receivers.ToArray<long>();
            var actual = senders.Zip(receivers, (s, r) => ((int)s, (int)r)).ToHashSet();
            Assert.Equal(senders.Length, actual.Count);
            Assert.True(expected.SetEquals(actual), $"frame {frame}: {expected.Count} pairs within the radius, the graph has {actual.Count}");
            edgeSets.Add(actual);

            // Edge inputs: (p_s - p_r) / R and its norm; node inputs as GNS writes them.
            var features = edges.Features!.ToArray<float>();
            var e = Array.FindIndex(senders, s => s != receivers[Array.IndexOf(senders, s)]);
            int es = (int)senders[e], er = (int)receivers[e];
            double dx = (p[2 * es] - p[2 * er]) / radius, dy = (p[2 * es + 1] - p[2 * er + 1]) / radius;
            Assert.Equal(dx, features[3 * e], 1e-5);
            Assert.Equal(dy, features[3 * e + 1], 1e-5);
            Assert.Equal(Math.Sqrt(dx * dx + dy * dy), features[3 * e + 2], 1e-5);

            var inputs = graph.NodeInputs.ToArray<float>();
            var width = objective.Widths.NodeInputs;
            Assert.Equal((History + 2) * 2 + GnsParticleTypes.Count, width);
            var (vMean, vStd, _, _) = objective.Statistics;
            var before = trajectory.Frame(frame - 1).ToArray();
            var oldest = trajectory.Frame(frame - History).ToArray();
            const int particle = 3;
            double Widened(float std) => Math.Sqrt(std * (double)std + 1e-6);
            // The newest velocity is the last of the C, the oldest the first.
            Assert.Equal((p[2 * particle] - before[2 * particle] - vMean[0]) / Widened(vStd[0]), inputs[particle * width + 2 * (History - 1)], 1e-3);
            var second = trajectory.Frame(frame - History + 1).ToArray();
            Assert.Equal((second[2 * particle + 1] - oldest[2 * particle + 1] - vMean[1]) / Widened(vStd[1]), inputs[particle * width + 1], 1e-3);
            // Walls: distance to the lower x wall over R, clipped at 1 (the orbits stay 0.1 from every wall, so the kinematic sliders show an unclipped one).
            Assert.Equal(1, inputs[particle * width + 2 * History], 1e-6);
            var slider = trajectory.ParticleCount - 2;
            Assert.Equal(Math.Min(1, p[2 * slider] / radius), inputs[slider * width + 2 * History], 1e-5);
            Assert.Equal(1, inputs[particle * width + (History + 2) * 2 + GnsParticleTypes.Water]);
            Assert.Equal(1, inputs[slider * width + (History + 2) * 2 + GnsParticleTypes.Kinematic]);
        }
        Assert.False(edgeSets[0].SetEquals(edgeSets[1]), "the particles moved, so the graph must change");
    }

    [Fact]
    public void TheIntegratorReproducesAKnownTrajectoryFromItsTrueAccelerations()
    {
        var trajectory = Orbits(kinematic: 0, frames: 40);
        var objective = Objective([trajectory], noise: 6.7e-4);
        using var particles = ParticleTensors.Create(trajectory);
        using var scope = torch.NewDisposeScope();
        var history = particles.History(History, History);
        for (var t = History; t < trajectory.FrameCount - 1; t++)
        {
            // The true acceleration in the operator's units, integrated from the integrator's own previous positions.
            var acceleration = particles.At(t + 1) - particles.At(t) * 2.0 + particles.At(t - 1);
            var next = objective.Integrate(history, objective.NormalizedAcceleration(acceleration));
            var error = (next - particles.At(t + 1)).abs().max().item();
            Assert.True(error < 2e-5, $"step {t}: the integrated positions are {error} off the trajectory");
            history = torch.cat([history.narrow(0, 1, History), next.unsqueeze(0)]);
        }
    }

    [Theory]
    [InlineData("orbits")]
    [InlineData("mpm")]
    public void GnsOverfitsAShortTrajectory(string kind)
    {
        // The orbits' acceleration is the latest velocity turned a quarter (centripetal); MPM water's is the solver's.
        var trajectory = kind == "orbits" ? Orbits(frames: 16) : MpmGenerator.Generate(new MpmDatasetSettings { Particles = 120, Frames = 14, Seed = 5 }, 0);
        var directory = Samples.TemporaryDirectory();
        try
        {
            // MPM water falls freely for most of these frames: its accelerations hardly vary, and the noise sets their scale (as in GNS).
            var config = Config(300, noise: kind == "orbits" ? 0 : 6.7e-4);
            config.Data.ConnectivityRadius = kind == "orbits" ? 0.08 : trajectory.Parameters["connectivity_radius"];
            using var simulator = Experiment.CreateParticleSimulator(config, 2);
            var objective = simulator.ObjectiveAs<ParticleDynamicsObjective>();
            objective.FitStatistics([trajectory]);
            using var data = objective.Prepare([trajectory]);
            Assert.Equal(trajectory.FrameCount - History - 1, data.Count);
            using var trainer = new Trainer(config, simulator, data, directory, resume: false);
            var losses = trainer.Run();
            double first = losses.Take(20).Average(), last = losses.TakeLast(20).Average();
            Assert.True(last < first / 10, $"the loss fell from {first:E3} to {last:E3}, not tenfold");
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void GnsGivesEachGraphOfABatchWhatItGivesAlone()
    {
        using var simulator = Experiment.CreateParticleSimulator(Config(1), 2);
        AssertBatchOfTwoIsEachAlone(simulator);
    }

    /// <summary>Two orbit graphs of different sizes joined in one batch give what each gives alone.</summary>
    internal static void AssertBatchOfTwoIsEachAlone(LearnedSimulator simulator)
    {
        ParticleTrajectory[] data = [Orbits(name: "a", seed: 1), Orbits(particles: 25, name: "b", seed: 2)];
        var objective = simulator.ObjectiveAs<ParticleDynamicsObjective>();
        objective.FitStatistics(data);
        using var a = ParticleTensors.Create(data[0]);
        using var b = ParticleTensors.Create(data[1]);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var graphs = new[] { objective.Graph(a, a.History(8, History)), objective.Graph(b, b.History(12, History)) };
        var together = simulator.Model.forward(OperatorBatch.Combine(graphs)).ToArray<float>();
        var alone = graphs.SelectMany(g => simulator.Model.forward(OperatorBatch.Combine([g])).ToArray<float>()).ToArray();
        Assert.Equal(alone.Length, together.Length);
        for (var i = 0; i < alone.Length; i++) Assert.Equal(alone[i], together[i], 1e-5);
    }

    [Fact]
    public void ARolloutStartsFromTheTruthAndMovesKinematicParticlesAsTheDataDoes()
    {
        var trajectory = Orbits(frames: 20);
        using var simulator = Experiment.CreateParticleSimulator(Config(1), 2);
        simulator.ObjectiveAs<ParticleDynamicsObjective>().FitStatistics([trajectory]);
        var rollout = ParticleRollout.Run(simulator, trajectory, startFrame: 0, steps: 8);
        Assert.Equal(History, rollout.StartFrame); // raised: the first step needs C past velocities
        Assert.Equal(8, rollout.Steps);
        var n = trajectory.ParticleCount;
        Assert.Equal(trajectory.Frame(History).ToArray(), rollout.Prediction.AsSpan(0, 2 * n).ToArray());
        for (var s = 1; s <= rollout.Steps; s++)
        {
            var truth = trajectory.Frame(History + s).ToArray();
            Assert.Equal(truth, rollout.Truth.AsSpan(s * 2 * n, 2 * n).ToArray());
            for (var k = 2 * (n - 2); k < 2 * n; k++) Assert.Equal(truth[k], rollout.Prediction[s * 2 * n + k]);
        }
        // An untrained model does not follow the orbits: the moving particles' error is scored, the kinematic ones' is not.
        var metrics = RolloutMetrics.ForCase(rollout);
        Assert.True(metrics.Model[^1].Mse > 0);
        Assert.Equal(2, rollout.Trajectory.PredictedNodes().Count(p => !p));
    }

    [Fact]
    public void ParticleConfigsPairTheObjectiveWithParticleData()
    {
        var mesh = Assert.Throws<InvalidDataException>(() => ExperimentConfig.Parse("""
            model: { name: gns }
            data: { format: mesh, path: x.h5 }
            training: { objective: particle_dynamics }
            """, "c.yaml"));
        Assert.Contains("data.format", mesh.Message);
        var wrongModel = Assert.Throws<InvalidDataException>(() => ExperimentConfig.Parse("""
            model: { name: meshgraphnet }
            data: { format: particles, path: x.h5 }
            training: { objective: particle_dynamics }
            """, "c.yaml"));
        Assert.Contains("next_state", wrongModel.Message);
        var radius = Assert.Throws<InvalidDataException>(() => ExperimentConfig.Parse("""
            model: { name: gns }
            data: { format: particles, path: x.h5, connectivity_radius: -1 }
            training: { objective: particle_dynamics }
            """, "c.yaml"));
        Assert.Contains("data.connectivity_radius", radius.Message);
    }

    [Fact]
    public void TheChamferDistanceIsTheMeanSquaredNearestDistanceBothWays()
    {
        // A 5 x 5 lattice of spacing 0.1, and the same shifted by 0.01 in x and listed backwards: every nearest
        // neighbour is the shifted twin, 0.01 away, so each way gives 1e-4.
        var a = Enumerable.Range(0, 25).SelectMany(k => new[] { 0.1f * (k % 5), 0.1f * (k / 5) }).ToArray();
        var b = Enumerable.Range(0, 25).Reverse().SelectMany(k => new[] { 0.1f * (k % 5) + 0.01f, 0.1f * (k / 5) }).ToArray();
        Assert.Equal(2e-4, ParticleScores.Chamfer(a, b), 1e-9);
        Assert.Equal(0, ParticleScores.Chamfer(a, a));
        // One point more on one side only counts on its way: (0.5, 0) is 0.1 from the lattice's nearest, (0.4, 0).
        var c = a.Concat(new[] { 0.5f, 0f }).ToArray();
        Assert.Equal(0.01 / 26, ParticleScores.Chamfer(c, a), 1e-9);
    }
}
