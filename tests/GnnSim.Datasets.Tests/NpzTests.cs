using System.IO.Compression;
using GnnSim.Datasets.Meshes;

namespace GnnSim.Datasets.Tests;

public sealed class NpzTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("gnnsim-npz-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ANumpyMadeTrajectoryReadsInTheMeshGraphNetsLayout()
    {
        var arrays = NpzFile.Read(TestData.Path("npz/swirl.npz"));
        Assert.Equal(["cells", "mesh_pos", "node_type", "pressure", "velocity"], arrays.Keys.Order());
        Assert.Equal(NpyType.Int64, arrays["cells"].Type);
        Assert.Equal([1, 50, 3], arrays["cells"].Shape);

        var t = MeshGraphNetsNpz.Read(TestData.Path("npz/swirl.npz"), dt: 0.01);
        Assert.Equal((36, 50, 8, 0.01), (t.NodeCount, t.CellCount, t.FrameCount, t.Dt));
        Assert.Equal(["pressure", "velocity"], t.Fields.Select(f => f.Name));
        Assert.Equal(20, t.NodeTypes.Count(x => x == (int)NodeType.WallBoundary));
        // Node 7 sits at (0.2, 0.2); at frame 2 the amplitude is 1: u = sin(0.2 pi) cos(0.2 pi), pressure u v (float64 in the file).
        var u = Math.Sin(0.2 * Math.PI) * Math.Cos(0.2 * Math.PI);
        Assert.Equal(u, t.Field("velocity").Values[(2 * 36 + 7) * 2], 5);
        Assert.Equal(-u, t.Field("velocity").Values[(2 * 36 + 7) * 2 + 1], 5);
        Assert.Equal(-u * u, t.Field("pressure").Values[2 * 36 + 7], 5);
        Assert.Contains("records no time step", Assert.Throws<InvalidDataException>(() => MeshGraphNetsNpz.Read(TestData.Path("npz/swirl.npz"))).Message);
    }

    /// <summary>The fixture with one array left out or replaced.</summary>
    private string Variant(string drop, (string Name, float[] Values, int[] Shape)? replacement = null)
    {
        var path = Path.Combine(dir, $"variant-{drop}.npz");
        using (var source = ZipFile.OpenRead(TestData.Path("npz/swirl.npz")))
        using (var target = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var entry in source.Entries.Where(e => e.FullName != drop + ".npy"))
            {
                using var from = entry.Open();
                using var to = target.CreateEntry(entry.FullName).Open();
                from.CopyTo(to);
            }
            if (replacement is { } r)
            {
                var npy = Path.Combine(dir, "replacement.npy");
                NpyFile.Write(npy, r.Shape, r.Values);
                target.CreateEntryFromFile(npy, r.Name + ".npy");
            }
        }
        return path;
    }

    [Fact]
    public void LayoutErrorsNameTheFileAndTheArray()
    {
        var missing = Assert.Throws<InvalidDataException>(() => MeshGraphNetsNpz.Read(Variant("node_type"), 0.01));
        Assert.Contains("no 'node_type' array", missing.Message);
        Assert.Contains("variant-node_type.npz", missing.Message);
        var floatCells = Assert.Throws<InvalidDataException>(() => MeshGraphNetsNpz.Read(Variant("cells", ("cells", new float[150], [1, 50, 3])), 0.01));
        Assert.Contains("expected int32 or int64", floatCells.Message);
        var shortField = Assert.Throws<InvalidDataException>(() => MeshGraphNetsNpz.Read(Variant("pressure", ("pressure", new float[7 * 36], [7, 36, 1])), 0.01));
        Assert.Contains("field 'velocity'", shortField.Message); // 7 pressure frames set the count, then velocity's 8 disagree
        var moving = Assert.Throws<InvalidDataException>(() => MeshGraphNetsNpz.Read(Variant("mesh_pos",
            ("mesh_pos", Enumerable.Range(0, 8 * 36 * 2).Select(i => (float)i).ToArray(), [8, 36, 2])), 0.01));
        Assert.Contains("changes at frame 1", moving.Message);
    }

    [Fact]
    public void FlippedBytesAndCutFilesNeverCrashOrHang()
    {
        Mutations.Each(File.ReadAllBytes(TestData.Path("npz/swirl.npz")), 23, 200, Path.Combine(dir, "mutated.npz"), path =>
        {
            try { MeshGraphNetsNpz.Read(path, 0.01); }
            catch (InvalidDataException e) { Assert.Contains(path, e.Message); }
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AWrittenTrajectoryReadsBackHereAndInNumpy(bool compressed)
    {
        var source = MeshGraphNetsNpz.Read(TestData.Path("npz/swirl.npz"), dt: 0.01);
        var path = Path.Combine(dir, "written.npz");
        MeshGraphNetsNpz.Write(path, source, compressed);
        var back = MeshGraphNetsNpz.Read(path); // dt comes from the file's scalar
        Assert.Equal((36, 50, 8, 0.01), (back.NodeCount, back.CellCount, back.FrameCount, back.Dt));
        Assert.Equal(source.MeshPositions, back.MeshPositions);
        Assert.Equal(source.Cells, back.Cells);
        Assert.Equal(source.NodeTypes, back.NodeTypes);
        Assert.Equal(source.Field("velocity").Values, back.Field("velocity").Values);
        Assert.Equal(source.Field("pressure").Values, back.Field("pressure").Values);

        // NumPy (python3-numpy comes with setup.sh's python3-torch) reads the same arrays, with the layout's dtypes and shapes.
        var script = """
            import sys, numpy as np
            z = np.load(sys.argv[1])
            print(z["mesh_pos"].dtype, z["mesh_pos"].shape, z["cells"].dtype, z["cells"].shape, z["node_type"].shape, z["velocity"].shape, float(z["dt"]),
                  repr(float(z["velocity"][3, 7, 1])), int(z["node_type"][0, :, 0].sum()), sep="|")
            """;
        var fields = XdmfTests.RunPython(script, path).Split('|', StringSplitOptions.TrimEntries);
        Assert.Equal("float32|(1, 36, 2)|int32|(1, 50, 3)|(1, 36, 1)|(8, 36, 2)|0.01", string.Join('|', fields[..7]));
        Assert.Equal(source.Frame("velocity", 3)[15], float.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(source.NodeTypes.Sum(), int.Parse(fields[8], System.Globalization.CultureInfo.InvariantCulture));
    }
}
