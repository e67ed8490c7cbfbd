using System.Text.Json;

namespace GnnSim.Cli.Tests;

public sealed class MeshMoveCommandTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("gnnsim-move-mesh-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string Repository()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "GnnSim.sln"))) root = root.Parent;
        return root!.FullName;
    }

    [Fact]
    public void MongeAmpereMovesAGmshMeshAndWritesTheMovedMeshAPictureAndASummary()
    {
        var mesh = Path.Combine(Repository(), "tests", "data", "gmsh", "temp.msh");
        var output = Path.Combine(dir, "moved");
        var (exitCode, text, error) = CliRunner.Run("move-mesh", "--method", "ma", "--mesh", mesh, "--monitor", "helmholtz:1", "--out", output);
        Assert.True(exitCode == 0, error + text);
        foreach (var file in new[] { "moved.msh", "moved.vtu", "before-after.png", "move.json" }) Assert.True(File.Exists(Path.Combine(output, file)), file);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "move.json")));
        var s = summary.RootElement;
        Assert.True(s.GetProperty("converged").GetBoolean());
        Assert.Equal(0, s.GetProperty("tangled_cells").GetInt32());
        Assert.True(s.GetProperty("error_reduction").GetDouble() > 0);
        Assert.Equal("helmholtz_solution", s.GetProperty("error_kind").GetString());
        Assert.Contains("error reduction", text);

        // The moved .msh keeps the cells and physical groups; only positions changed.
        var before = Datasets.Gmsh.GmshReader.Read(mesh);
        var after = Datasets.Gmsh.GmshReader.Read(Path.Combine(output, "moved.msh"));
        Assert.Equal(before.TriangleCount, after.TriangleCount);
        Assert.Equal(before.LineCount, after.LineCount);
        Assert.NotEqual(before.Positions, after.Positions);
    }

    [Fact]
    public void AVorticityMonitorOnACylinderMeshTrajectoryScoresHowWellTheMovedMeshResolvesTheFlow()
    {
        var data = Path.Combine(dir, "cylinder.h5");
        var (exitCode, text, error) = CliRunner.Run("generate", "cylinder-mesh", "--trajectories", "1", "--frames", "3", "--spin-up", "0.1", "--cells-across", "16", "--out", data);
        Assert.True(exitCode == 0, error + text);
        var output = Path.Combine(dir, "vorticity");
        (exitCode, text, error) = CliRunner.Run("move-mesh", "--method", "ma", "--mesh", data, "--monitor", "vorticity@2", "--out", output);
        Assert.True(exitCode is 0 or 1, error + text); // the relaxation may stop at an untangled iterate: reported, still scored

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "move.json")));
        var s = summary.RootElement;
        Assert.Equal(0, s.GetProperty("tangled_cells").GetInt32());
        Assert.Equal("velocity_interpolation", s.GetProperty("error_kind").GetString());

        // The original mesh's score is the re-simulated flow's interpolation error there.
        var trajectory = Datasets.Meshes.MeshTrajectoryFile.ReadAll(data)[0];
        var snapshot = Datasets.Meshes.CylinderMeshGenerator.Resimulate(trajectory, 2, data);
        var space = new Meshing.FiniteElements.P1Space(new Meshing.Mesh2D(Array.ConvertAll(trajectory.MeshPositions, v => (double)v), trajectory.Cells, 3).CounterClockwise());
        double before = s.GetProperty("error_original").GetDouble(), after = s.GetProperty("error_moved").GetDouble();
        Assert.Equal(Math.Sqrt(Math.Pow(space.InterpolationError(snapshot.U), 2) + Math.Pow(space.InterpolationError(snapshot.V), 2)), before, 12);
        Assert.True(after > 0 && double.IsFinite(after));
        Assert.Equal((before - after) / before, s.GetProperty("error_reduction").GetDouble(), 12);
        Assert.Contains("velocity interpolation error", text);
    }

    [Fact]
    public void BadMonitorsAndMeshesEndInClearErrors()
    {
        var mesh = Path.Combine(Repository(), "tests", "data", "gmsh", "temp.msh");
        var (exitCode, _, error) = CliRunner.Run("move-mesh", "--mesh", mesh, "--monitor", "swirl", "--out", dir);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("unknown monitor 'swirl'", error);
        (exitCode, _, error) = CliRunner.Run("move-mesh", "--mesh", mesh, "--monitor", "vorticity", "--out", dir);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("is not one", error);
        (exitCode, _, error) = CliRunner.Run("move-mesh", "--mesh", Path.Combine(dir, "none.msh"), "--monitor", "helmholtz", "--out", dir);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("no such mesh file", error);

        // A relaxation that cannot converge in the iterations allowed: reported, exit code 1, the untangled iterate written.
        var output = Path.Combine(dir, "short");
        var (shortExit, text, _) = CliRunner.Run("move-mesh", "--mesh", mesh, "--monitor", "peak:0.5,0.5,0.2,10", "--max-iterations", "2", "--out", output);
        Assert.Equal(1, shortExit);
        Assert.Contains("not converged in 2 iterations", text.Replace("\n", ""));
        Assert.True(File.Exists(Path.Combine(output, "moved.msh")));
    }
}
