using GnnSim.Meshing;
using GnnSim.Meshing.FiniteElements;
using GnnSim.Meshing.Movement;
using GnnSim.Solvers.Helmholtz;

namespace GnnSim.Solvers.Tests;

public class HelmholtzTests
{
    static readonly GaussianProblem TwoBumps = new([new GaussianBump(0.4, 0.55, 0.15, 0.25, 0.8), new GaussianBump(0.7, 0.3, 0.2, 0.12, 0.5)]);

    [Fact]
    public void TheSourceIsMinusTheLaplacianPlusTheSolution()
    {
        const double h = 1e-4;
        foreach (var (x, y) in new[] { (0.3, 0.6), (0.71, 0.28), (0.05, 0.95) })
        {
            double u(double a, double b) => TwoBumps.Solution(a, b);
            var uxx = (u(x + h, y) - 2 * u(x, y) + u(x - h, y)) / (h * h);
            var uyy = (u(x, y + h) - 2 * u(x, y) + u(x, y - h)) / (h * h);
            var uxy = (u(x + h, y + h) - u(x + h, y - h) - u(x - h, y + h) + u(x - h, y - h)) / (4 * h * h);
            Assert.Equal(-uxx - uyy + u(x, y), TwoBumps.Source(x, y), 4);
            var (hxx, hxy, hyy) = TwoBumps.Hessian(x, y);
            Assert.Equal(uxx, hxx, 4);
            Assert.Equal(uxy, hxy, 4);
            Assert.Equal(uyy, hyy, 4);
        }
    }

    [Fact]
    public void TheP1ErrorFallsAsHSquaredUnderUniformRefinement()
    {
        var errors = new[] { 8, 16, 32, 64, 128 }
            .Select(n => HelmholtzSolver.SolutionError(StructuredMesh.Rectangle(0, 0, 1, 1, n, n, CellShape.Triangles), TwoBumps))
            .ToArray();
        var orders = errors.Zip(errors.Skip(1), (coarse, fine) => Math.Log2(coarse / fine)).ToArray();
        // Pre-asymptotic on the coarsest grid (8 x 8 barely resolves the narrow bump), then order 2.
        Assert.All(orders, order => Assert.InRange(order, 1.75, 2.25));
        Assert.InRange(orders[^1], 1.95, 2.05);
        Assert.True(errors[^1] < 3e-4, $"error on 128 x 128: {errors[^1]}");
    }

    [Fact]
    public void OnADomainWithAHoleTheSolutionConvergesToo()
    {
        var domain = new PlanarDomain(BoundaryLoop.Rectangle(0, 0, 1, 1), BoundaryLoop.Circle(new Point2(0.3, 0.7), 0.1, 24, BoundaryTag.Obstacle));
        double ErrorAt(double size) => HelmholtzSolver.SolutionError(UnstructuredMesher.Generate(domain, new MeshingOptions { TargetEdgeLength = _ => size }), TwoBumps);
        double coarse = ErrorAt(0.1), fine = ErrorAt(0.05);
        Assert.InRange(Math.Log2(coarse / fine), 1.5, 2.5);
    }

    [Fact]
    public void RandomProblemsAreSeededAndShapedLikeUm2ns()
    {
        var a = GaussianProblem.Random(new Random(3));
        var b = GaussianProblem.Random(new Random(3));
        Assert.Equal(a.Bumps, b.Bumps);
        var many = Enumerable.Range(0, 200).SelectMany(s => GaussianProblem.Random(new Random(s)).Bumps).ToArray();
        Assert.All(many, bump =>
        {
            Assert.InRange(bump.CenterX, 0.2, 0.8);
            Assert.InRange(bump.WidthX, 0.125, 2);
            Assert.InRange(bump.Height, 0, 1);
        });
        var counts = Enumerable.Range(0, 200).Select(s => GaussianProblem.Random(new Random(s)).Bumps.Length).ToHashSet();
        Assert.Equal(Enumerable.Range(1, 6).ToHashSet(), counts);
    }

    [Fact]
    public void TheMongeAmpereMeshOfASharpBumpLowersTheSolutionError()
    {
        var sharp = new GaussianProblem([new GaussianBump(0.45, 0.55, 0.08, 0.08, 1)]);
        var mesh = UnstructuredMesher.Generate(new PlanarDomain(BoundaryLoop.Rectangle(0, 0, 1, 1)), new MeshingOptions { TargetEdgeLength = _ => 0.06 });
        var monitor = HelmholtzSolver.Monitor(sharp);
        var initial = monitor(mesh);
        Assert.Equal(1 + Monitors.DefaultAlpha, initial.Max(), 9);
        Assert.True(initial.Min() >= 1);

        var result = new MongeAmpereMover(mesh).Move(monitor);
        Assert.True(result.Converged, result.Failure);
        Assert.Equal(0, result.TangledCells(mesh));
        double before = HelmholtzSolver.SolutionError(mesh, sharp), after = HelmholtzSolver.SolutionError(result.Mesh, sharp);
        var reduction = (before - after) / before;
        Assert.True(reduction > 0.2, $"error {before:g3} on the original mesh, {after:g3} on the moved one (ER {reduction:P0})");
    }
}
