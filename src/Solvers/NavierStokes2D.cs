namespace GnnSim.Solvers;

/// <summary>
/// Incompressible Navier-Stokes in 2D on a uniform staggered (MAC) grid with masked solid cells:
/// u on the vertical faces, v on the horizontal faces, pressure at the cell centres.
/// </summary>
/// <remarks>
/// One step of length dt:
/// <list type="number">
/// <item>u* = SSP-RK2 (Heun) of du/dt = -div(u u) + nu lap(u): fluxes through each momentum cell's faces,
/// the transported velocity reconstructed upwind with a van Leer limiter (second order where the flow
/// is smooth, no new extrema where it is not, which is what keeps the under-resolved high-Reynolds
/// cases bounded), diffusion by central differences;</item>
/// <item>outflow faces extrapolate (zero-gradient or convective);</item>
/// <item>projection in incremental form: the predictor already carries the last pressure gradient,
/// -lap(dphi) = -div(u*) / dt, u = u* - dt grad(dphi), phi += dphi, p = rho phi, solved by
/// <see cref="PressurePoisson"/> (multigrid-preconditioned CG) until dt |residual| (the divergence left) is below
/// 1e-9 U / h. The increment form keeps the steady state independent of dt when the viscous term
/// is implicit.</item>
/// </list>
/// dt follows the advective Courant limit, plus the diffusion limit when viscosity is explicit.
/// Walls, inflow and the domain sides enter through two layers of ghost values; a solid cell's faces
/// hold zero velocity, and seen from a tangential neighbour a solid face mirrors it (no slip half a
/// cell away), so masked obstacles are staircase no-slip bodies.
/// </remarks>
public sealed class NavierStokes2D
{
    const int Pad = 2;

    enum FaceKind : byte
    {
        /// <summary>Interior fluid face: momentum and projection update it.</summary>
        Free,
        /// <summary>Domain side with a prescribed value (wall, inflow).</summary>
        Fixed,
        /// <summary>Face of a solid cell: zero, and a mirror for tangential neighbours.</summary>
        Solid,
        /// <summary>Domain side marked outflow: extrapolated, then projected.</summary>
        Outflow,
    }

    readonly FlowConfiguration _config;
    readonly int _nx, _ny, _uw, _vw;
    readonly double _dx, _dy, _nu;
    readonly double[] _u, _v, u0, v0, _du, _dv; // padded face arrays (u: (nx+1+4) x (ny+4), v: (nx+4) x (ny+1+4))
    readonly FaceKind[] uKind, vKind;          // unpadded
    readonly bool[] _fluid;
    readonly double[] _phi, _dphi, rhs; // kinematic pressure p / rho, its increment, the projection's right-hand side
    readonly PressurePoisson poisson;
    readonly double boundarySpeed;
    readonly ImplicitWork? _implicit; // only when viscosity is implicit
    double lastDt; // of the last projection, whose pressure increment seeds the next solve

    public FlowConfiguration Configuration => _config;
    public double Time { get; private set; }
    public long Steps { get; private set; }
    public int LastPressureIterations => poisson.LastIterations;
    public int Nx => _nx;
    public int Ny => _ny;

    public NavierStokes2D(FlowConfiguration config)
    {
        config.Validate();
        _config = config;
        _nx = config.Nx; _ny = config.Ny;
        _dx = config.Dx; _dy = config.Dy;
        _nu = config.KinematicViscosity;
        _uw = _nx + 1 + 2 * Pad;
        _vw = _nx + 2 * Pad;
        int uSize = _uw * (_ny + 2 * Pad), vSize = _vw * (_ny + 1 + 2 * Pad);
        _u = new double[uSize]; u0 = new double[uSize]; _du = new double[uSize];
        _v = new double[vSize]; v0 = new double[vSize]; _dv = new double[vSize];
        _fluid = new bool[_nx * _ny];
        for (int k = 0; k < _fluid.Length; k++) _fluid[k] = config.Solid is null || !config.Solid[k];
        uKind = new FaceKind[(_nx + 1) * _ny];
        vKind = new FaceKind[_nx * (_ny + 1)];
        ClassifyFaces();
        _phi = new double[_nx * _ny];
        _dphi = new double[_nx * _ny];
        rhs = new double[_nx * _ny];
        poisson = new PressurePoisson(_nx, _ny, _dx, _dy, _fluid, new SideFlags(
            config.West.Kind == SideKind.Outflow, config.East.Kind == SideKind.Outflow,
            config.South.Kind == SideKind.Outflow, config.North.Kind == SideKind.Outflow));
        boundarySpeed = new[] { config.West, config.East, config.South, config.North }.Max(s => Math.Abs(s.Speed));
        UsesImplicitViscosity = config.Viscous switch
        {
            ViscousTreatment.Explicit => false,
            ViscousTreatment.Implicit => true,
            _ => DiffusiveRate() > 2 * boundarySpeed * (1 / _dx + 1 / _dy) / config.Courant,
        };
        if (UsesImplicitViscosity) _implicit = new ImplicitWork(this);
    }

