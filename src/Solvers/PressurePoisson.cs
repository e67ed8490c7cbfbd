namespace GnnSim.Solvers;

/// <summary>
/// The pressure equation of the projection step, -div(grad phi) = b, on the fluid cells of a
/// masked cell-centred grid: conjugate gradients preconditioned by one geometric multigrid
/// V-cycle. Faces between a fluid cell and a solid cell or a wall carry no flux (Neumann);
/// outflow sides hold phi = 0 on the boundary face (Dirichlet). With no Dirichlet side the
/// problem is singular and is solved in the space of zero-mean fields.
/// </summary>
/// <remarks>
/// The operator is written as face conductances, c = open / h^2 (2 / h^2 for a Dirichlet
/// boundary face, whose value sits half a cell away). Coarse levels aggregate 2 x 2 cells
/// (2 x 1 or 1 x 2 once a side is short) and rediscretize: a coarse face's conductance is the
/// mean of the fine faces it covers over the coarse spacing squared, so obstacles and outflow
/// sides stay in the coarse problems. Restriction averages, prolongation is piecewise constant,
/// and the smoother is red-black Gauss-Seidel run forward before and backward after the coarse
/// correction, which keeps the V-cycle symmetric as CG needs.
/// </remarks>
public sealed class PressurePoisson
{
    const int PreSmoothing = 2;
    const int PostSmoothing = 2;
    const int CoarsestSweeps = 30;

    readonly Level[] _levels;
    readonly bool _singular;
    readonly double[] _r, _z, _p, _q;

    /// <summary>Iterations of the last <see cref="Solve"/>.</summary>
    public int LastIterations { get; private set; }

    /// <param name="fluid">[ny * nx], row-major with the row index j = increasing y.</param>
    /// <param name="dirichlet">Per side (west, east, south, north): whether phi = 0 on that boundary.</param>
    public PressurePoisson(int nx, int ny, double dx, double dy, ReadOnlySpan<bool> fluid, SideFlags dirichlet)
    {
        if (nx < 1 || ny < 1) throw new ArgumentException($"grid {nx} x {ny} has no cells");
        if (fluid.Length != nx * ny) throw new ArgumentException($"fluid mask has {fluid.Length} entries, grid has {nx * ny} cells");
        var levels = new List<Level> { Level.Finest(nx, ny, dx, dy, fluid, dirichlet) };
        while (levels[^1].CanCoarsen) levels.Add(levels[^1].Coarsen());
        _levels = levels.ToArray();
        _singular = !(dirichlet.West || dirichlet.East || dirichlet.South || dirichlet.North);
        int n = nx * ny;
        _r = new double[n]; _z = new double[n]; _p = new double[n]; _q = new double[n];
    }

    /// <summary>
    /// Solves A phi = b until the largest residual is at most <paramref name="tolerance"/>, starting
    /// from the <paramref name="phi"/> given. Returns that residual. Solid cells get phi = 0.
    /// </summary>
    public double Solve(double[] b, double[] phi, double tolerance, int maxIterations = 500)
    {
        var fine = _levels[0];
        int n = fine.Nx * fine.Ny;
        if (b.Length != n || phi.Length != n) throw new ArgumentException("right-hand side and solution must have one value per cell");
        if (!(tolerance > 0)) throw new ArgumentException($"tolerance must be positive, got {tolerance}");
        if (_singular) { RemoveMean(b, fine); RemoveMean(phi, fine); }

        fine.Residual(phi, b, _r);
        double rMax = MaxAbs(_r);
        int iteration = 0;
        if (rMax > tolerance)
        {
            Precondition(_r, _z);
            Array.Copy(_z, _p, n);
            double rz = Dot(_r, _z, fine);
            for (iteration = 1; iteration <= maxIterations; iteration++)
            {
                fine.Apply(_p, _q);
                double pq = Dot(_p, _q, fine);
                if (pq <= 0) break; // only when the residual is already at round-off
                double alpha = rz / pq;
                for (int k = 0; k < n; k++) { phi[k] += alpha * _p[k]; _r[k] -= alpha * _q[k]; }
                rMax = MaxAbs(_r);
                if (rMax <= tolerance || !double.IsFinite(rMax)) break;
                Precondition(_r, _z);
                double rzNew = Dot(_r, _z, fine);
                double beta = rzNew / rz;
                rz = rzNew;
                for (int k = 0; k < n; k++) _p[k] = _z[k] + beta * _p[k];
            }
            if (!double.IsFinite(rMax)) throw new ArithmeticException("pressure solve diverged (non-finite residual)");
        }
        LastIterations = iteration;
        if (_singular) RemoveMean(phi, fine);
        return rMax;
    }

    static double MaxAbs(double[] values)
    {
        double max = 0;
        foreach (double value in values) max = Math.Max(max, Math.Abs(value));
        return max;
    }

    void Precondition(double[] r, double[] z)
    {
        Array.Copy(r, _levels[0].B, r.Length);
        VCycle(0);
        Array.Copy(_levels[0].X, z, z.Length);
        if (_singular) RemoveMean(z, _levels[0]);
    }

