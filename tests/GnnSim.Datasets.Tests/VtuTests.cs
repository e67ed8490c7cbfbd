using System.IO.Compression;
using System.Text;
using GnnSim.Datasets.Vtu;

namespace GnnSim.Datasets.Tests;

public sealed class VtuTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("gnnsim-vtu-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("swirl_ascii.vtu")]
    [InlineData("swirl_base64.vtu")]
    [InlineData("swirl_zlib.vtu")]
    public void MeshioFilesReadBackTheTrajectoryFrameTheyWereMadeFrom(string file)
    {
        var mesh = VtuReader.Read(TestData.Path(Path.Combine("vtu", file)));
        var source = Meshes.MeshGraphNetsNpz.Read(TestData.Path(Path.Combine("npz", "swirl.npz")), dt: 0.01);
        Assert.Equal((36, 50), (mesh.NodeCount, mesh.TriangleCount));
        // meshio's ASCII keeps 11 significant digits.
        Assert.Equal(source.MeshPositions.Select(v => Math.Round(v, 9)), mesh.Positions.Select(v => Math.Round(v, 9)));
        Assert.Equal(source.Cells, mesh.Triangles);
        var velocity = mesh.PointData["velocity"];
        Assert.Equal(2, velocity.Components);
        Assert.Equal(source.Frame("velocity", 3).ToArray().Select(v => Math.Round(v, 7)), velocity.Values.Select(v => Math.Round(v, 7)));
        Assert.Equal(source.Frame("pressure", 3).ToArray().Select(v => Math.Round(v, 5)), mesh.PointData["pressure"].Values.Select(v => Math.Round(v, 5)));
        Assert.Equal(source.NodeTypes.Select(v => (double)v), mesh.PointData["node_type"].Values);
    }

    /// <summary>A grid of two triangles with a scalar, its arrays in AppendedData (raw), compressed or not, with 8-byte headers.</summary>
    private string Appended(bool zlib, string name)
    {
        byte[] Block(byte[] data)
        {
            using var header = new MemoryStream();
            void Put(long value) => header.Write(BitConverter.GetBytes(value));
            if (!zlib)
            {
                Put(data.Length);
                header.Write(data);
                return header.ToArray();
            }
            using var packed = new MemoryStream();
            using (var z = new ZLibStream(packed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
            Put(1); Put(data.Length); Put(data.Length); Put(packed.Length);
            header.Write(packed.ToArray());
            return header.ToArray();
        }
        byte[] Doubles(params double[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();
        byte[] Longs(params long[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();
        var arrays = new[]
        {
            ("Float64", "Points", "3", Block(Doubles(0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0))),
            ("Int64", "connectivity", "1", Block(Longs(0, 1, 2, 0, 2, 3))),
            ("Int64", "offsets", "1", Block(Longs(3, 6))),
            ("UInt8", "types", "1", Block([5, 5])),
            ("Float32", "p", "1", Block(new[] { 1.5f, 2.5f, 3.5f, 4.5f }.SelectMany(BitConverter.GetBytes).ToArray())),
        };
        var offsets = new List<long>();
        long offset = 0;
        foreach (var a in arrays) { offsets.Add(offset); offset += a.Item4.Length; }
        string Array(int i) => $"<DataArray type=\"{arrays[i].Item1}\" Name=\"{arrays[i].Item2}\" NumberOfComponents=\"{arrays[i].Item3}\" format=\"appended\" offset=\"{offsets[i]}\"/>";
        var xml = $"""
            <?xml version="1.0"?>
            <VTKFile type="UnstructuredGrid" version="1.0" byte_order="LittleEndian" header_type="UInt64"{(zlib ? " compressor=\"vtkZLibDataCompressor\"" : "")}>
            <UnstructuredGrid><Piece NumberOfPoints="4" NumberOfCells="2">
            <Points>{Array(0)}</Points>
            <Cells>{Array(1)}{Array(2)}{Array(3)}</Cells>
            <PointData>{Array(4)}</PointData>
            </Piece></UnstructuredGrid>
            <AppendedData encoding="raw">
            _
            """;
        var path = Path.Combine(dir, name);
        using var file = File.Create(path);
        file.Write(Encoding.ASCII.GetBytes(xml.TrimEnd()));
        foreach (var a in arrays) file.Write(a.Item4);
        file.Write(Encoding.ASCII.GetBytes("\n</AppendedData>\n</VTKFile>\n"));
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AppendedRawDataReadsWithAndWithoutZlib(bool zlib)
    {
        var mesh = VtuReader.Read(Appended(zlib, $"appended-{zlib}.vtu"));
        Assert.Equal([0, 0, 1, 0, 1, 1, 0, 1], mesh.Positions);
        Assert.Equal([0, 1, 2, 0, 2, 3], mesh.Triangles);
        Assert.Equal([1.5, 2.5, 3.5, 4.5], mesh.PointData["p"].Values);
    }

    [Fact]
    public void BadFilesSayWhatIsWrong()
    {
        var text = File.ReadAllText(TestData.Path(Path.Combine("vtu", "swirl_ascii.vtu")));
        string Write(string content)
        {
            var path = Path.Combine(dir, "bad.vtu");
            File.WriteAllText(path, content);
            return path;
        }
        Assert.Contains("not well-formed XML", Assert.Throws<InvalidDataException>(() => VtuReader.Read(Write(text[..(text.Length / 2)]))).Message);
        Assert.Contains("not a VTK UnstructuredGrid", Assert.Throws<InvalidDataException>(() => VtuReader.Read(Write(text.Replace("UnstructuredGrid\"", "PolyData\"")))).Message);
        var tetra = System.Text.RegularExpressions.Regex.Replace(text, "(Name=\"types\"[^>]*>\\s*)5", "${1}10");
        Assert.Contains("VTK type 10", Assert.Throws<InvalidDataException>(() => VtuReader.Read(Write(tetra))).Message);
    }

    [Fact]
    public void FlippedBytesAndCutFilesNeverCrashOrHang()
    {
        foreach (var file in new[] { "swirl_ascii.vtu", "swirl_zlib.vtu" })
            Mutations.Each(File.ReadAllBytes(TestData.Path(Path.Combine("vtu", file))), 31, 150, Path.Combine(dir, "mutated.vtu"), path =>
            {
                try { VtuReader.Read(path); }
                catch (InvalidDataException e) { Assert.Contains(path, e.Message); }
            });
        Mutations.Each(File.ReadAllBytes(Appended(true, "appended.vtu")), 37, 150, Path.Combine(dir, "mutated.vtu"), path =>
        {
            try { VtuReader.Read(path); }
            catch (InvalidDataException e) { Assert.Contains(path, e.Message); }
        });
    }

    [Theory]
    [InlineData(GnnSim.Meshing.VtuEncoding.AppendedRaw)]
    [InlineData(GnnSim.Meshing.VtuEncoding.Ascii)]
    public void AWrittenSeriesReadsBackAsTheTrajectoryItWas(GnnSim.Meshing.VtuEncoding encoding)
    {
        var source = Meshes.MeshGraphNetsNpz.Read(TestData.Path("npz/swirl.npz"), dt: 0.01);
        var pvd = VtuTrajectory.Write(Path.Combine(dir, "swirl.pvd"), source, startTime: 2, encoding);
        Assert.Equal(8, VtuTrajectory.Collection(pvd).Count);
        var back = VtuTrajectory.Read(pvd);
        Assert.Equal((36, 50, 8), (back.NodeCount, back.CellCount, back.FrameCount));
        Assert.Equal(0.01, back.Dt, 9);
        Assert.Equal(source.MeshPositions, back.MeshPositions);
        Assert.Equal(source.Cells, back.Cells);
        Assert.Equal(source.NodeTypes, back.NodeTypes);
        // velocity went out as a 3-vector with z = 0 (for ParaView) and comes back 2-wide.
        Assert.Equal(source.Fields.Select(f => (f.Name, f.Width)), back.Fields.Select(f => (f.Name, f.Width)));
        Assert.Equal(source.Field("velocity").Values, back.Field("velocity").Values);
        Assert.Equal(source.Field("pressure").Values, back.Field("pressure").Values);
    }

    [Fact]
    public void AMeshioFileIsAOneStepTrajectoryAndAnUntypedOneTakesItsTypesFromTheGeometry()
    {
        var one = VtuTrajectory.Read(TestData.Path("vtu/swirl_zlib.vtu"));
        Assert.Equal((36, 1, 0.0), (one.NodeCount, one.FrameCount, one.Dt));
        Assert.Equal(["pressure", "velocity"], one.Fields.Select(f => f.Name));

        var text = File.ReadAllText(TestData.Path("vtu/swirl_ascii.vtu")).Replace("Name=\"node_type\"", "Name=\"kind\"");
        var untyped = Path.Combine(dir, "untyped.vtu");
        File.WriteAllText(untyped, text);
        Assert.Contains("--boundary", Assert.Throws<InvalidDataException>(() => VtuTrajectory.Read(untyped)).Message);
        var typed = VtuTrajectory.Read(untyped, boundary: "left=inflow,right=outflow");
        Assert.Equal((4, 4, 12), (typed.NodeTypes.Count(t => t == (int)NodeType.Inflow), typed.NodeTypes.Count(t => t == (int)NodeType.Outflow), typed.NodeTypes.Count(t => t == (int)NodeType.WallBoundary)));
    }

    [Fact]
    public void RolloutExportNamesStayApartWhenReadBack()
    {
        // Our rollout export writes truth_velocity_x and truth_velocity_y and the 3-vector truth_velocity: three fields, not one of width 5.
        var mesh = new GnnSim.Meshing.Mesh2D([0, 0, 1, 0, 0, 1], [0, 1, 2], 3);
        var path = Path.Combine(dir, "rollout.vtu");
        GnnSim.Meshing.VtuWriter.Write(path, mesh,
        [
            new("node_type", [0, 0, 6]), new("truth_velocity_x", [1, 2, 3]), new("truth_velocity_y", [4, 5, 6]), new("truth_velocity", [1, 4, 2, 5, 3, 6], 2),
        ], includeNodeTypes: false, GnnSim.Meshing.VtuEncoding.AppendedRaw);
        var t = VtuTrajectory.Read(path);
        Assert.Equal([("truth_velocity", 2), ("truth_velocity_x", 1), ("truth_velocity_y", 1)], t.Fields.Select(f => (f.Name, f.Width)));
        Assert.Equal([1f, 4, 2, 5, 3, 6], t.Field("truth_velocity").Values);
        Assert.Equal([0, 0, 6], t.NodeTypes);
    }

    [Fact]
    public void BadCollectionsSayWhatIsWrong()
    {
        var source = Meshes.MeshGraphNetsNpz.Read(TestData.Path("npz/swirl.npz"), dt: 0.01);
        var pvd = VtuTrajectory.Write(Path.Combine(dir, "swirl.pvd"), source);
        var text = File.ReadAllText(pvd);
        string Write(string content)
        {
            var path = Path.Combine(dir, "bad.pvd");
            File.WriteAllText(path, content);
            return path;
        }
        Assert.Contains("which is not there", Assert.Throws<InvalidDataException>(() => VtuTrajectory.Read(Write(text.Replace("step_000003.vtu", "step_999.vtu")))).Message);
        Assert.Contains("not a number", Assert.Throws<InvalidDataException>(() => VtuTrajectory.Read(Write(text.Replace("timestep=\"0.03\"", "timestep=\"soon\"")))).Message);
        Assert.Contains("not a VTK Collection", Assert.Throws<InvalidDataException>(() => VtuTrajectory.Read(Write(text.Replace("Collection\"", "PolyData\"")))).Message);
        // A step on another mesh: step 5 replaced by a file of other points.
        var other = new Meshes.MeshTrajectory("other", source.MeshPositions.Select(v => v * 2).ToArray(), 2, source.Cells, 3, source.NodeTypes, 1, 0,
            source.Fields.Select(f => new Meshes.TrajectoryField(f.Name, f.Width, source.Frame(f.Name, 0).ToArray())).ToList());
        var moved = VtuTrajectory.Write(Path.Combine(dir, "other.pvd"), other);
        File.Copy(Path.Combine(dir, "other", "step_000000.vtu"), Path.Combine(dir, "swirl", "step_000005.vtu"), overwrite: true);
        Assert.Contains("step 5", Assert.Throws<InvalidDataException>(() => VtuTrajectory.Read(pvd)).Message);
        Assert.True(File.Exists(moved));
    }

    [Fact]
    public void FlippedBytesAndCutCollectionsNeverCrashOrHang()
    {
        var source = Meshes.MeshGraphNetsNpz.Read(TestData.Path("npz/swirl.npz"), dt: 0.01);
        var pvd = VtuTrajectory.Write(Path.Combine(dir, "swirl.pvd"), source);
        var step = Path.Combine(dir, "swirl", "step_000002.vtu");
        var steps = File.ReadAllBytes(step);
        Mutations.Each(File.ReadAllBytes(pvd), 17, 60, Path.Combine(dir, "mutated.pvd"), path =>
        {
            try { VtuTrajectory.Read(path); }
            catch (InvalidDataException e) { Assert.Contains(path, e.Message); }
        });
        // A damaged binary step: the message names the step's file, or the collection and the step.
        Mutations.Each(steps, 18, 60, step, path =>
        {
            try { VtuTrajectory.Read(pvd); }
            catch (InvalidDataException e) { Assert.True(e.Message.Contains(path) || e.Message.StartsWith($"{pvd}: step 2", StringComparison.Ordinal), e.Message); }
        });
    }
}