    int Ui(int i, int j) => (j + Pad) * _uw + i + Pad;
    int Vi(int i, int j) => (j + Pad) * _vw + i + Pad;

    /// <summary>x-velocity on the vertical face at x = i dx, y = (j + 1/2) dy; i in [0, nx], j in [0, ny).</summary>
    public double U(int i, int j) => _u[Ui(i, j)];
    /// <summary>y-velocity on the horizontal face at x = (i + 1/2) dx, y = j dy.</summary>
    public double V(int i, int j) => _v[Vi(i, j)];
    public bool IsFluid(int i, int j) => _fluid[j * _nx + i];

    void ClassifyFaces()
    {
        var c = _config;
        for (int j = 0; j < _ny; j++)
            for (int i = 0; i <= _nx; i++)
            {
                bool left = i > 0 && _fluid[j * _nx + i - 1], right = i < _nx && _fluid[j * _nx + i];
                var (kind, value) = i == 0 ? SideFace(c.West, right, +1, (j + 0.5) / _ny)
                    : i == _nx ? SideFace(c.East, left, -1, (j + 0.5) / _ny)
                    : (left && right ? FaceKind.Free : FaceKind.Solid, 0.0);
                uKind[j * (_nx + 1) + i] = kind;
                _u[Ui(i, j)] = value;
            }
        for (int j = 0; j <= _ny; j++)
            for (int i = 0; i < _nx; i++)
            {
                bool below = j > 0 && _fluid[(j - 1) * _nx + i], above = j < _ny && _fluid[j * _nx + i];
                var (kind, value) = j == 0 ? SideFace(c.South, above, +1, (i + 0.5) / _nx)
                    : j == _ny ? SideFace(c.North, below, -1, (i + 0.5) / _nx)
                    : (below && above ? FaceKind.Free : FaceKind.Solid, 0.0);
                vKind[j * _nx + i] = kind;
                _v[Vi(i, j)] = value;
            }
    }

    /// <summary>
    /// A face on a domain side: solid when the cell inside is, else outflow, or fixed at the inflow's
    /// normal speed (pointing into the domain: <paramref name="inward"/> is +1 on west and south) or a
    /// wall's zero; <paramref name="s"/> is the fraction along the side.
    /// </summary>
    static (FaceKind Kind, double Value) SideFace(DomainSide side, bool innerFluid, int inward, double s) =>
        !innerFluid ? (FaceKind.Solid, 0)
        : side.Kind == SideKind.Outflow ? (FaceKind.Outflow, 0)
        : (FaceKind.Fixed, side.Kind == SideKind.Inflow ? inward * side.InflowSpeedAt(s) : 0);

    /// <summary>The time step the stability limits allow for the current field.</summary>
    public double StableTimeStep()
    {
        double uMax = boundarySpeed, vMax = boundarySpeed;
        for (int j = 0; j < _ny; j++) for (int i = 0; i <= _nx; i++) uMax = Math.Max(uMax, Math.Abs(_u[Ui(i, j)]));
        for (int j = 0; j <= _ny; j++) for (int i = 0; i < _nx; i++) vMax = Math.Max(vMax, Math.Abs(_v[Vi(i, j)]));
        double advective = (uMax / _dx + vMax / _dy) / _config.Courant;
        return 1 / (UsesImplicitViscosity ? advective : advective + DiffusiveRate());
    }

    double DiffusiveRate() => 2 * _nu * (1 / (_dx * _dx) + 1 / (_dy * _dy)) / _config.DiffusionNumber;

