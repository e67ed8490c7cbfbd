using System.Diagnostics;
using GnnSim.Meshing.FiniteElements;

namespace GnnSim.Meshing.Movement;

/// <summary>The relaxation's settings; the defaults are UM2N's data generation (rtol 1e-3, 500 iterations).</summary>
public sealed record MongeAmpereOptions
{
    /// <summary>The pseudo time step of the parabolised equation (the movement library's default).</summary>
    public double PseudoTimestep { get; init; } = 0.1;

    /// <summary>Stop when the relative L2 residual of <c>m det(I + H) - theta</c> falls below this.</summary>
    public double RelativeTolerance { get; init; } = 1e-3;

    public int MaxIterations { get; init; } = 500;

    /// <summary>Stop, diverged, when the residual grows to this many times its first value.</summary>
    public double DivergenceTolerance { get; init; } = 2;

    public void Validate()
    {
        if (!(PseudoTimestep > 0) || double.IsInfinity(PseudoTimestep)) throw new ArgumentException($"pseudo time step must be positive and finite, got {PseudoTimestep}");
        if (!(RelativeTolerance > 0)) throw new ArgumentException($"relative tolerance must be positive, got {RelativeTolerance}");
        if (MaxIterations < 1) throw new ArgumentException($"at least one iteration is needed, got {MaxIterations}");
        if (!(DivergenceTolerance > 1)) throw new ArgumentException($"divergence tolerance must be above 1, got {DivergenceTolerance}");
    }
}

/// <summary>
/// What a mesh mover returned. <see cref="Failure"/> says why it stopped short (not converged,
/// diverged, tangled); <see cref="Mesh"/> is then the last untangled iterate.
/// </summary>
public sealed record MeshMoveResult(Mesh2D Mesh, int Iterations, double Residual, bool Converged, string? Failure, double[] Monitor, TimeSpan Elapsed)
{
    public int TangledCells(Mesh2D original) => MeshQuality.CountTangled(original, Mesh);
}

/// <summary>
/// Monge-Ampere mesh movement (the classical mover UM2N learns from), by the relaxation of
/// McRae, Cotter and Budd (2018) as the movement library implements it: the physical mesh is
/// <c>x = xi + grad phi</c> with <c>m(x) det(I + H(phi)) = theta</c>, parabolised as
/// <c>-d/dtau Lap phi = m det(I + H) - theta</c> and stepped by forward Euler, one Neumann Poisson
/// solve per step. grad phi and H(phi) are L2-projected P1 fields on the fixed computational mesh
/// (<see cref="P1Space"/>); theta makes the residual integrate to zero. Boundary nodes slide along
/// their straight runs and corners stay (<see cref="BoundarySliding"/>). The monitor is asked again
/// at every iterate's positions.
/// </summary>
public sealed class MongeAmpereMover
{
    readonly P1Space computational;
    readonly MongeAmpereOptions options;

    /// <param name="mesh">the computational mesh xi: triangles, none inverted</param>
    public MongeAmpereMover(Mesh2D mesh, MongeAmpereOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        this.options = options ?? new MongeAmpereOptions();
        this.options.Validate();
        computational = new P1Space(mesh);
        Sliding = new BoundarySliding(mesh);
    }

    public BoundarySliding Sliding { get; }

    /// <param name="monitor">m at the nodes of the mesh it is given (the current iterate)</param>
    public MeshMoveResult Move(Func<Mesh2D, double[]> monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        var clock = Stopwatch.StartNew();
        var xi = computational.Mesh;
        var n = xi.NodeCount;
        var stiffness = computational.Stiffness();
        var phi = new double[n];
        var sigma = new HessianField(new double[n], new double[n], new double[n], new double[n]);
        var mesh = xi;
        var m = new double[n];
        double residual = double.NaN, initial = double.NaN;
        var total = computational.TotalArea;
        var massOfOne = computational.LoadOfField(Enumerable.Repeat(1.0, n).ToArray());
        for (var iteration = 0; ; iteration++)
        {
            var candidate = Positions(phi);
            var moved = xi.WithPositions(candidate);
            var tangled = MeshQuality.CountTangled(xi, moved);
            if (tangled > 0)
                return new MeshMoveResult(mesh, iteration, residual, false, $"iteration {iteration} would tangle {tangled} cells; the last untangled iterate is returned", m, clock.Elapsed);
            mesh = moved;
            m = monitor(mesh);
            Monitors.Validate(m, n, $"Monge-Ampere iteration {iteration}");

            // residual = m det(I + sigma) - theta, with theta its mean over the computational domain.
            var equidistributed = new double[n];
            for (var i = 0; i < n; i++)
                equidistributed[i] = m[i] * ((1 + sigma.Xx[i]) * (1 + sigma.Yy[i]) - sigma.Xy[i] * sigma.Yx[i]);
            var theta = computational.Integral(equidistributed) / total;
            for (var i = 0; i < n; i++) equidistributed[i] -= theta;
            var residualLoad = computational.LoadOfField(equidistributed);
            residual = Norm(residualLoad) / (theta * Norm(massOfOne));
            if (iteration == 0) initial = residual;
            if (residual < options.RelativeTolerance)
                return new MeshMoveResult(mesh, iteration, residual, true, null, m, clock.Elapsed);
            if (residual > options.DivergenceTolerance * initial)
                return new MeshMoveResult(mesh, iteration, residual, false, $"diverged at iteration {iteration}: residual {residual:g3} against {initial:g3} at the start", m, clock.Elapsed);
            if (iteration + 1 >= options.MaxIterations)
                return new MeshMoveResult(mesh, iteration + 1, residual, false, $"not converged in {options.MaxIterations} iterations: residual {residual:g3}, tolerance {options.RelativeTolerance:g3}", m, clock.Elapsed);

            // K phi_new = K phi_old + dtau * integral(psi residual), a pure-Neumann solve.
            var rhs = stiffness.Multiply(phi);
            for (var i = 0; i < n; i++) rhs[i] += options.PseudoTimestep * residualLoad[i];
            ConjugateGradient.SolveOrThrow(stiffness, rhs, phi, $"Monge-Ampere iteration {iteration}: the pseudo-time Poisson solve", tolerance: 1e-10, constantNullSpace: true);
            sigma = computational.RecoverHessian(phi, tangentialOnBoundary: true);
        }
    }

    /// <summary><c>xi + grad phi</c>, with grad phi recovered, kept tangential on the boundary, and boundary nodes kept on their runs.</summary>
    double[] Positions(double[] phi)
    {
        var (gx, gy) = computational.RecoverGradient(phi);
        var n = phi.Length;
        var displacement = new double[2 * n];
        for (var i = 0; i < n; i++)
        {
            displacement[2 * i] = gx[i];
            displacement[2 * i + 1] = gy[i];
        }
        Sliding.ConstrainDisplacement(displacement);
        var positions = (double[])computational.Mesh.Positions.Clone();
        for (var k = 0; k < positions.Length; k++) positions[k] += displacement[k];
        Sliding.Project(positions);
        return positions;
    }

    static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));
}
