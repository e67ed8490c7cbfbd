using System.Globalization;
using GnnSim.Meshing;
using GnnSim.Meshing.FiniteElements;
using GnnSim.Meshing.Movement;
using GnnSim.Solvers.Helmholtz;

namespace GnnSim.Datasets.Meshes;

/// <summary>
/// Settings of a Helmholtz mesh-movement dataset (UM2N's): each sample draws an element size from
/// the list and a random Gaussian problem (seeded per sample, so sample k is the same whatever the
/// count).
/// </summary>
public sealed record HelmholtzMeshSettings
{
    public int Seed { get; init; }
    /// <summary>Target edge lengths of the unit-square meshes (UM2N: 0.05 and 0.055).</summary>
    public IReadOnlyList<double> ElementSizes { get; init; } = [0.05, 0.055];
    public int MaxBumps { get; init; } = 6;
    /// <summary>The monitor's weight: m = 1 + alpha ||H||^2 / max ||H||^2 (UM2N: 5).</summary>
    public double Alpha { get; init; } = Monitors.DefaultAlpha;
    public MongeAmpereOptions MongeAmpere { get; init; } = new();

    public void Validate()
    {
        if (ElementSizes.Count == 0) throw new ArgumentException("at least one element size");
        foreach (var size in ElementSizes)
            if (!(size >= 0.005 && size <= 0.5)) throw new ArgumentException($"element size {size} is outside [0.005, 0.5] on the unit square");
        if (MaxBumps < 1) throw new ArgumentException($"at least one Gaussian bump, got {MaxBumps}");
        if (!(Alpha >= 0) || double.IsInfinity(Alpha)) throw new ArgumentException($"alpha must be finite and not negative, got {Alpha}");
        MongeAmpere.Validate();
    }

    /// <summary>Every setting, in a fixed culture-free form (the file's recipe and the resume check).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"seed={Seed} element_sizes={string.Join(",", ElementSizes.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))} max_bumps={MaxBumps} alpha={Alpha:R} {MongeAmpere}");
}

/// <summary>
/// UM2N's training data: meshes of the unit square from our triangulator, random Gaussian Helmholtz
/// problems, the P1 solution and its Hessian monitor on the original mesh, the Monge-Ampere-moved
/// mesh (the monitor re-solved on every iterate, as UM2N's generator does) and the solution errors
/// on both against the exact u. Each sample is one mesh-alone trajectory of one frame:
/// fields <c>solution</c>, <c>monitor</c>, <c>moved_position [2]</c>, <c>moved_solution</c>;
/// parameters (<see cref="ParameterNames"/>) the problem's bumps, the errors, and the mover's
/// iterations, seconds, residual and convergence.
/// </summary>
public static class HelmholtzMeshGenerator
{
    public static class ParameterNames
    {
        public const string ElementSize = "element_size", Bumps = "bumps", ErrorOriginal = "error_original", ErrorMoved = "error_moved",
            ErrorReduction = "error_reduction", Iterations = "ma_iterations", Seconds = "ma_seconds", Residual = "ma_residual", Converged = "ma_converged", Alpha = "alpha";

        /// <summary>Bump k's parameters: centre x and y, widths x and y, height.</summary>
        public static string Bump(int k, string what) => $"bump{k}_{what}";
    }

    public static (int Written, int Skipped) GenerateFile(string path, int count, HelmholtzMeshSettings settings, Action<int, int>? sampleStarted = null)
    {
        settings.Validate();
        return ResumableTrajectoryFile.Generate(path, count, $"helmholtz samples={count} {settings}", settings.ToString(),
            index => Generate(settings, index), sampleStarted);
    }

    /// <summary>The element size and problem of sample <paramref name="index"/>.</summary>
    public static (double ElementSize, GaussianProblem Problem) Draw(HelmholtzMeshSettings settings, int index)
    {
        var random = new Random(ResumableTrajectoryFile.ItemSeed(settings.Seed, index));
        var size = settings.ElementSizes[random.Next(settings.ElementSizes.Count)];
        return (size, GaussianProblem.Random(random, settings.MaxBumps));
    }