    void VCycle(int l)
    {
        var level = _levels[l];
        Array.Clear(level.X);
        if (l == _levels.Length - 1)
        {
            level.SmoothSymmetric(CoarsestSweeps);
            return;
        }
        level.Smooth(forward: true, PreSmoothing);
        level.Residual(level.X, level.B, level.R);
        var coarse = _levels[l + 1];
        level.Restrict(level.R, coarse);
        VCycle(l + 1);
        level.ProlongAdd(coarse);
        level.Smooth(forward: false, PostSmoothing);
    }

    static double Dot(double[] a, double[] b, Level level)
    {
        double sum = 0;
        var active = level.Active;
        for (int k = 0; k < a.Length; k++) if (active[k]) sum += a[k] * b[k];
        return sum;
    }

    static void RemoveMean(double[] values, Level level)
    {
        double sum = 0; int count = 0;
        for (int k = 0; k < values.Length; k++) if (level.Active[k]) { sum += values[k]; count++; }
        if (count == 0) return;
        double mean = sum / count;
        for (int k = 0; k < values.Length; k++) values[k] = level.Active[k] ? values[k] - mean : 0;
    }

    /// <summary>
    /// One grid of the hierarchy: face conductances, and per-cell neighbour weights on a grid padded
    /// by one ring of zeros so the sweeps need no boundary branches.
    /// </summary>
    sealed class Level
    {
        public readonly int Nx, Ny;
        public readonly int Rx, Ry; // how the next coarser level aggregates this one
        public readonly double[] Cx; // [(nx + 1) * ny] conductance of the x-face west of cell (i, j); i = nx is the east side
        public readonly double[] Cy; // [nx * (ny + 1)] conductance of the y-face south of cell (i, j)
        public readonly bool[] Active; // [nx * ny]
        public readonly double[] X, B, R; // [nx * ny]
        readonly double _dx, _dy;
        // Padded (nx + 2) x (ny + 2) copies for the branch-free stencil.
        readonly int _w;
        readonly double[] _west, _east, _south, _north, diagonal, inverseDiagonal, _padded;

        Level(int nx, int ny, double dx, double dy)
        {
            Nx = nx; Ny = ny; _dx = dx; _dy = dy;
            Rx = nx >= 4 ? 2 : 1;
            Ry = ny >= 4 ? 2 : 1;
            Cx = new double[(nx + 1) * ny];
            Cy = new double[nx * (ny + 1)];
            Active = new bool[nx * ny];
            X = new double[nx * ny]; B = new double[nx * ny]; R = new double[nx * ny];
            _w = nx + 2;
            int padded = (nx + 2) * (ny + 2);
            _west = new double[padded]; _east = new double[padded]; _south = new double[padded]; _north = new double[padded];
            diagonal = new double[padded]; inverseDiagonal = new double[padded]; _padded = new double[padded];
        }

        public bool CanCoarsen => (Rx > 1 || Ry > 1) && Nx * Ny > 16;

        public static Level Finest(int nx, int ny, double dx, double dy, ReadOnlySpan<bool> fluid, SideFlags dirichlet)
        {
            var level = new Level(nx, ny, dx, dy);
            double ax = 1 / (dx * dx), ay = 1 / (dy * dy);
            for (int j = 0; j < ny; j++)
                for (int i = 0; i <= nx; i++)
                {
                    bool west = i > 0 && fluid[j * nx + i - 1], east = i < nx && fluid[j * nx + i];
                    double c = 0;
                    if (west && east) c = ax;
                    else if (i == 0 && east && dirichlet.West) c = 2 * ax;
                    else if (i == nx && west && dirichlet.East) c = 2 * ax;
                    level.Cx[j * (nx + 1) + i] = c;
                }
            for (int j = 0; j <= ny; j++)
                for (int i = 0; i < nx; i++)
                {
                    bool south = j > 0 && fluid[(j - 1) * nx + i], north = j < ny && fluid[j * nx + i];
                    double c = 0;
                    if (south && north) c = ay;
                    else if (j == 0 && north && dirichlet.South) c = 2 * ay;
                    else if (j == ny && south && dirichlet.North) c = 2 * ay;
                    level.Cy[j * nx + i] = c;
                }
            level.Finish();
            return level;
        }

        public Level Coarsen()
        {
            int nxc = (Nx + Rx - 1) / Rx, nyc = (Ny + Ry - 1) / Ry;
            var coarse = new Level(nxc, nyc, _dx * Rx, _dy * Ry);
            double sx = 1.0 / (Rx * Rx * Ry), sy = 1.0 / (Ry * Ry * Rx);
            for (int J = 0; J < nyc; J++)
                for (int I = 0; I <= nxc; I++)
                {
                    int i = Math.Min(I * Rx, Nx);
                    double sum = 0;
                    for (int j = J * Ry; j < Math.Min((J + 1) * Ry, Ny); j++) sum += Cx[j * (Nx + 1) + i];
                    coarse.Cx[J * (nxc + 1) + I] = sum * sx;
                }
            for (int J = 0; J <= nyc; J++)
                for (int I = 0; I < nxc; I++)
                {
                    int j = Math.Min(J * Ry, Ny);
                    double sum = 0;
                    for (int i = I * Rx; i < Math.Min((I + 1) * Rx, Nx); i++) sum += Cy[j * Nx + i];
                    coarse.Cy[J * nxc + I] = sum * sy;
                }
            coarse.Finish();
            return coarse;
        }