    /// <summary>Steps until <see cref="Time"/> reaches <paramref name="endTime"/> exactly.</summary>
    public void Advance(double endTime)
    {
        while (Time < endTime)
        {
            double dt = StableTimeStep();
            // The last step lands on endTime exactly (no round-off left in Time).
            if (Time + dt >= endTime) { Step(endTime - Time); Time = endTime; }
            else Step(dt);
        }
    }

    /// <summary>
    /// Advances in intervals of <paramref name="interval"/> until the largest change of any face
    /// velocity over an interval, per unit time and relative to the driving speed, falls below
    /// <paramref name="tolerance"/>. Returns the time reached; throws when <paramref name="maxTime"/>
    /// passes first.
    /// </summary>
    public double AdvanceToSteadyState(double tolerance = 1e-4, double interval = 0.5, double maxTime = 200)
    {
        double scale = Math.Max(boundarySpeed, 1e-12);
        var previousU = (double[])_u.Clone();
        var previousV = (double[])_v.Clone();
        while (Time < maxTime)
        {
            Advance(Math.Min(Time + interval, maxTime));
            double change = 0;
            for (int k = 0; k < _u.Length; k++) change = Math.Max(change, Math.Abs(_u[k] - previousU[k]));
            for (int k = 0; k < _v.Length; k++) change = Math.Max(change, Math.Abs(_v[k] - previousV[k]));
            if (change / (interval * scale) < tolerance) return Time;
            Array.Copy(_u, previousU, _u.Length);
            Array.Copy(_v, previousV, _v.Length);
        }
        throw new InvalidOperationException($"no steady state within t = {maxTime} (tolerance {tolerance})");
    }

    /// <summary>One projection step of length <paramref name="dt"/>.</summary>
    public void Step(double dt)
    {
        if (!(dt > 0)) throw new ArgumentException($"time step must be positive, got {dt}");
        Array.Copy(_u, u0, _u.Length);
        Array.Copy(_v, v0, _v.Length);
        bool implicitViscosity = _implicit is not null;
        if (implicitViscosity) FrozenViscousForce();

        // Heun's SSP-RK2: u1 = u + dt L(u); u* = (u + u1 + dt L(u1)) / 2, with L the advection, the
        // last pressure gradient and the viscous force (frozen at u^n when it is implicit).
        Rates(implicitViscosity);
        for (int k = 0; k < _u.Length; k++) _u[k] += dt * _du[k];
        for (int k = 0; k < _v.Length; k++) _v[k] += dt * _dv[k];
        UpdateOutflowFaces(dt);
        Rates(implicitViscosity);
        for (int k = 0; k < _u.Length; k++) _u[k] = 0.5 * (u0[k] + _u[k] + dt * _du[k]);
        for (int k = 0; k < _v.Length; k++) _v[k] = 0.5 * (v0[k] + _v[k] + dt * _dv[k]);
        if (implicitViscosity) ImplicitViscousCorrection(dt);
        UpdateOutflowFaces(dt);

        Project(dt);
        Time += dt;
        Steps++;
        CheckBounded();
    }

    /// <summary>
    /// Whether viscosity is solved implicitly: by configuration, or (Auto) when the explicit diffusion
    /// limit would cut the step more than twice below the advective one at the boundary speeds, as in
    /// the viscous tube and dam cases. (An implicit step costs about two explicit ones: 1.0 vs 0.55 ms
    /// on the 64 x 64 cavity, `gnnsim bench solver`.)
    /// </summary>
    public bool UsesImplicitViscosity { get; }

    void CheckBounded()
    {
        // A blow-up shows first as a huge or non-finite face velocity; stop with a clear message.
        double limit = 1e3 * Math.Max(boundarySpeed, 1e-3) + 1e3;
        for (int k = 0; k < _u.Length; k++)
            if (!(Math.Abs(_u[k]) < limit)) throw new ArithmeticException($"the flow blew up at t = {Time:g4} (|u| = {_u[k]:g3})");
        for (int k = 0; k < _v.Length; k++)
            if (!(Math.Abs(_v[k]) < limit)) throw new ArithmeticException($"the flow blew up at t = {Time:g4} (|v| = {_v[k]:g3})");
    }

