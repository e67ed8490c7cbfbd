using GnnSim.Meshing;
using GnnSim.Meshing.FiniteElements;
using GnnSim.Meshing.Movement;

namespace GnnSim.Solvers.Helmholtz;

/// <summary>
/// <c>-Lap u + u = f</c> on a triangle mesh of any polygonal domain, Dirichlet data on every boundary
/// node, by P1 finite elements: the stiffness plus mass matrix, the load by a degree-5 rule, the
/// boundary values imposed symmetrically, Jacobi-preconditioned CG.
/// </summary>
public static class HelmholtzSolver
{
    public static double[] Solve(P1Space space, Func<double, double, double> source, Func<double, double, double> boundaryValue, double tolerance = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(space);
        var rhs = space.Load(source);
        var onBoundary = space.BoundaryNodes();
        var values = new double[space.NodeCount];
        var p = space.Mesh.Positions;
        for (var i = 0; i < values.Length; i++)
            if (onBoundary[i]) values[i] = boundaryValue(p[2 * i], p[2 * i + 1]);
        var system = space.Stiffness().Plus(space.Mass()).WithDirichlet(onBoundary, values, rhs);
        var u = (double[])values.Clone();
        ConjugateGradient.SolveOrThrow(system, rhs, u, "Helmholtz solve", tolerance);
        return u;
    }

    /// <summary>The discrete solution of a Gaussian problem (its exact u on the boundary).</summary>
    public static double[] Solve(P1Space space, GaussianProblem problem) => Solve(space, problem.Source, problem.Solution);

    /// <summary>The L2 error of the P1 solution of <paramref name="problem"/> on <paramref name="mesh"/>.</summary>
    public static double SolutionError(Mesh2D mesh, GaussianProblem problem)
    {
        var space = new P1Space(mesh);
        return space.L2Error(Solve(space, problem), problem.Solution);
    }

    /// <summary>
    /// UM2N's monitor for a Helmholtz problem: solve on the mesh as it is now, recover the Hessian,
    /// <c>m = 1 + alpha ||H||^2 / max ||H||^2</c>. The Monge-Ampere mover asks it at every iterate:
    /// iterates of one mesh (the same cells) reuse the first one's matrix pattern and boundary.
    /// </summary>
    public static Func<Mesh2D, double[]> Monitor(GaussianProblem problem, double alpha = Monitors.DefaultAlpha)
    {
        P1Space? last = null;
        return mesh =>
        {
            var space = last is not null && ReferenceEquals(last.Mesh.Cells, mesh.Cells) ? last.WithPositions(mesh.Positions) : new P1Space(mesh);
            last = space;
            return Monitors.FromHessian(space, Solve(space, problem), alpha);
        };
    }
}
