using GnnSim.Datasets.Hdf5;
using GnnSim.Datasets.Meshes;

namespace GnnSim.Datasets.Tests;

public sealed class Hdf5Tests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("gnnsim-h5-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void DatasetsOfEveryTypeRoundTripWithAndWithoutCompression()
    {
        var path = Path.Combine(dir, "types.h5");
        var floats = Enumerable.Range(0, 600 * 7 * 2).Select(k => MathF.Sin(k * 0.01f)).ToArray();
        var doubles = Enumerable.Range(0, 30).Select(k => Math.PI * k).ToArray();
        var ints = Enumerable.Range(-5, 12).ToArray();
        var longs = new[] { long.MinValue, -1L, 0L, long.MaxValue };
        using (var file = Hdf5File.Create(path))
        {
            file.Write<float>("plain", floats, [600, 7, 2]);
            file.Write<float>("packed", floats, [600, 7, 2], Hdf5Storage.Compressed);
            using var group = file.CreateGroup("nested");
            group.Write<double>("doubles", doubles, [5, 6], new Hdf5Storage(Chunk: [2, 6], GzipLevel: 9));
            group.Write<int>("ints", ints, [12]);
            group.Write<long>("longs", longs, [2, 2], Hdf5Storage.Compressed);
            group.Write<float>("empty", [], [0, 3], Hdf5Storage.Compressed);
        }
        using (var file = Hdf5File.OpenRead(path))
        {
            Assert.Equal(["nested", "packed", "plain"], [.. file.GroupNames().Concat(file.DatasetNames()).Order()]);
            Assert.Equal(floats, file.Read<float>("plain", out var shape));
            Assert.Equal([600L, 7, 2], shape);
            Assert.Equal(floats, file.Read<float>("packed", 3, out _));
            var (packedShape, packedType) = file.Describe("packed");
            Assert.Equal([600L, 7, 2], packedShape);
            Assert.Equal(Hdf5ElementType.Float32, packedType);
            using var group = file.OpenGroup("nested");
            Assert.Equal(doubles, group.Read<double>("doubles", out shape));
            Assert.Equal([5L, 6], shape);
            Assert.Equal(ints, group.Read<int>("ints", out _));
            Assert.Equal(ints.Select(i => (float)i), group.Read<float>("ints", out _)); // integers convert to float on reading
            Assert.Equal(longs, group.Read<long>("longs", out _));
            Assert.Empty(group.Read<float>("empty", out shape));
            Assert.Equal([0L, 3], shape);
        }
    }

    [Fact]
    public void AProcessStartedWhileAFileIsWrittenDoesNotKeepItFromBeingRead()
    {
        // libhdf5 opens files without close-on-exec, so a process that another thread starts while a file
        // is being written inherits the descriptor. The writer's lock must not live on in that process:
        // it made reading a freshly generated file fail now and then ("unable to lock file", errno 11).
        var path = Path.Combine(dir, "inherited.h5");
        System.Diagnostics.Process child;
        using (var file = Hdf5File.Create(path))
        {
            file.Write<float>("x", [1, 2, 3], [3]);
            child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        }
        try
        {
            using var read = Hdf5File.OpenRead(path);
            Assert.Equal([1f, 2, 3], read.Read<float>("x", out _));
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
            child.Dispose();
        }
    }

    [Fact]
    public void GzipStorageCompressesWhatIsCompressible()
    {
        var frames = Enumerable.Range(0, 200 * 1000 * 2).Select(k => (k / 2000 % 50) * 0.25f).ToArray(); // a field that changes per frame only
        long SizeWith(Hdf5Storage? storage)
        {
            var path = Path.Combine(dir, $"size{storage?.GzipLevel ?? -1}.h5");
            using (var file = Hdf5File.Create(path)) file.Write<float>("velocity", frames, [200, 1000, 2], storage);
            using (var file = Hdf5File.OpenRead(path)) Assert.Equal(frames, file.Read<float>("velocity", out _));
            return new FileInfo(path).Length;
        }
        long plain = SizeWith(null), packed = SizeWith(Hdf5Storage.Compressed);
        Assert.True(plain >= frames.Length * sizeof(float));
        Assert.True(packed < plain / 20, $"gzip gave {packed} bytes against {plain} plain");
    }

    [Fact]
    public void AttributesRoundTripAndAreReplacedOnRewrite()
    {
        var path = Path.Combine(dir, "attributes.h5");
        using (var file = Hdf5File.Create(path))
        {
            using var group = file.CreateGroup("0");
            group.SetAttribute("dt", 0.01);
            group.SetAttribute("dt", 0.02);
            group.SetAttribute("limits", [1.5, -2.5, 3]);
            group.SetAttribute("description", "Kármán street, Re = 100");
            file.SetAttribute("count", 1);
        }
        using (var file = Hdf5File.OpenRead(path))
        {
            Assert.Equal(1.0, file.ReadNumber("count"));
            using var group = file.OpenGroup("0");
            Assert.Equal(["description", "dt", "limits"], [.. group.AttributeNames().Order()]);
            Assert.Equal(0.02, group.ReadNumber("dt"));
            Assert.Equal([1.5, -2.5, 3], group.ReadNumbers("limits"));
            Assert.Equal("Kármán street, Re = 100", group.ReadString("description"));
            Assert.True(group.HasAttribute("dt"));
            Assert.False(group.HasAttribute("viscosity"));
            var missing = Assert.Throws<InvalidDataException>(() => group.ReadNumber("viscosity"));
            Assert.Contains("viscosity", missing.Message);
            Assert.Throws<InvalidDataException>(() => group.ReadNumber("description"));
        }
    }

    [Fact]
    public void BadFilesAndMissingObjectsGiveErrorsThatNameTheFile()
    {
        var notHdf5 = Path.Combine(dir, "random.h5");
        File.WriteAllBytes(notHdf5, Enumerable.Range(0, 4096).Select(k => (byte)(k * 31 + 7)).ToArray());
        var error = Assert.Throws<InvalidDataException>(() => Hdf5File.OpenRead(notHdf5));
        Assert.Contains(notHdf5, error.Message);

        var good = Path.Combine(dir, "good.h5");
        using (var file = Hdf5File.Create(good))
            file.Write<float>("x", new float[100_000], [100_000]);
        var truncated = Path.Combine(dir, "truncated.h5");
        File.WriteAllBytes(truncated, File.ReadAllBytes(good).AsSpan(0, 3000).ToArray());
        error = Assert.Throws<InvalidDataException>(() =>
        {
            using var file = Hdf5File.OpenRead(truncated);
            file.Read<float>("x", out _);
        });
        Assert.Contains(truncated, error.Message);

        Assert.Contains("file not found", Assert.Throws<InvalidDataException>(() => Hdf5File.OpenRead(Path.Combine(dir, "absent.h5"))).Message);
        using (var file = Hdf5File.OpenRead(good))
        {
            error = Assert.Throws<InvalidDataException>(() => file.Read<float>("y", out _));
            Assert.Contains("/y", error.Message);
            Assert.Contains(good, error.Message);
            Assert.Throws<InvalidDataException>(() => file.Read<int>("x", out _)); // floats do not silently become integers
            Assert.Throws<InvalidDataException>(() => file.OpenGroup("x"));
            Assert.Throws<InvalidDataException>(() => file.Read<float>("x", 2, out _));
        }
    }

    static MeshTrajectory SmallTrajectory(string name, int frames, double dt)
    {
        float[] positions = [0, 0, 1, 0, 1, 1, 0, 1];
        int[] cells = [0, 1, 2, 0, 2, 3];
        var velocity = Enumerable.Range(0, frames * 4 * 2).Select(k => k * 0.5f).ToArray();
        var pressure = Enumerable.Range(0, frames * 4).Select(k => -k * 0.25f).ToArray();
        return new MeshTrajectory(name, positions, 2, cells, 3, [6, 4, 0, 5], frames, dt,
            [new TrajectoryField("velocity", 2, velocity), new TrajectoryField("pressure", 1, pressure)],
            new Dictionary<string, double> { ["vel_in"] = 1.25, ["radius"] = 0.05 });
    }

    [Fact]
    public void MeshTrajectoriesRoundTripInTheGraphPhysicsLayout()
    {
        var path = Path.Combine(dir, "trajectories.h5");
        var written = new[] { SmallTrajectory("0", 5, 0.01), SmallTrajectory("1", 3, 0.02), SmallTrajectory("10", 2, 0.5), SmallTrajectory("2", 4, 0.01) };
        MeshTrajectoryFile.Write(path, written);
        Assert.Equal([path], Directory.GetFiles(dir)); // no temporary left behind

        using (var file = Hdf5File.OpenRead(path))
        using (var group = file.OpenGroup("1"))
        {
            group.Read<float>("velocity", 3, out var shape);
            Assert.Equal([3L, 4, 2], shape);
            group.Read<float>("pressure", 3, out shape);
            Assert.Equal([3L, 4, 1], shape);
            group.Read<int>("node_type", 1, out shape);
            Assert.Equal([4L], shape);
            group.Read<int>("cells", 2, out shape);
            Assert.Equal([2L, 3], shape);
        }

        var read = MeshTrajectoryFile.ReadAll(path);
        Assert.Equal(["0", "1", "2", "10"], read.Select(t => t.Name)); // numeric names in numeric order
        foreach (var original in written)
        {
            var copy = read.Single(t => t.Name == original.Name);
            Assert.Equal(original.MeshPositions, copy.MeshPositions);
            Assert.Equal(original.Cells, copy.Cells);
            Assert.Equal(original.NodeTypes, copy.NodeTypes);
            Assert.Equal(original.FrameCount, copy.FrameCount);
            Assert.Equal(original.Dt, copy.Dt);
            Assert.Equal(original.Field("velocity").Values, copy.Field("velocity").Values);
            Assert.Equal(original.Field("pressure").Values, copy.Field("pressure").Values);
            Assert.Equal(original.Parameters.OrderBy(p => p.Key), copy.Parameters.OrderBy(p => p.Key));
        }
    }

    [Fact]
    public void AMeshAloneRoundTripsAsATrajectoryOfNoFrames()
    {
        var path = Path.Combine(dir, "mesh.h5");
        var mesh = GnnSim.Datasets.Gmsh.GmshReader.Read(TestData.Path("gmsh/temp.msh"));
        var types = GnnSim.Datasets.Gmsh.GmshNodeTypes.Assign(mesh, "Boundary 1=inflow", path);
        var alone = new MeshTrajectory("temp", mesh.Positions.Select(v => (float)v).ToArray(), 2, mesh.Triangles, 3, types, 0, 0, []);
        MeshTrajectoryFile.Write(path, [alone]);
        var back = Assert.Single(MeshTrajectoryFile.ReadAll(path));
        Assert.Equal((119, 201, 0, 0.0), (back.NodeCount, back.CellCount, back.FrameCount, back.Dt));
        Assert.Equal(alone.MeshPositions, back.MeshPositions);
        Assert.Equal(types, back.NodeTypes);
        Assert.Empty(back.Fields);
        // Two frames or more need their interval.
        Assert.Contains("time step 0", Assert.Throws<ArgumentException>(() => new MeshTrajectory("t", [0, 0, 1, 0, 0, 1], 2, [0, 1, 2], 3, [0, 0, 0], 2, 0,
            [new TrajectoryField("p", 1, new float[6])])).Message);
    }

    [Fact]
    public void TiledStaticArraysAndADtInMetaJsonAreReadLikeGraphPhysicsFiles()
    {
        var path = Path.Combine(dir, "tiled.h5");
        using (var file = Hdf5File.Create(path))
        using (var group = file.CreateGroup("0"))
        {
            float[] positions = [0, 0, 1, 0, 0, 1];
            group.Write<float>("mesh_pos", [.. positions, .. positions], [2, 3, 2]);
            group.Write<int>("cells", [0, 1, 2, 0, 1, 2], [2, 1, 3]);
            group.Write<int>("node_type", [0, 6, 4, 0, 6, 4], [2, 3, 1]);
            group.Write<float>("velocity", new float[2 * 3 * 2], [2, 3, 2]);
        }
        Assert.Contains("no dt", Assert.Throws<InvalidDataException>(() => MeshTrajectoryFile.ReadAll(path)).Message);
        File.WriteAllText(Path.Combine(dir, "meta.json"), """{"dt": 0.01, "field_names": ["velocity"]}""");
        var trajectory = Assert.Single(MeshTrajectoryFile.ReadAll(path));
        Assert.Equal(3, trajectory.NodeCount);
        Assert.Equal([0, 6, 4], trajectory.NodeTypes);
        Assert.Equal(1, trajectory.CellCount);
        Assert.Equal(0.01, trajectory.Dt);
        Assert.Equal(2, trajectory.FrameCount);
    }
}