    /// <summary>_du, _dv = -div(u u) - grad(phi) + nu lap(u) on the free faces, zero elsewhere.</summary>
    void Rates(bool frozenViscosity)
    {
        FillGhosts(_u, _v, homogeneous: false);
        Array.Clear(_du);
        Array.Clear(_dv);
        Advection(_u, _v, _du, _dv);
        if (frozenViscosity)
        {
            var w = _implicit!;
            for (int k = 0; k < _du.Length; k++) _du[k] += w.ViscousU[k];
            for (int k = 0; k < _dv.Length; k++) _dv[k] += w.ViscousV[k];
        }
        else AddDiffusion(_u, _v, _du, _dv, _nu);
        SubtractGradientOnFreeFaces(_phi, _du, _dv, 1);
    }

    /// <summary>nu lap(u^n), the viscous force the implicit steps carry through the RK stages.</summary>
    void FrozenViscousForce()
    {
        var w = _implicit!;
        Array.Clear(w.ViscousU);
        Array.Clear(w.ViscousV);
        FillGhosts(_u, _v, homogeneous: false);
        AddDiffusion(_u, _v, w.ViscousU, w.ViscousV, _nu);
    }

    /// <summary>u -= scale grad(phi) on the free faces (the predictor's pressure force, the projection's correction).</summary>
    void SubtractGradientOnFreeFaces(double[] phi, double[] u, double[] v, double scale)
    {
        double sx = scale / _dx, sy = scale / _dy;
        for (int j = 0; j < _ny; j++)
            for (int i = 1; i < _nx; i++)
                if (uKind[j * (_nx + 1) + i] == FaceKind.Free) u[Ui(i, j)] -= sx * (phi[j * _nx + i] - phi[j * _nx + i - 1]);
        for (int j = 1; j < _ny; j++)
            for (int i = 0; i < _nx; i++)
                if (vKind[j * _nx + i] == FaceKind.Free) v[Vi(i, j)] -= sy * (phi[j * _nx + i] - phi[(j - 1) * _nx + i]);
    }

    void Advection(double[] u, double[] v, double[] du, double[] dv)
    {
        double idx = 1 / _dx, idy = 1 / _dy;
        int uw = _uw, vw = _vw;
        RowParallel.For(_ny, _nx, (j0, j1) =>
        {
            for (int j = j0; j < j1; j++)
                for (int i = 1; i < _nx; i++)
                {
                    if (uKind[j * (_nx + 1) + i] != FaceKind.Free) continue;
                    int k = Ui(i, j);
                    double c = u[k];
                    double ae = 0.5 * (c + u[k + 1]), aw = 0.5 * (u[k - 1] + c);
                    double an = 0.5 * (v[Vi(i - 1, j + 1)] + v[Vi(i, j + 1)]), as_ = 0.5 * (v[Vi(i - 1, j)] + v[Vi(i, j)]);
                    double fe = ae * Upwind(u[k - 1], c, u[k + 1], u[k + 2], ae);
                    double fw = aw * Upwind(u[k - 2], u[k - 1], c, u[k + 1], aw);
                    double gn = an * Upwind(u[k - uw], c, u[k + uw], u[k + 2 * uw], an);
                    double gs = as_ * Upwind(u[k - 2 * uw], u[k - uw], c, u[k + uw], as_);
                    du[k] -= (fe - fw) * idx + (gn - gs) * idy;
                }
        });
        RowParallel.For(_ny + 1, _nx, (j0, j1) =>
        {
            for (int j = Math.Max(j0, 1); j < Math.Min(j1, _ny); j++)
                for (int i = 0; i < _nx; i++)
                {
                    if (vKind[j * _nx + i] != FaceKind.Free) continue;
                    int k = Vi(i, j);
                    double c = v[k];
                    double an = 0.5 * (c + v[k + vw]), as_ = 0.5 * (v[k - vw] + c);
                    double ae = 0.5 * (u[Ui(i + 1, j - 1)] + u[Ui(i + 1, j)]), aw = 0.5 * (u[Ui(i, j - 1)] + u[Ui(i, j)]);
                    double gn = an * Upwind(v[k - vw], c, v[k + vw], v[k + 2 * vw], an);
                    double gs = as_ * Upwind(v[k - 2 * vw], v[k - vw], c, v[k + vw], as_);
                    double fe = ae * Upwind(v[k - 1], c, v[k + 1], v[k + 2], ae);
                    double fw = aw * Upwind(v[k - 2], v[k - 1], c, v[k + 1], aw);
                    dv[k] -= (fe - fw) * idx + (gn - gs) * idy;
                }
        });
    }

