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

public sealed class GnsDatasetTests : IDisposable
{
    /// <summary>Runs a writer under tests/tools with Debian's Python; a failure shows its standard error.</summary>
    static void RunTool(string script, string directory)
    {
        var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(TestData.Path(".."), "tools", script));
        info.ArgumentList.Add(directory);
        using var process = System.Diagnostics.Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000) && process.ExitCode == 0, error);
    }

    readonly string dir = Directory.CreateTempSubdirectory("gnnsim-gns-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void DeepMindsMetadataReads()
    {
        var metadata = GnsDataset.ReadMetadata(TestData.Path("gns"));
        Assert.Equal([0.1, 0.9, 0.1, 0.9], metadata.Bounds);
        Assert.Equal((1000, 2, 0.0025, 0.015), (metadata.SequenceLength, metadata.Dimension, metadata.Dt, metadata.ConnectivityRadius));
        Assert.Equal(0.0013722809722366911, metadata.VelocityStd[0]);
        Assert.Equal(8.700719180424815e-5, metadata.AccelerationStd[1]);
    }

    [Fact]
    public void ATfRecordWrittenByPythonReads()
    {
        // tests/tools/write_gns_tfrecord.py builds the protobuf bytes and the TFRecord framing (CRC32C) by hand.
        RunTool("write_gns_tfrecord.py", dir);
        var read = GnsDataset.Read(dir, "test");
        Assert.Equal(2, read.Count);
        for (var k = 0; k < 2; k++)
        {
            var t = read[k];
            Assert.Equal((3 + k, 4, 0.0025), (t.ParticleCount, t.FrameCount, t.Dt));
            Assert.All(t.ParticleTypes, type => Assert.Equal(5 + k, type));
            for (var step = 0; step < 4; step++)
            for (var i = 0; i < t.ParticleCount; i++)
            {
                Assert.Equal((float)(0.1 + 0.01 * i + 0.001 * step), t.Frame(step)[2 * i]);
                Assert.Equal((float)(0.5 - 0.002 * step * k), t.Frame(step)[2 * i + 1]);
            }
        }
        Assert.Equal(["water", "sand"], read.Select(t => t.Material));
    }

    [Fact]
    public void GnsNpzFilesWrittenByNumpyReadInBothLayouts()
    {
        // tests/tools/write_gns_npz.py saves pickled object arrays with numpy, as GNS's tools do.
        RunTool("write_gns_npz.py", dir);
        foreach (var split in new[] { "train", "valid" })
        {
            var read = GnsDataset.Read(dir, split); // gns_data (float32) and one entry per trajectory (float64)
            Assert.Equal(2, read.Count);
            for (var k = 0; k < 2; k++)
            {
                var t = read[k];
                Assert.Equal((3 + k, 4, 0.0025, 0.015), (t.ParticleCount, t.FrameCount, t.Dt, t.Parameters["connectivity_radius"]));
                Assert.All(t.ParticleTypes, type => Assert.Equal(5 + k, type));
                for (var step = 0; step < 4; step++)
                for (var i = 0; i < t.ParticleCount; i++)
                {
                    Assert.Equal((float)(0.1 + 0.01 * i + 0.001 * step), t.Frame(step)[2 * i], 1e-6);
                    Assert.Equal((float)(0.5 - 0.002 * step * k), t.Frame(step)[2 * i + 1], 1e-6);
                }
            }
        }

        // A pickle that asks for anything but numpy's arrays is refused by name, never run.
        var hostile = Path.Combine(dir, "hostile");
        Directory.CreateDirectory(hostile);
        File.Copy(Path.Combine(dir, GnsDataset.MetadataFile), Path.Combine(hostile, GnsDataset.MetadataFile));
        // PROTO 3, GLOBAL 'os system', BINUNICODE 'true', TUPLE1, REDUCE, STOP: os.system("true") if it were run.
        byte[] pickle = [0x80, 3, (byte)'c', .. "os\nsystem\n"u8, (byte)'X', 4, 0, 0, 0, .. "true"u8, 0x85, (byte)'R', (byte)'.'];
        using (var zip = System.IO.Compression.ZipFile.Open(Path.Combine(hostile, "test.npz"), System.IO.Compression.ZipArchiveMode.Create))
        using (var stream = zip.CreateEntry("gns_data.npy").Open())
        {
            var header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
            header += new string(' ', 63 - (10 + header.Length) % 64) + "\n";
            stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0]);
            stream.Write(System.Text.Encoding.Latin1.GetBytes(header));
            stream.Write(pickle);
        }
        var refused = Assert.Throws<InvalidDataException>(() => GnsDataset.Read(hostile, "test"));
        Assert.Contains("refuses to load 'os.system'", refused.Message);
        Assert.Contains("test.npz", refused.Message);
    }

    [Fact]
    public void OurTfRecordsRoundTripThroughTheReaderWithTheirStatistics()
    {
        var settings = new MpmDatasetSettings { Particles = 600, Frames = 6, Seed = 4 };
        var written = new[] { MpmGenerator.Generate(settings, 0), MpmGenerator.Generate(settings, 1) };
        GnsDataset.Write(dir, "train", written);
        var read = GnsDataset.Read(dir, "train");
        Assert.Equal(2, read.Count);
        for (var k = 0; k < 2; k++)
        {
            Assert.Equal(written[k].Positions, read[k].Positions);
            Assert.Equal(written[k].ParticleTypes, read[k].ParticleTypes);
            Assert.Equal((written[k].Dt, "water"), (read[k].Dt, read[k].Material));
            Assert.Equal(written[k].Bounds, read[k].Bounds);
        }
        var metadata = GnsDataset.ReadMetadata(dir);
        Assert.Equal(5, metadata.SequenceLength);
        // The velocity statistics are those of the position differences per step.
        var differences = Enumerable.Range(1, 5).SelectMany(f => written.SelectMany(t =>
        {
            var now = t.Frame(f).ToArray();
            var before = t.Frame(f - 1).ToArray();
            return now.Select((v, i) => (Axis: i % 2, Value: (double)v - before[i]));
        })).Where(d => d.Axis == 1).Select(d => d.Value).ToArray();
        Assert.Equal(differences.Average(), metadata.VelocityMean[1], 9);

        // A record whose steps are short names the file, the record and the step.
        var broken = Path.Combine(dir, "valid.tfrecord");
        TfRecord.TfRecordFile.Write(broken, [TfRecord.TfSequenceExample.Encode(
            new Dictionary<string, TfRecord.TfFeature> { ["particle_type"] = TfRecord.TfFeature.OfBytes(new byte[16]) },
            new Dictionary<string, IReadOnlyList<TfRecord.TfFeature>> { ["position"] = [TfRecord.TfFeature.OfBytes(new byte[12])] })]);
        var error = Assert.Throws<InvalidDataException>(() => GnsDataset.Read(dir, "valid"));
        Assert.Contains("record 0: step 0 of 'position' is not 16 bytes", error.Message);
    }
}