    /// <summary>The unit-square mesh of an element size (the triangulator is deterministic).</summary>
    public static Mesh2D UnitSquare(double elementSize) =>
        UnstructuredMesher.Generate(new PlanarDomain(BoundaryLoop.Rectangle(0, 0, 1, 1)), new MeshingOptions { TargetEdgeLength = _ => elementSize });

    /// <summary>The problem a sample's parameters describe (to score a mover against its exact u).</summary>
    public static GaussianProblem Problem(IReadOnlyDictionary<string, double> parameters)
    {
        if (!parameters.TryGetValue(ParameterNames.Bumps, out var count) || count < 1)
            throw new InvalidDataException($"no '{ParameterNames.Bumps}' parameter: not a Helmholtz sample");
        return new GaussianProblem(Enumerable.Range(0, (int)count).Select(k =>
        {
            double Get(string what) => parameters.TryGetValue(ParameterNames.Bump(k, what), out var v) ? v : throw new InvalidDataException($"Helmholtz sample without parameter {ParameterNames.Bump(k, what)}");
            return new GaussianBump(Get("cx"), Get("cy"), Get("sx"), Get("sy"), Get("z"));
        }).ToArray());
    }

    public static MeshTrajectory Generate(HelmholtzMeshSettings settings, int index)
    {
        settings.Validate();
        var (size, problem) = Draw(settings, index);
        var mesh = UnitSquare(size);
        var space = new P1Space(mesh);
        var solution = HelmholtzSolver.Solve(space, problem);
        var monitor = Monitors.FromHessian(space, solution, settings.Alpha);
        var moved = new MongeAmpereMover(mesh, settings.MongeAmpere).Move(HelmholtzSolver.Monitor(problem, settings.Alpha));
        var movedSpace = new P1Space(moved.Mesh);
        var movedSolution = HelmholtzSolver.Solve(movedSpace, problem);
        double errorOriginal = space.L2Error(solution, problem.Solution), errorMoved = movedSpace.L2Error(movedSolution, problem.Solution);

        var parameters = new Dictionary<string, double>
        {
            [ParameterNames.ElementSize] = size, [ParameterNames.Alpha] = settings.Alpha, [ParameterNames.Bumps] = problem.Bumps.Length,
            [ParameterNames.ErrorOriginal] = errorOriginal, [ParameterNames.ErrorMoved] = errorMoved,
            [ParameterNames.ErrorReduction] = (errorOriginal - errorMoved) / errorOriginal,
            [ParameterNames.Iterations] = moved.Iterations, [ParameterNames.Seconds] = moved.Elapsed.TotalSeconds,
            [ParameterNames.Residual] = moved.Residual, [ParameterNames.Converged] = moved.Converged ? 1 : 0,
        };
        for (var k = 0; k < problem.Bumps.Length; k++)
        {
            var b = problem.Bumps[k];
            foreach (var (what, value) in new[] { ("cx", b.CenterX), ("cy", b.CenterY), ("sx", b.WidthX), ("sy", b.WidthY), ("z", b.Height) })
                parameters[ParameterNames.Bump(k, what)] = value;
        }
        static float[] Single(double[] values) => Array.ConvertAll(values, v => (float)v);
        return new MeshTrajectory(index.ToString(CultureInfo.InvariantCulture), Single(mesh.Positions), 2, mesh.Cells, 3, mesh.NodeTypes(), 1, 0,
            [
                new TrajectoryField("solution", 1, Single(solution)),
                new TrajectoryField("monitor", 1, Single(monitor)),
                new TrajectoryField("moved_position", 2, Single(moved.Mesh.Positions)),
                new TrajectoryField("moved_solution", 1, Single(movedSolution)),
            ], parameters);
    }
}