    /// <summary>du += scale lap(u), dv += scale lap(v) on the free faces (ghosts filled by the caller).</summary>
    void AddDiffusion(double[] u, double[] v, double[] du, double[] dv, double scale)
    {
        double cx = scale / (_dx * _dx), cy = scale / (_dy * _dy);
        int uw = _uw, vw = _vw;
        RowParallel.For(_ny, _nx, (j0, j1) =>
        {
            for (int j = j0; j < j1; j++)
                for (int i = 1; i < _nx; i++)
                {
                    if (uKind[j * (_nx + 1) + i] != FaceKind.Free) continue;
                    int k = Ui(i, j);
                    double c = u[k];
                    double north = j + 1 < _ny && uKind[(j + 1) * (_nx + 1) + i] == FaceKind.Solid ? -c : u[k + uw];
                    double south = j > 0 && uKind[(j - 1) * (_nx + 1) + i] == FaceKind.Solid ? -c : u[k - uw];
                    du[k] += cx * (u[k + 1] - 2 * c + u[k - 1]) + cy * (north - 2 * c + south);
                }
        });
        RowParallel.For(_ny + 1, _nx, (j0, j1) =>
        {
            for (int j = Math.Max(j0, 1); j < Math.Min(j1, _ny); j++)
                for (int i = 0; i < _nx; i++)
                {
                    if (vKind[j * _nx + i] != FaceKind.Free) continue;
                    int k = Vi(i, j);
                    double c = v[k];
                    double east = i + 1 < _nx && vKind[j * _nx + i + 1] == FaceKind.Solid ? -c : v[k + 1];
                    double west = i > 0 && vKind[j * _nx + i - 1] == FaceKind.Solid ? -c : v[k - 1];
                    dv[k] += cx * (east - 2 * c + west) + cy * (v[k + vw] - 2 * c + v[k - vw]);
                }
        });
    }

    /// <summary>
    /// Makes the viscous term backward Euler. The stages used nu lap(u^n); the step should have used
    /// nu lap(u_new), so u_new = u* + dt nu lap_0(u_new - u^n), i.e. for d = u_new - u*:
    /// (I - dt nu lap_0) d = dt nu lap_0(u* - u^n), with lap_0 the Laplacian with the side values set
    /// to zero. Solved by conjugate gradients from the last step's d; d vanishes at a steady state, so the steady state does
    /// not depend on dt, and the stages never see the large viscous-pressure imbalance that a plain
    /// split would put into them.
    /// </summary>
    void ImplicitViscousCorrection(double dt)
    {
        double scale = dt * _nu;
        var w = _implicit!;
        Array.Clear(w.Ru); Array.Clear(w.Rv);
        for (int k = 0; k < _u.Length; k++) w.Pu[k] = _u[k] - u0[k];
        for (int k = 0; k < _v.Length; k++) w.Pv[k] = _v[k] - v0[k];
        MaskFree(w.Pu, w.Pv);
        FillGhosts(w.Pu, w.Pv, homogeneous: true);
        AddDiffusion(w.Pu, w.Pv, w.Ru, w.Rv, scale); // b
        // A relative residual of 1e-6, well below the splitting error, or 1e-10 of the driving speed
        // per face, for near a steady state b itself vanishes.
        double floor = 1e-10 * Math.Max(boundarySpeed, 1e-6);
        double target = Math.Max(1e-12 * (Dot(w.Ru, w.Ru) + Dot(w.Rv, w.Rv)), w.FreeFaces * floor * floor);
        // Start from the last step's correction, which changes smoothly in time: r = b - A d.
        Array.Copy(w.Du, w.Pu, w.Du.Length); Array.Copy(w.Dv, w.Pv, w.Dv.Length);
        FillGhosts(w.Pu, w.Pv, homogeneous: true);
        Array.Copy(w.Pu, w.Qu, w.Pu.Length); Array.Copy(w.Pv, w.Qv, w.Pv.Length);
        AddDiffusion(w.Pu, w.Pv, w.Qu, w.Qv, -scale);
        MaskFree(w.Qu, w.Qv);
        for (int k = 0; k < w.Ru.Length; k++) w.Ru[k] -= w.Qu[k];
        for (int k = 0; k < w.Rv.Length; k++) w.Rv[k] -= w.Qv[k];
        Array.Copy(w.Ru, w.Pu, w.Ru.Length); Array.Copy(w.Rv, w.Pv, w.Rv.Length);
        double rr = Dot(w.Ru, w.Ru) + Dot(w.Rv, w.Rv);
        LastViscousIterations = 0;
        for (int iteration = 0; iteration < 500 && rr > target; iteration++)
        {
            // q = (I - dt nu lap_0) p on the free faces; p is zero on every other face.
            FillGhosts(w.Pu, w.Pv, homogeneous: true);
            Array.Copy(w.Pu, w.Qu, w.Pu.Length); Array.Copy(w.Pv, w.Qv, w.Pv.Length);
            AddDiffusion(w.Pu, w.Pv, w.Qu, w.Qv, -scale);
            MaskFree(w.Qu, w.Qv);
            double alpha = rr / (Dot(w.Pu, w.Qu) + Dot(w.Pv, w.Qv));
            for (int k = 0; k < w.Du.Length; k++) { w.Du[k] += alpha * w.Pu[k]; w.Ru[k] -= alpha * w.Qu[k]; }
            for (int k = 0; k < w.Dv.Length; k++) { w.Dv[k] += alpha * w.Pv[k]; w.Rv[k] -= alpha * w.Qv[k]; }
            double rrNew = Dot(w.Ru, w.Ru) + Dot(w.Rv, w.Rv);
            double beta = rrNew / rr;
            rr = rrNew;
            for (int k = 0; k < w.Pu.Length; k++) w.Pu[k] = w.Ru[k] + beta * w.Pu[k];
            for (int k = 0; k < w.Pv.Length; k++) w.Pv[k] = w.Rv[k] + beta * w.Pv[k];
            LastViscousIterations = iteration + 1;
        }
        MaskFree(w.Du, w.Dv); // the search directions carried ghost values along
        for (int k = 0; k < _u.Length; k++) _u[k] += w.Du[k];
        for (int k = 0; k < _v.Length; k++) _v[k] += w.Dv[k];
    }

