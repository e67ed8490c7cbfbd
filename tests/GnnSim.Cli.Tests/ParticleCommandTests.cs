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
}
