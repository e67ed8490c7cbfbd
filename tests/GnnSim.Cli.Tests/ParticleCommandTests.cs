namespace GnnSim.Cli.Tests;

public sealed class ParticleCommandTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("gnnsim-particle-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void MpmDataGeneratesDescribesAnimatesAndTravelsToGnsAndBack()
    {
        var data = Path.Combine(dir, "water.h5");
        var (exitCode, output, error) = CliRunner.Run("generate", "mpm", "--material", "water", "--scene", "dam-break", "--trajectories", "2", "--particles", "500", "--frames", "4", "--out", data);
        Assert.True(exitCode == 0, error + output);
        (exitCode, output, error) = CliRunner.Run("info", data);
        Assert.True(exitCode == 0, error);
        Assert.Contains("GnnSim particle trajectories", output);
        Assert.Contains("water", output);

        var gns = Path.Combine(dir, "gns");
        (exitCode, _, error) = CliRunner.Run("export", data, "--format", "gns", "--split", "valid", "--out", gns);
        Assert.True(exitCode == 0, error);
        Assert.True(File.Exists(Path.Combine(gns, "valid.tfrecord")) && File.Exists(Path.Combine(gns, "metadata.json")));
        var back = Path.Combine(dir, "back.h5");
        (exitCode, output, error) = CliRunner.Run("convert", "gns", gns, "--split", "valid", "--out", back);
        Assert.True(exitCode == 0, error);
        var original = Datasets.Particles.ParticleTrajectoryFile.ReadAll(data);
        var converted = Datasets.Particles.ParticleTrajectoryFile.ReadAll(back);
        Assert.Equal(original.Select(t => t.Positions), converted.Select(t => t.Positions));

        // An animation of the frames, coloured by speed; a snapshot is refused with the way to draw it.
        var gif = Path.Combine(dir, "water.gif");
        (exitCode, _, error) = CliRunner.Run("plot", data, "--animate", "--case", "1", "--out", gif);
        Assert.True(exitCode == 0, error);
        Assert.Equal("GIF89a"u8.ToArray(), File.ReadAllBytes(gif)[..6]);
        (exitCode, _, error) = CliRunner.Run("plot", data, "--out", Path.Combine(dir, "water.png"));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("draw it with --animate", error);

        (exitCode, _, error) = CliRunner.Run("export", data, "--format", "vtk", "--out", Path.Combine(dir, "vtk"));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("a particle file exports as --format gns", error);
    }

    [Theory]
    [InlineData("{ name: gns, latent: 16, message_passing_steps: 2, hidden_layers: 1, type_embedding: 4 }", 1.0)]
    [InlineData("{ name: giorom, latent: 16, interaction_layers: 1, hidden_layers: 1, type_embedding: 4, grid_side: 4, grid_width: 8, kernel_hidden: 8, transformer_layers: 1, heads: 2, field_hidden: 8 }", 0.3)]
    public void ParticleOperatorsTrainRollOutScoreDrawAndReport(string model, double fraction)
    {
        var data = Path.Combine(dir, "water.h5");
        var (exitCode, output, error) = CliRunner.Run("generate", "mpm", "--material", "water", "--trajectories", "5", "--particles", "150", "--frames", "14", "--seed", "3", "--out", data);
        Assert.True(exitCode == 0, error + output);
        var config = Path.Combine(dir, "gns.yaml");
        File.WriteAllText(config, $$"""
            model: {{model}}
            data: { format: particles, path: {{data}} }
            optimizer: { learning_rate: 1.0e-3, schedule: constant }
            training: { objective: particle_dynamics, steps: 12, batch_size: 2, noise_std: 6.7e-4, particle_fraction: {{fraction}}, particle_sampling: farthest, log_every: 4, checkpoint_every: 12 }
            """);
        var run = Path.Combine(dir, "run");
        (exitCode, output, error) = CliRunner.Run("train", config, "--out", run);
        Assert.True(exitCode == 0, error + output);
        Assert.Contains("particles each", output);
        // The radius generate mpm recorded (2.5 particle spacings) became the run's.
        Assert.Matches(@"connectivity_radius: 0\.0\d+", File.ReadAllText(Path.Combine(run, "config.yaml")));

        (exitCode, output, error) = CliRunner.Run("eval", run);
        Assert.True(exitCode == 0, error + output);
        Assert.Contains("persistence", output);
        Assert.Contains("Chamfer", output);
        Assert.True(File.Exists(Path.Combine(run, "eval.json")) && File.Exists(Path.Combine(run, "chamfer.csv")));

        var rollout = Path.Combine(run, "rollout.h5");
        (exitCode, output, error) = CliRunner.Run("rollout", run, "--out", rollout);
        Assert.True(exitCode == 0, error + output);
        var stored = Training.Evaluation.RolloutFile.Read(rollout);
        Assert.True(Training.Evaluation.ParticleRollout.IsParticleRollout(stored[0]));
        Assert.Equal(5, stored[0].StartFrame); // the first 5 velocities are the history
        Assert.Equal(14 - 1 - 5, stored[0].Steps);
        // GIOROM rolls out its sample and answers for every particle through its neural field.
        var generated = Datasets.Particles.ParticleTrajectoryFile.ReadAll(data).First(t => t.Name == stored[0].Case);
        Assert.Equal(generated.ParticleCount, stored[0].NodeCount);
        Assert.Equal(fraction < 1, stored[0].QueryPoints is not null);

        var png = Path.Combine(dir, "particles.png");
        (exitCode, _, error) = CliRunner.Run("plot", rollout, "--particles", "--step", "3", "--out", png);
        Assert.True(exitCode == 0, error);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
        var gif = Path.Combine(dir, "particles.gif");
        (exitCode, _, error) = CliRunner.Run("plot", rollout, "--animate", "--frames", "4", "--out", gif);
        Assert.True(exitCode == 0, error);
        Assert.Equal("GIF89a"u8.ToArray(), File.ReadAllBytes(gif)[..6]);

        (exitCode, _, error) = CliRunner.Run("report", run);
        Assert.True(exitCode == 0, error);
        var html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("position error against rollout step", html);
        Assert.Contains("particles per case", html);
    }
}