    /// <summary>CG iterations of the last implicit viscous solve.</summary>
    public int LastViscousIterations { get; private set; }

    /// <summary>The implicit viscous step's CG vectors, frozen force and free-face masks, over the padded face arrays.</summary>
    sealed class ImplicitWork
    {
        public readonly double[] Du, Ru, Pu, Qu, Dv, Rv, Pv, Qv, ViscousU, ViscousV;
        public readonly double[] FreeU, FreeV; // 1 on free faces, 0 elsewhere
        public readonly int FreeFaces;

        public ImplicitWork(NavierStokes2D flow)
        {
            int uSize = flow._u.Length, vSize = flow._v.Length;
            Du = new double[uSize]; Ru = new double[uSize]; Pu = new double[uSize]; Qu = new double[uSize]; ViscousU = new double[uSize];
            Dv = new double[vSize]; Rv = new double[vSize]; Pv = new double[vSize]; Qv = new double[vSize]; ViscousV = new double[vSize];
            FreeU = FreeMask(uSize, flow.uKind, flow._nx + 1, flow._ny, flow.Ui);
            FreeV = FreeMask(vSize, flow.vKind, flow._nx, flow._ny + 1, flow.Vi);
            FreeFaces = (int)(FreeU.Sum() + FreeV.Sum());
        }
    }

    /// <summary>Zeroes every entry that is not a free face (ghosts, sides, solids).</summary>
    void MaskFree(double[] u, double[] v)
    {
        var w = _implicit!;
        for (int k = 0; k < u.Length; k++) u[k] *= w.FreeU[k];
        for (int k = 0; k < v.Length; k++) v[k] *= w.FreeV[k];
    }

    static double[] FreeMask(int size, FaceKind[] kinds, int width, int height, Func<int, int, int> index)
    {
        var mask = new double[size];
        for (int j = 0; j < height; j++)
            for (int i = 0; i < width; i++)
                if (kinds[j * width + i] == FaceKind.Free) mask[index(i, j)] = 1;
        return mask;
    }