        void Finish()
        {
            for (int j = 0; j < Ny; j++)
                for (int i = 0; i < Nx; i++)
                {
                    int p = (j + 1) * _w + i + 1;
                    // A neighbour across the boundary is a zero in the padding, so its weight may stay.
                    _west[p] = Cx[j * (Nx + 1) + i];
                    _east[p] = Cx[j * (Nx + 1) + i + 1];
                    _south[p] = Cy[j * Nx + i];
                    _north[p] = Cy[(j + 1) * Nx + i];
                    double d = _west[p] + _east[p] + _south[p] + _north[p];
                    diagonal[p] = d;
                    inverseDiagonal[p] = d > 0 ? 1 / d : 0;
                    Active[j * Nx + i] = d > 0;
                }
        }

        void Pad(double[] x)
        {
            for (int j = 0; j < Ny; j++) Array.Copy(x, j * Nx, _padded, (j + 1) * _w + 1, Nx);
        }

        double NeighbourSum(double[] x, int p) =>
            _west[p] * x[p - 1] + _east[p] * x[p + 1] + _south[p] * x[p - _w] + _north[p] * x[p + _w];

        public void Apply(double[] x, double[] result)
        {
            Pad(x);
            var xp = _padded;
            RowParallel.For(Ny, Nx, (j0, j1) =>
            {
                for (int j = j0; j < j1; j++)
                    for (int i = 0, p = (j + 1) * _w + 1, k = j * Nx; i < Nx; i++, p++, k++)
                        result[k] = diagonal[p] * xp[p] - NeighbourSum(xp, p);
            });
        }

        public void Residual(double[] x, double[] b, double[] r)
        {
            Pad(x);
            var xp = _padded;
            RowParallel.For(Ny, Nx, (j0, j1) =>
            {
                for (int j = j0; j < j1; j++)
                    for (int i = 0, p = (j + 1) * _w + 1, k = j * Nx; i < Nx; i++, p++, k++)
                        r[k] = diagonal[p] > 0 ? b[k] - diagonal[p] * xp[p] + NeighbourSum(xp, p) : 0;
            });
        }

        /// <summary>Red-black Gauss-Seidel sweeps on X against B; backward runs black first.</summary>
        public void Smooth(bool forward, int sweeps)
        {
            Pad(X);
            for (int s = 0; s < sweeps; s++) Sweep(forward);
            for (int j = 0; j < Ny; j++) Array.Copy(_padded, (j + 1) * _w + 1, X, j * Nx, Nx);
        }

        /// <summary>Pairs of a forward and a backward sweep (symmetric, as CG's preconditioner must be), padded once.</summary>
        public void SmoothSymmetric(int pairs)
        {
            Pad(X);
            for (int s = 0; s < pairs; s++) { Sweep(forward: true); Sweep(forward: false); }
            for (int j = 0; j < Ny; j++) Array.Copy(_padded, (j + 1) * _w + 1, X, j * Nx, Nx);
        }

        /// <summary>One red-black sweep over the padded copy of X.</summary>
        void Sweep(bool forward)
        {
            var xp = _padded;
            for (int pass = 0; pass < 2; pass++)
            {
                int colour = forward ? pass : 1 - pass;
                // Cells of one colour only read the other colour, so rows may run in parallel.
                RowParallel.For(Ny, Nx / 2, (j0, j1) =>
                {
                    for (int j = j0; j < j1; j++)
                    {
                        int first = (j + colour) & 1;
                        for (int i = first, p = (j + 1) * _w + 1 + first, k = j * Nx + first; i < Nx; i += 2, p += 2, k += 2)
                            xp[p] = (B[k] + NeighbourSum(xp, p)) * inverseDiagonal[p];
                    }
                });
            }
        }

        public void Restrict(double[] fine, Level coarse)
        {
            Array.Clear(coarse.B);
            double w = 1.0 / (Rx * Ry);
            for (int j = 0; j < Ny; j++)
            {
                int row = (j / Ry) * coarse.Nx;
                for (int i = 0; i < Nx; i++) coarse.B[row + i / Rx] += w * fine[j * Nx + i];
            }
        }

        public void ProlongAdd(Level coarse)
        {
            for (int j = 0; j < Ny; j++)
            {
                int row = (j / Ry) * coarse.Nx;
                for (int i = 0, k = j * Nx; i < Nx; i++, k++)
                    if (Active[k]) X[k] += coarse.X[row + i / Rx];
            }
        }
    }
}

/// <summary>One flag per side of a rectangular domain.</summary>
public readonly record struct SideFlags(bool West, bool East, bool South, bool North);
