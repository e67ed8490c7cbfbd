namespace GnnSim.Meshing.FiniteElements;

/// <summary>How a linear solve ended.</summary>
public readonly record struct SolveReport(int Iterations, double RelativeResidual, bool Converged);

/// <summary>
/// Jacobi-preconditioned conjugate gradients for the symmetric positive (semi-)definite systems of
/// P1 elements: mass, stiffness, Helmholtz. MathNet.Numerics, the served linear-algebra package,
/// has only nonsymmetric Krylov methods (BiCGStab, TFQMR, ...); CG is the method for these systems.
/// </summary>
public static class ConjugateGradient
{
    /// <summary>
    /// Solves A x = b from the <paramref name="x"/> given until ||b - A x|| &lt;= tolerance ||b||.
    /// With <paramref name="constantNullSpace"/> A is a pure-Neumann operator (A 1 = 0): the part of
    /// b along the constants is removed (it has no solution) and x is returned with zero mean.
    /// </summary>
    public static SolveReport Solve(SparseMatrix a, double[] b, double[] x, double tolerance = 1e-10, int maxIterations = 0, bool constantNullSpace = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        var n = a.Size;
        if (b.Length != n || x.Length != n) throw new ArgumentException($"a {n}-unknown system with a right-hand side of {b.Length} and a guess of {x.Length}");
        if (maxIterations <= 0) maxIterations = Math.Max(100, 10 * n);
        var inverseDiagonal = a.Diagonal();
        for (var i = 0; i < n; i++)
        {
            if (!(inverseDiagonal[i] > 0)) throw new ArgumentException($"the matrix's diagonal at row {i} is {inverseDiagonal[i]}, not positive: not a positive definite system");
            inverseDiagonal[i] = 1 / inverseDiagonal[i];
        }
        var rhs = (double[])b.Clone();
        if (constantNullSpace) RemoveMean(rhs);
        var bNorm = Norm(rhs);
        if (bNorm == 0)
        {
            Array.Clear(x);
            return new SolveReport(0, 0, true);
        }
        var r = new double[n];
        var z = new double[n];
        var p = new double[n];
        var q = new double[n];
        a.Multiply(x, q);
        for (var i = 0; i < n; i++) r[i] = rhs[i] - q[i];
        var residual = Norm(r) / bNorm;
        var iteration = 0;
        double rz = 0;
        while (residual > tolerance && iteration < maxIterations)
        {
            for (var i = 0; i < n; i++) z[i] = inverseDiagonal[i] * r[i];
            if (constantNullSpace) RemoveMean(z);
            var rzNext = Dot(r, z);
            var beta = iteration == 0 ? 0 : rzNext / rz;
            rz = rzNext;
            for (var i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
            a.Multiply(p, q);
            var pq = Dot(p, q);
            if (!(pq > 0)) break; // breakdown: A is not positive definite along p
            var alpha = rz / pq;
            for (var i = 0; i < n; i++)
            {
                x[i] += alpha * p[i];
                r[i] -= alpha * q[i];
            }
            iteration++;
            residual = Norm(r) / bNorm;
        }
        if (constantNullSpace) RemoveMean(x);
        return new SolveReport(iteration, residual, residual <= tolerance);
    }

    /// <summary>Solves and throws, naming <paramref name="what"/>, when the solve does not converge.</summary>
    public static void SolveOrThrow(SparseMatrix a, double[] b, double[] x, string what, double tolerance = 1e-10, bool constantNullSpace = false)
    {
        var report = Solve(a, b, x, tolerance, constantNullSpace: constantNullSpace);
        if (!report.Converged)
            throw new InvalidOperationException($"{what}: conjugate gradients stopped after {report.Iterations} iterations at relative residual {report.RelativeResidual:g3} (tolerance {tolerance:g3})");
    }

    static void RemoveMean(double[] v)
    {
        var mean = v.Average();
        for (var i = 0; i < v.Length; i++) v[i] -= mean;
    }

    static double Dot(double[] u, double[] v)
    {
        double sum = 0;
        for (var i = 0; i < u.Length; i++) sum += u[i] * v[i];
        return sum;
    }

    static double Norm(double[] v) => Math.Sqrt(Dot(v, v));
}
