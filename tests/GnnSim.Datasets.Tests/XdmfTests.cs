using System.Globalization;
using System.Xml.Linq;
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
        Assert.Equal(0, XdmfTrajectory.Read(TestData.Path("xdmf/sample_000000005.xdmf")).Dt); // one step: no interval to know
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
        var untyped = Write(text.Replace("\"node_type\"", "\"kind\""));
        Assert.Contains("no Node_type", Assert.Throws<InvalidDataException>(() => XdmfTrajectory.Read(untyped)).Message);
        // ... unless the geometry types them: the 6 x 6 square's sides.
        var typed = XdmfTrajectory.Read(untyped, boundary: "left=inflow,right=outflow,top=wall,bottom=wall");
        Assert.Equal((4, 4, 12, 16), (typed.NodeTypes.Count(t => t == (int)NodeType.Inflow), typed.NodeTypes.Count(t => t == (int)NodeType.Outflow),
            typed.NodeTypes.Count(t => t == (int)NodeType.WallBoundary), typed.NodeTypes.Count(t => t == (int)NodeType.Normal)));
        Assert.Equal(["kind", "velocity"], typed.Fields.Select(f => f.Name)); // the untyped array is a field like any other
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

    private static MeshTrajectory Swirl() => MeshGraphNetsNpz.Read(TestData.Path("npz/swirl.npz"), dt: 0.01);

    [Fact]
    public void AWrittenTrajectoryReadsBackAsItWasAndHasMeshiosLayout()
    {
        var source = Swirl();
        var path = Path.Combine(dir, "swirl.xdmf");
        XdmfTrajectory.Write(path, source, startTime: 0.5);
        var back = XdmfTrajectory.Read(path);
        Assert.Equal((source.NodeCount, source.CellCount, source.FrameCount), (back.NodeCount, back.CellCount, back.FrameCount));
        Assert.Equal(0.01, back.Dt, 9); // from the steps' Time values
        Assert.Equal(source.MeshPositions, back.MeshPositions);
        Assert.Equal(source.Cells, back.Cells);
        Assert.Equal(source.NodeTypes, back.NodeTypes);
        Assert.Equal(source.Fields.Select(f => (f.Name, f.Width)), back.Fields.Select(f => (f.Name, f.Width)));
        Assert.Equal(source.Field("velocity").Values, back.Field("velocity").Values);
        Assert.Equal(source.Field("pressure").Values, back.Field("pressure").Values);

        // The document meshio's TimeSeriesReader expects: one Domain, a uniform "mesh" grid, a temporal collection of grids that include it.
        var root = XDocument.Load(path).Root!;
        Assert.Equal(("Xdmf", "3.0"), (root.Name.LocalName, (string?)root.Attribute("Version")));
        var domain = Assert.Single(root.Elements());
        var mesh = domain.Elements("Grid").Single(g => (string?)g.Attribute("GridType") == "Uniform");
        Assert.Equal("mesh", (string?)mesh.Attribute("Name"));
        Assert.Equal("36 2", (string?)mesh.Element("Geometry")!.Element("DataItem")!.Attribute("Dimensions"));
        var steps = domain.Elements("Grid").Single(g => (string?)g.Attribute("CollectionType") == "Temporal").Elements("Grid").ToList();
        Assert.Equal(8, steps.Count);
        Assert.Equal([0.5, 0.51, 0.52], steps.Take(3).Select(g => Math.Round(double.Parse((string)g.Element("Time")!.Attribute("Value")!, CultureInfo.InvariantCulture), 12)));
        XNamespace xi = "http://www.w3.org/2003/XInclude";
        Assert.All(steps, g => Assert.Contains("Grid[@Name=\"mesh\"]", (string?)g.Element(xi + "include")!.Attribute("xpointer")));
        Assert.Equal(["node_type", "pressure", "velocity_x", "velocity_y"], steps[3].Elements("Attribute").Select(a => (string)a.Attribute("Name")!).Order());
        Assert.All(root.Descendants("DataItem"), item => Assert.NotNull(item.Attribute("Dimensions")));
        Assert.DoesNotContain(Directory.GetFiles(dir), f => f.Contains(".tmp"));
    }

    [SkippableFact]
    public void MeshiosOwnReaderReadsAWrittenFile()
    {
        Skip.IfNot(PythonHas("meshio", "h5py"), "Debian's python3-meshio and python3-h5py are not installed (GNNSIM_TEST_TOOLS=1 ./setup.sh as root installs them, as .ci/run does)");
        var source = Swirl();
        var path = Path.Combine(dir, "swirl.xdmf");
        XdmfTrajectory.Write(path, source);
        var script = """
            import sys, json, meshio, h5py, numpy as np
            with meshio.xdmf.TimeSeriesReader(sys.argv[1]) as reader:
                points, cells = reader.read_points_cells()
                t, data, _ = reader.read_data(5)
                print(json.dumps({"steps": reader.num_steps, "points": points.ravel().tolist(), "type": cells[0].type,
                    "cells": cells[0].data.ravel().tolist(), "t": t, "vx": data["velocity_x"].tolist(), "types": data["node_type"].tolist()}))
            with h5py.File(sys.argv[1][:-5] + ".h5", "r") as f:
                assert f["mesh_pos"].dtype == np.float32 and f["cells"].shape == (50, 3)
            """;
        var json = System.Text.Json.JsonDocument.Parse(RunPython(script, path)).RootElement;
        Assert.Equal(8, json.GetProperty("steps").GetInt32());
        Assert.Equal("triangle", json.GetProperty("type").GetString());
        Assert.Equal(source.MeshPositions, json.GetProperty("points").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(source.Cells, json.GetProperty("cells").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(0.05, json.GetProperty("t").GetDouble(), 12);
        var velocity = source.Frame("velocity", 5).ToArray();
        Assert.Equal(Enumerable.Range(0, 36).Select(i => velocity[2 * i]), json.GetProperty("vx").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(source.NodeTypes, json.GetProperty("types").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Fact]
    public void AMeshAloneIsOneUniformGridAndQuadrilateralsComeBackAsTriangles()
    {
        var source = Swirl();
        var alone = new MeshTrajectory("mesh", source.MeshPositions, 2, source.Cells, 3, source.NodeTypes, 0, 0, []);
        var path = Path.Combine(dir, "alone.xdmf");
        XdmfTrajectory.Write(path, alone);
        var back = XdmfTrajectory.Read(path);
        Assert.Equal((36, 50, 0), (back.NodeCount, back.CellCount, back.FrameCount));
        Assert.Equal(source.NodeTypes, back.NodeTypes);
        Assert.Single(XDocument.Load(path).Descendants("Grid"));

        // A unit square as one quadrilateral: split along its first diagonal, as the gmsh and VTU readers split quads.
        var square = new MeshTrajectory("square", [0, 0, 1, 0, 1, 1, 0, 1], 2, [0, 1, 2, 3], 4, [6, 6, 6, 6], 2, 0.1,
            [new TrajectoryField("p", 1, [1, 2, 3, 4, 5, 6, 7, 8])]);
        XdmfTrajectory.Write(path, square);
        var triangles = XdmfTrajectory.Read(path);
        Assert.Equal([0, 1, 2, 0, 2, 3], triangles.Cells);
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8], triangles.Field("p").Values);
    }

    internal static bool PythonHas(params string[] modules) =>
        File.Exists(Python) && System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Python, ["-c", string.Join(";", modules.Select(m => $"import {m}"))])
            { RedirectStandardError = true, RedirectStandardOutput = true }) is { } process && process.WaitForExit(60_000) && process.ExitCode == 0;

    private const string Python = "/usr/bin/python3"; // Debian's, with python3-meshio and python3-h5py

    internal static string RunPython(string script, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Python, ["-c", script, .. arguments])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "python did not finish in 2 minutes");
        Assert.True(process.ExitCode == 0, error.Result);
        return output.Result;
    }
}
