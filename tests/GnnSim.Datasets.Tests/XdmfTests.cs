using GnnSim.Datasets.Meshes;

namespace GnnSim.Datasets.Tests;

public sealed class XdmfTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("gnnsim-xdmf-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void TheGraphPhysicsSampleReadsWithItsCountsAndGatheredVelocity()
    {
        var t = XdmfTrajectory.Read(TestData.Path("xdmf/sample_000000005.xdmf"), dt: 0.01);
        Assert.Equal((27125, 52656, 1), (t.NodeCount, t.CellCount, t.FrameCount));
        Assert.Equal(["Distance", "Mach", "Pressure", "Velocity"], t.Fields.Select(f => f.Name));
        Assert.Equal(2, t.Field("Velocity").Width); // Velocity_x and Velocity_y, gathered by name
        Assert.Equal(1497, t.NodeTypes.Count(x => x == (int)NodeType.Airfoil));
        Assert.Equal(97, t.NodeTypes.Count(x => x == (int)NodeType.WallBoundary));
        Assert.Contains("give it", Assert.Throws<InvalidDataException>(() => XdmfTrajectory.Read(TestData.Path("xdmf/sample_000000005.xdmf"))).Message);
    }

    [Fact]
    public void AMeshioTimeSeriesReadsEveryStepOnTheIncludedMesh()
    {
        var t = XdmfTrajectory.Read(TestData.Path("xdmf/swirl_series.xdmf"));
        var source = MeshGraphNetsNpz.Read(TestData.Path("npz/swirl.npz"), dt: 0.01);
        Assert.Equal((36, 50, 8), (t.NodeCount, t.CellCount, t.FrameCount));
        Assert.Equal(0.01, t.Dt, 12); // from the steps' Time values
        Assert.Equal(source.Cells, t.Cells);
        Assert.Equal(source.MeshPositions, t.MeshPositions);
        Assert.Equal(source.NodeTypes, t.NodeTypes);
        Assert.Equal(source.Field("velocity").Values, t.Field("velocity").Values);
    }

    [Fact]
    public void MissingDataBehindAReferenceIsNamed()
    {
        var text = File.ReadAllText(TestData.Path("xdmf/swirl_series.xdmf"));
        File.Copy(TestData.Path("xdmf/swirl_series.h5"), Path.Combine(dir, "swirl_series.h5"));
        string Write(string content)
        {
            var path = Path.Combine(dir, "bad.xdmf");
            File.WriteAllText(path, content);
            return path;
        }
        Assert.Contains("has no dataset /data99", Assert.Throws<InvalidDataException>(() => XdmfTrajectory.Read(Write(text.Replace("swirl_series.h5:/data3<", "swirl_series.h5:/data99<")))).Message);
        Assert.Contains("which is not there", Assert.Throws<InvalidDataException>(() => XdmfTrajectory.Read(Write(text.Replace("swirl_series.h5:/data3<", "elsewhere.h5:/data3<")))).Message);
        Assert.Contains("names no grid", Assert.Throws<InvalidDataException>(() => XdmfTrajectory.Read(Write(text.Replace("&quot;mesh&quot;", "&quot;nomesh&quot;")))).Message);
        Assert.Contains("no Node_type", Assert.Throws<InvalidDataException>(() => XdmfTrajectory.Read(Write(text.Replace("\"node_type\"", "\"kind\"")))).Message);
    }

    [Fact]
    public void FlippedBytesAndCutDocumentsNeverCrashOrHang()
    {
        File.Copy(TestData.Path("xdmf/swirl_series.h5"), Path.Combine(dir, "swirl_series.h5"));
        Mutations.Each(File.ReadAllBytes(TestData.Path("xdmf/swirl_series.xdmf")), 41, 150, Path.Combine(dir, "mutated.xdmf"), path =>
        {
            try { XdmfTrajectory.Read(path, 0.01); }
            catch (InvalidDataException e) { Assert.Contains(path, e.Message); }
        });
    }
}
