namespace GnnSim.Datasets.Tests;

public sealed class CfdBenchTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("gnnsim-cfdbench").FullName;
    public void Dispose() => Directory.Delete(folder, recursive: true);

    static readonly GenerationSettings Tiny = new(EndTime: 0.2, FrameDt: 0.1, OutputNx: 8, OutputNy: 8, SolverGrid: (16, 16));

    [Theory]
    [InlineData(CfdProblem.Cavity, 50, 84, 25)]
    [InlineData(CfdProblem.Tube, 50, 100, 25)]
    [InlineData(CfdProblem.Dam, 70, 100, 50)]
    [InlineData(CfdProblem.Cylinder, 50, 25, 20)]
    public void SweepsHaveCfdBenchSizes(CfdProblem problem, int bc, int prop, int geo)
    {
        Assert.Equal(bc, CfdBenchSweeps.Cases(problem, CfdSubset.Bc).Count);
        Assert.Equal(prop, CfdBenchSweeps.Cases(problem, CfdSubset.Prop).Count);
        Assert.Equal(geo, CfdBenchSweeps.Cases(problem, CfdSubset.Geo).Count);
    }

    [Fact]
    public void DamVelocitySweepJoinsTwoStepSizes()
    {
        var speeds = CfdBenchSweeps.Cases(CfdProblem.Dam, CfdSubset.Bc).Select(c => c["velocity"]).ToArray();
        Assert.Equal(0.05, speeds[0]);
        Assert.Equal(1.0, speeds[19]);
        Assert.Equal(1.02, speeds[20]);
        Assert.Equal(2.0, speeds[^1]);
        var barriers = CfdBenchSweeps.Cases(CfdProblem.Dam, CfdSubset.Geo);
        Assert.Equal(0.11, barriers[0]["barrier_height"]);
        Assert.Equal(0.1, barriers[^1]["barrier_width"]);
    }

    public static TheoryData<CfdProblem, CfdSubset> AllSweeps()
    {
        var data = new TheoryData<CfdProblem, CfdSubset>();
        foreach (var problem in Enum.GetValues<CfdProblem>())
            foreach (var subset in Enum.GetValues<CfdSubset>()) data.Add(problem, subset);
        return data;
    }

    /// <summary>The first and last case of a sweep, and for a two-parameter grid the other two corners.</summary>
    static IEnumerable<CfdBenchCase> Corners(CfdProblem problem, CfdSubset subset)
    {
        var cases = CfdBenchSweeps.Cases(problem, subset);
        yield return cases[0];
        yield return cases[^1];
        if (subset == CfdSubset.Bc) yield break;
        var keys = CfdBenchCase.Keys(problem).Where(k => cases.Select(c => c[k]).Distinct().Count() > 1).ToArray();
        double Min(string k) => cases.Min(c => c[k]);
        double Max(string k) => cases.Max(c => c[k]);
        yield return cases[0].With(keys[0], Min(keys[0])).With(keys[1], Max(keys[1]));
        yield return cases[0].With(keys[0], Max(keys[0])).With(keys[1], Min(keys[1]));
    }

    [Theory]
    [MemberData(nameof(AllSweeps))]
    public void EverySweepCornerRunsAFewHundredStepsBounded(CfdProblem problem, CfdSubset subset)
    {
        foreach (var @case in Corners(problem, subset))
        {
            var flow = new NavierStokes2D(@case.Configuration());
            for (int step = 0; step < 200; step++) flow.Step(flow.StableTimeStep()); // throws if the flow blows up
            var u = new double[flow.Nx * flow.Ny];
            var v = new double[u.Length];
            flow.CellCentredVelocity(u, v);
            double speed = Math.Abs(@case.DrivingSpeed);
            Assert.All(u, x => Assert.True(double.IsFinite(x) && Math.Abs(x) < 5 * speed, $"{@case}: u = {x}"));
            Assert.All(v, x => Assert.True(double.IsFinite(x) && Math.Abs(x) < 5 * speed, $"{@case}: v = {x}"));
        }
    }

    [Fact]
    public void GeneratorWritesTheLayoutAndResumes()
    {
        var (written, skipped) = CfdBenchGenerator.Generate(folder, CfdProblem.Cavity, CfdSubset.Bc, Tiny, maxCases: 2);
        Assert.Equal((2, 0), (written, skipped));
        string case1 = Path.Combine(folder, "cavity", "bc", "case0001");
        Assert.True(File.Exists(Path.Combine(case1, "u.npy")) && File.Exists(Path.Combine(case1, "v.npy")));

        var data = CfdBenchCaseData.Load(case1, CfdProblem.Cavity);
        Assert.Equal((3, 8, 8), (data.Frames, data.Height, data.Width));
        Assert.Equal(2, data.Case["vel_top"]);
        // The lid drags the top row along +x, and more of it than the row below.
        Assert.True(data.UFrame(2)[7 * 8 + 4] > Math.Abs(data.UFrame(2)[6 * 8 + 4]) && data.UFrame(2)[7 * 8 + 4] > 0);
        Assert.Equal(0, data.UFrame(0)[4 * 8 + 4]); // starts at rest
        Assert.Equal(1, CaseJson.ReadValues(Path.Combine(case1, "case.json"))["case_no"]);

        // A half-written case left by an interrupted run is redone, never read.
        Directory.Delete(case1, recursive: true);
        Directory.CreateDirectory(case1 + ".partial");
        Assert.Single(CfdBenchDataset.CaseDirectories(folder, CfdProblem.Cavity, [CfdSubset.Bc]));
        Assert.Equal((1, 1), CfdBenchGenerator.Generate(folder, CfdProblem.Cavity, CfdSubset.Bc, Tiny, maxCases: 2));
        Assert.False(Directory.Exists(case1 + ".partial"));
    }

    [Fact]
    public void LoaderRejectsMissingKeysAndBadArraysNamingTheFile()
    {
        CfdBenchGenerator.Generate(folder, CfdProblem.Tube, CfdSubset.Bc, Tiny with { SolverGrid = (32, 8) }, maxCases: 1);
        string dir = Path.Combine(folder, "tube", "bc", "case0000");
        string json = Path.Combine(dir, "case.json");
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"vel_in\"", "\"velocity_in\""));
        var error = Assert.Throws<InvalidDataException>(() => CfdBenchCaseData.Load(dir, CfdProblem.Tube));
        Assert.Contains(json, error.Message);
        Assert.Contains("vel_in", error.Message);

        File.WriteAllText(json, File.ReadAllText(json).Replace("\"velocity_in\"", "\"vel_in\""));
        string v = Path.Combine(dir, "v.npy");
        NpyFile.Write(v, [3, 8, 7], new float[3 * 8 * 7]);
        error = Assert.Throws<InvalidDataException>(() => CfdBenchCaseData.Load(dir, CfdProblem.Tube));
        Assert.Contains(v, error.Message);
    }

    [Fact]
    public void ObstacleMasksAndParameterVectorsFollowTheGeometry()
    {
        var dam = CfdBenchCase.Defaults(CfdProblem.Dam); // barrier [0.5, 0.55] x [0, 0.1] in 1.5 x 0.4
        var fluid = dam.FluidMask(64, 64);
        int Cell(double x, double y) => (int)(y / 0.4 * 64) * 64 + (int)(x / 1.5 * 64);
        Assert.False(fluid[Cell(0.52, 0.05)]);
        Assert.True(fluid[Cell(0.52, 0.2)]);
        Assert.True(fluid[Cell(0.3, 0.05)]);

        var cylinder = CfdBenchCase.Defaults(CfdProblem.Cylinder);
        var mask = cylinder.FluidMask(64, 64);
        int solid = mask.Count(f => !f);
        double expected = Math.PI * 0.02 * 0.02 / (0.8 * 0.2 / (64 * 64));
        Assert.InRange(solid, expected * 0.7, expected * 1.3);

        var data = new CfdBenchCaseData
        {
            Directory = "x", Case = CfdBenchCase.Defaults(CfdProblem.Cavity), Frames = 1, Height = 1, Width = 1,
            U = [0], V = [0], Fluid = [true],
        };
        Assert.Equal([10 / 50f - 0.5f, (1 - 5) / 4f, (float)((1e-5 - 0.00238) / 0.005), 1f, 1f], data.ParameterVector());
    }

    [Fact]
    public void SplitIsSeededDisjointAndEightyTenTen()
    {
        var dirs = Enumerable.Range(0, 20).Select(k => $"case{k:D4}").ToList();
        var split = CfdBenchDataset.Split(dirs, seed: 3);
        Assert.Equal([16, 2, 2], split.Select(s => s.Count));
        Assert.Equal(20, split.SelectMany(s => s).Distinct().Count());
        Assert.Equal(split[2], CfdBenchDataset.Split(dirs, seed: 3)[2]);
        Assert.NotEqual(split[0], CfdBenchDataset.Split(dirs, seed: 4)[0]);
    }

    [Fact]
    public void GridCaseBecomesAGraphWithoutItsSolidCells()
    {
        // 3 x 2 grid, cell (1, 0) solid.
        bool[] fluid = [true, false, true, true, true, true];
        var dropped = GridCaseGraph.Build(3, 2, fluid, 0, 0, 1, 1);
        Assert.Equal(5, dropped.Graph.NodeCount);
        Assert.True(dropped.Graph.IsUndirected());
        Assert.Equal(2 * 4, dropped.Graph.EdgeCount); // (0,0)-(0,1), (2,0)-(2,1), (0,1)-(1,1), (1,1)-(2,1)
        var walls = GridCaseGraph.Build(3, 2, fluid, 0, 0, 1, 1, neighbours: 8, SolidCells.AsWalls);
        Assert.Equal(6, walls.Graph.NodeCount);
        Assert.Equal(NodeType.WallBoundary, walls.NodeTypes[1]);
        Assert.Equal(2 * (7 + 4), walls.Graph.EdgeCount); // 7 axis pairs and 4 diagonals in a 3 x 2 grid
        Assert.Equal([1.5, 0.5], walls.Positions[2..4]);
    }
}
