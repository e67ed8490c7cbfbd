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
        Assert.Contains("error reduction", text);

        // The moved .msh keeps the cells and physical groups; only positions changed.
        var before = Datasets.Gmsh.GmshReader.Read(mesh);
        var after = Datasets.Gmsh.GmshReader.Read(Path.Combine(output, "moved.msh"));
        Assert.Equal(before.TriangleCount, after.TriangleCount);
        Assert.Equal(before.LineCount, after.LineCount);
        Assert.NotEqual(before.Positions, after.Positions);
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
