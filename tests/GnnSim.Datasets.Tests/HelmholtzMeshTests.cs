using GnnSim.Datasets.Meshes;
using GnnSim.Meshing;
using GnnSim.Meshing.Movement;
using GnnSim.Solvers.Helmholtz;
using Names = GnnSim.Datasets.Meshes.HelmholtzMeshGenerator.ParameterNames;

namespace GnnSim.Datasets.Tests;

public sealed class HelmholtzMeshTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("gnnsim-helmholtz-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly HelmholtzMeshSettings Coarse = new() { ElementSizes = [0.1, 0.12], Seed = 4 };

    [Fact]
    public void ASampleHoldsTheSolutionTheMonitorAndAnUntangledMovedMeshThatLowersTheError()
    {
        var sample = HelmholtzMeshGenerator.Generate(Coarse, 2);
        var (size, problem) = HelmholtzMeshGenerator.Draw(Coarse, 2);
        Assert.Equal(size, sample.Parameters[Names.ElementSize]);
        Assert.Equal(problem.Bumps.Select(b => (float)b.CenterX), HelmholtzMeshGenerator.Problem(sample.Parameters).Bumps.Select(b => (float)b.CenterX));
        Assert.Equal(["solution", "monitor", "moved_position", "moved_solution"], sample.Fields.Select(f => f.Name));
        Assert.Equal(1, sample.FrameCount);

        var mesh = new Mesh2D(Array.ConvertAll(sample.MeshPositions, v => (double)v), sample.Cells, 3);
        var moved = mesh.WithPositions(Array.ConvertAll(sample.Field("moved_position").Values, v => (double)v));
        Assert.Equal(0, MeshQuality.CountTangled(mesh, moved));
        Assert.True(new BoundarySliding(mesh).BoundaryViolation(moved.Positions) < 1e-6);
        Assert.Equal(1, sample.Parameters[Names.Converged]);
        Assert.InRange(sample.Parameters[Names.Iterations], 1, 500);

        var monitor = sample.Field("monitor").Values;
        Assert.Equal(1 + Monitors.DefaultAlpha, monitor.Max(), 4);
        Assert.True(monitor.Min() >= 1);
        // The recorded errors are the P1 errors on each mesh (float positions aside).
        Assert.Equal(HelmholtzSolver.SolutionError(mesh, problem), sample.Parameters[Names.ErrorOriginal], 5);
        Assert.Equal((sample.Parameters[Names.ErrorOriginal] - sample.Parameters[Names.ErrorMoved]) / sample.Parameters[Names.ErrorOriginal], sample.Parameters[Names.ErrorReduction], 12);
    }

    [Fact]
    public void OnAverageTheMovedMeshesLowerTheSolutionError()
    {
        // Not every sample gains on meshes this coarse (UM2N's MA data has negative ERs too); the mean does.
        var reductions = Enumerable.Range(0, 6).Select(i => HelmholtzMeshGenerator.Generate(Coarse, i).Parameters[Names.ErrorReduction]).ToArray();
        Assert.True(reductions.Average() > 0.05, $"error reductions {string.Join(", ", reductions.Select(r => r.ToString("P0")))}");
    }

    [Fact]
    public void TheFileIsSeededAndResumable()
    {
        var path = Path.Combine(dir, "helmholtz.h5");
        var parts = path + ".parts";
        Directory.CreateDirectory(parts);
        File.WriteAllText(Path.Combine(parts, "settings.txt"), Coarse.ToString());
        MeshTrajectoryFile.Write(Path.Combine(parts, "00000.h5"), [HelmholtzMeshGenerator.Generate(Coarse, 0)]);
        var started = new List<int>();
        Assert.Equal((1, 1), HelmholtzMeshGenerator.GenerateFile(path, 2, Coarse, (index, _) => started.Add(index)));
        Assert.Equal([1], started);
        var samples = MeshTrajectoryFile.ReadAll(path);
        Assert.Equal(["0", "1"], samples.Select(s => s.Name));
        Assert.Equal(HelmholtzMeshGenerator.Generate(Coarse, 1).Field("moved_position").Values, samples[1].Field("moved_position").Values);
        Assert.Equal((0, 2), HelmholtzMeshGenerator.GenerateFile(path, 2, Coarse));
        var other = Assert.Throws<IOException>(() => HelmholtzMeshGenerator.GenerateFile(path, 2, Coarse with { Seed = 5 }));
        Assert.Contains("other settings", other.Message);
    }
}