    static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++) sum += a[k] * b[k];
        return sum;
    }

    /// <summary>
    /// The value carried through the face between q1 and q2 by a flow of sign <paramref name="a"/>:
    /// the upwind cell's value plus half its van Leer limited slope.
    /// </summary>
    static double Upwind(double q0, double q1, double q2, double q3, double a)
    {
        double centre, upstream, downstream;
        if (a >= 0) { centre = q1; upstream = q0; downstream = q2; }
        else { centre = q2; upstream = q3; downstream = q1; }
        double behind = centre - upstream, ahead = downstream - centre;
        double product = behind * ahead;
        return product > 0 ? centre + product / (behind + ahead) : centre;
    }

    /// <summary>
    /// Two layers of ghost faces around the domain from the side conditions; homogeneous drops the
    /// sides' own speeds (for the linear part of an operator).
    /// </summary>
    void FillGhosts(double[] u, double[] v, bool homogeneous)
    {
        var c = _config;
        // u: normal on west/east, tangential on south/north.
        for (int j = 0; j < _ny; j++)
            for (int g = 1; g <= Pad; g++)
            {
                u[Ui(-g, j)] = c.West.Kind == SideKind.Wall ? -u[Ui(g, j)] : u[Ui(0, j)];
                u[Ui(_nx + g, j)] = c.East.Kind == SideKind.Wall ? -u[Ui(_nx - g, j)] : u[Ui(_nx, j)];
            }
        for (int i = -Pad; i <= _nx + Pad; i++)
            for (int g = 1; g <= Pad; g++)
            {
                u[Ui(i, -g)] = Tangential(c.South, u[Ui(i, g - 1)], u[Ui(i, 0)], homogeneous);
                u[Ui(i, _ny - 1 + g)] = Tangential(c.North, u[Ui(i, _ny - g)], u[Ui(i, _ny - 1)], homogeneous);
            }
        // v: normal on south/north, tangential on west/east.
        for (int i = 0; i < _nx; i++)
            for (int g = 1; g <= Pad; g++)
            {
                v[Vi(i, -g)] = c.South.Kind == SideKind.Wall ? -v[Vi(i, g)] : v[Vi(i, 0)];
                v[Vi(i, _ny + g)] = c.North.Kind == SideKind.Wall ? -v[Vi(i, _ny - g)] : v[Vi(i, _ny)];
            }
        for (int j = -Pad; j <= _ny + Pad; j++)
            for (int g = 1; g <= Pad; g++)
            {
                v[Vi(-g, j)] = Tangential(c.West, v[Vi(g - 1, j)], v[Vi(0, j)], homogeneous);
                v[Vi(_nx - 1 + g, j)] = Tangential(c.East, v[Vi(_nx - g, j)], v[Vi(_nx - 1, j)], homogeneous);
            }
    }

    /// <summary>
    /// Ghost of a tangential component mirrored about the side: a wall (sliding at its speed) and an
    /// inflow (no tangential speed) hold the side's value on the side; an outflow copies the first face.
    /// </summary>
    static double Tangential(DomainSide side, double mirror, double first, bool homogeneous) => side.Kind switch
    {
        SideKind.Wall => 2 * (homogeneous ? 0 : side.Speed) - mirror,
        SideKind.Inflow => -mirror,
        _ => first,
    };

    void UpdateOutflowFaces(double dt)
    {
        if (_config.West.Kind == SideKind.Outflow) OutflowColumn(0, 1, dt);
        if (_config.East.Kind == SideKind.Outflow) OutflowColumn(_nx, _nx - 1, dt);
        if (_config.South.Kind == SideKind.Outflow) OutflowRow(0, 1, dt);
        if (_config.North.Kind == SideKind.Outflow) OutflowRow(_ny, _ny - 1, dt);
    }

    void OutflowColumn(int i, int inner, double dt)
    {
        double speed = ConvectiveSpeed(column: true, inner);
        for (int j = 0; j < _ny; j++)
        {
            if (uKind[j * (_nx + 1) + i] != FaceKind.Outflow) continue;
            double inside = _u[Ui(inner, j)];
            _u[Ui(i, j)] = _config.Outflow == OutflowCondition.ZeroGradient
                ? inside
                : _u[Ui(i, j)] - dt * speed * (_u[Ui(i, j)] - inside) / _dx;
        }
    }

    void OutflowRow(int j, int inner, double dt)
    {
        double speed = ConvectiveSpeed(column: false, inner);
        for (int i = 0; i < _nx; i++)
        {
            if (vKind[j * _nx + i] != FaceKind.Outflow) continue;
            double inside = _v[Vi(i, inner)];
            _v[Vi(i, j)] = _config.Outflow == OutflowCondition.ZeroGradient
                ? inside
                : _v[Vi(i, j)] - dt * speed * (_v[Vi(i, j)] - inside) / _dy;
        }
    }

    /// <summary>Mean speed through the faces next to an outflow side, the convective condition's U_c.</summary>
    double ConvectiveSpeed(bool column, int inner)
    {
        double sum = 0;
        if (column) for (int j = 0; j < _ny; j++) sum += Math.Abs(_u[Ui(inner, j)]);
        else for (int i = 0; i < _nx; i++) sum += Math.Abs(_v[Vi(i, inner)]);
        return sum / (column ? _ny : _nx); // at most the largest speed, so dt keeps this update stable
    }

    void Project(double dt)
    {
        for (int j = 0; j < _ny; j++)
            for (int i = 0; i < _nx; i++)
            {
                int k = j * _nx + i;
                rhs[k] = _fluid[k] ? -Divergence(i, j) / dt : 0;
            }
        // The last step's increment, rescaled to this dt, is the first guess: phi changes smoothly
        // in time, so this about halves the CG iterations.
        if (lastDt > 0 && dt != lastDt) for (int k = 0; k < _dphi.Length; k++) _dphi[k] *= dt / lastDt;
        lastDt = dt;
        // dt |residual| is the divergence left behind: 1e-9 of the velocity scale over the cell size.
        double tolerance = 1e-9 * Math.Max(boundarySpeed, 1e-6) / Math.Min(_dx, _dy) / dt;
        poisson.Solve(rhs, _dphi, tolerance);
        SubtractGradientOnFreeFaces(_dphi, _u, _v, dt);
        // Outflow faces see dphi = 0 on the side, half a cell from the inner centre (a mirrored ghost -dphi).
        for (int j = 0; j < _ny; j++)
        {
            if (uKind[j * (_nx + 1)] == FaceKind.Outflow) _u[Ui(0, j)] -= 2 * dt * _dphi[j * _nx] / _dx;
            if (uKind[j * (_nx + 1) + _nx] == FaceKind.Outflow) _u[Ui(_nx, j)] += 2 * dt * _dphi[j * _nx + _nx - 1] / _dx;
        }
        for (int i = 0; i < _nx; i++)
        {
            if (vKind[i] == FaceKind.Outflow) _v[Vi(i, 0)] -= 2 * dt * _dphi[i] / _dy;
            if (vKind[_ny * _nx + i] == FaceKind.Outflow) _v[Vi(i, _ny)] += 2 * dt * _dphi[(_ny - 1) * _nx + i] / _dy;
        }
        for (int k = 0; k < _phi.Length; k++) _phi[k] += _dphi[k];
    }

    /// <summary>Discrete divergence of cell (i, j), (u_e - u_w) / dx + (v_n - v_s) / dy.</summary>
    public double Divergence(int i, int j) =>
        (_u[Ui(i + 1, j)] - _u[Ui(i, j)]) / _dx + (_v[Vi(i, j + 1)] - _v[Vi(i, j)]) / _dy;

    /// <summary>Largest |div u| over the fluid cells.</summary>
    public double MaxDivergence()
    {
        double max = 0;
        for (int j = 0; j < _ny; j++)
            for (int i = 0; i < _nx; i++)
                if (_fluid[j * _nx + i]) max = Math.Max(max, Math.Abs(Divergence(i, j)));
        return max;
    }

    /// <summary>Volume flux through the vertical line of faces at index i (per unit depth).</summary>
    public double FluxThroughColumn(int i)
    {
        double sum = 0;
        for (int j = 0; j < _ny; j++) sum += _u[Ui(i, j)] * _dy;
        return sum;
    }

    /// <summary>Velocity at the cell centres, [ny * nx] each, row = increasing y; zero in solid cells.</summary>
    public void CellCentredVelocity(Span<double> u, Span<double> v)
    {
        for (int j = 0; j < _ny; j++)
            for (int i = 0; i < _nx; i++)
            {
                int k = j * _nx + i;
                bool fluid = _fluid[k];
                u[k] = fluid ? 0.5 * (_u[Ui(i, j)] + _u[Ui(i + 1, j)]) : 0;
                v[k] = fluid ? 0.5 * (_v[Vi(i, j)] + _v[Vi(i, j + 1)]) : 0;
            }
    }

    /// <summary>Pressure in Pa at the cell centres (rho phi), [ny * nx]; zero in solid cells.</summary>
    public void Pressure(Span<double> p)
    {
        double rho = _config.Density;
        for (int k = 0; k < _phi.Length; k++) p[k] = _fluid[k] ? rho * _phi[k] : 0;
    }
}
