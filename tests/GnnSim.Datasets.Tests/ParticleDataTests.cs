using GnnSim.Datasets.Hdf5;
using GnnSim.Datasets.Particles;
using GnnSim.Solvers.Mpm;

namespace GnnSim.Datasets.Tests;

public sealed class ParticleDataTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("gnnsim-particles-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly MpmDatasetSettings Small = new() { Particles = 600, Frames = 5, Seed = 9 };

    [Fact]
    public void ParticleFilesRoundTripAndBadOnesNameTheProblem()
    {
        var path = Path.Combine(dir, "p.h5");
        var trajectory = new ParticleTrajectory("0", 2, [0.1f, 0.2f, 0.3f, 0.4f, 0.11f, 0.21f, 0.31f, 0.41f], [5, 6], 0.0025, [0.05, 0.95, 0.05, 0.95], "water",
            new Dictionary<string, double> { ["cells"] = 64 });
        ParticleTrajectoryFile.Write(path, [trajectory], generator: "test");
        Assert.True(ParticleTrajectoryFile.IsParticleFile(path));
        Assert.Equal("test", ParticleTrajectoryFile.Generator(path));
        var back = Assert.Single(ParticleTrajectoryFile.ReadAll(path));
        Assert.Equal(trajectory.Positions, back.Positions);
        Assert.Equal(trajectory.ParticleTypes, back.ParticleTypes);
        Assert.Equal((2, 2, 0.0025, "water"), (back.FrameCount, back.ParticleCount, back.Dt, back.Material));
        Assert.Equal(trajectory.Bounds, back.Bounds);
        Assert.Equal(64, back.Parameters["cells"]);

        // Three types for two particles: the reader names the file, the trajectory and the mismatch.
        var bad = Path.Combine(dir, "bad.h5");
        using (var file = Hdf5File.Create(bad))
        {
            file.SetAttribute("format", ParticleTrajectoryFile.FormatName);
            using var group = file.CreateGroup("7");
            group.Write<float>("position", new float[8], [2, 2, 2]);
            group.Write<int>("particle_type", new int[3], [3]);
            group.SetAttribute("dt", 0.01);
            group.SetAttribute("bounds", [0.0, 1, 0, 1]);
            group.SetAttribute("material", "sand");
        }
        var error = Assert.Throws<InvalidDataException>(() => ParticleTrajectoryFile.ReadAll(bad));
        Assert.Contains(bad, error.Message);
        Assert.Contains("trajectory 7: 2 particles in 'position' but 3 types", error.Message);
        var mesh = Path.Combine(dir, "mesh.h5");
        Meshes.MeshTrajectoryFile.Write(mesh, []);
        Assert.False(ParticleTrajectoryFile.IsParticleFile(mesh));
        Assert.Contains("not a GnnSim particle file", Assert.Throws<InvalidDataException>(() => ParticleTrajectoryFile.ReadAll(mesh)).Message);
    }

    [Theory]
    [InlineData(MpmMaterial.Water, MpmScene.DamBreak)]
    [InlineData(MpmMaterial.Sand, MpmScene.Blocks)]
    public void GeneratedTrajectoriesAreSeededTypedAndStayInTheirBox(MpmMaterial material, MpmScene scene)
    {
        var settings = Small with { Material = material, Scene = scene };
        var trajectory = MpmGenerator.Generate(settings, 1);
        Assert.Equal(trajectory.Positions, MpmGenerator.Generate(settings, 1).Positions);
        if (scene == MpmScene.Blocks) Assert.NotEqual(trajectory.Frame(0).ToArray(), MpmGenerator.Generate(settings, 2).Frame(0).ToArray()); // each trajectory its own blocks
        Assert.InRange(trajectory.ParticleCount, 0.7 * settings.Particles, 1.3 * settings.Particles);
        Assert.All(trajectory.ParticleTypes, t => Assert.Equal(MpmGenerator.TypeOf(material), t));
        Assert.Equal(settings.Frames, trajectory.FrameCount);
        for (var f = 0; f < trajectory.FrameCount; f++)
        {
            var frame = trajectory.Frame(f);
            for (var k = 0; k < frame.Length; k++) Assert.InRange(frame[k], trajectory.Bounds[2 * (k % 2)] - 1e-6, trajectory.Bounds[2 * (k % 2) + 1] + 1e-6);
        }
        // Gravity: the material's centre falls.
        double MeanY(int f) { var frame = trajectory.Frame(f).ToArray(); return frame.Where((_, k) => k % 2 == 1).Average(v => (double)v); }
        Assert.True(MeanY(settings.Frames - 1) < MeanY(0));
    }

    [Fact]
    public void TheFileGeneratorResumesAndRefusesOtherSettings()
    {
        var path = Path.Combine(dir, "water.h5");
        var parts = path + ".parts";
        Directory.CreateDirectory(parts);
        File.WriteAllText(Path.Combine(parts, "settings.txt"), Small.ToString());
        ParticleTrajectoryFile.Write(Path.Combine(parts, "00000.h5"), [MpmGenerator.Generate(Small, 0)]);
        var started = new List<int>();
        Assert.Equal((1, 1), MpmGenerator.GenerateFile(path, 2, Small, (index, _) => started.Add(index)));
        Assert.Equal([1], started);
        Assert.Equal(["0", "1"], ParticleTrajectoryFile.ReadAll(path).Select(t => t.Name));
        Assert.Equal((0, 2), MpmGenerator.GenerateFile(path, 2, Small));
        Assert.Contains("other settings", Assert.Throws<IOException>(() => MpmGenerator.GenerateFile(path, 2, Small with { Frames = 6 })).Message);
    }
}
