namespace GnnSim.Solvers.Mpm;

/// <summary>How the box's walls treat the material: sticky (no velocity in the wall band) or slip (no velocity into the wall).</summary>
public enum WallCondition { Sticky, Slip }

/// <summary>
/// The scene of <see cref="MpmSolver"/>: the unit box [0, 1]^2 on a grid of <see cref="Cells"/> cells
/// a side, particles 2 x 2 per cell where a body starts (each of volume (dx / 2)^2), gravity pointing
/// down, walls <see cref="WallCells"/> cells thick.
/// </summary>
public sealed record MpmSettings
{
    public int Cells { get; init; } = 128;
    public double Gravity { get; init; } = 9.81;
    public WallCondition Walls { get; init; } = WallCondition.Slip;
    public int WallCells { get; init; } = 3;
    /// <summary>A substep is at most this fraction of a cell over the fastest wave plus the fastest particle.</summary>
    public double Courant { get; init; } = 0.4;
    /// <summary>Grid velocities decay as exp(-Damping dt): the only energy loss besides the transfers' own.</summary>
    public double Damping { get; init; }
    public MpmMaterialParameters Material { get; init; } = new();

    public double Dx => 1.0 / Cells;
    public double ParticleSpacing => Dx / 2;

    public void Validate()
    {
        if (Cells < 8) throw new ArgumentException($"at least 8 grid cells a side, got {Cells}");
        if (!(Gravity >= 0)) throw new ArgumentException($"gravity (its magnitude, pointing down) must not be negative, got {Gravity}");
        if (WallCells < 1 || 2 * WallCells >= Cells) throw new ArgumentException($"walls of {WallCells} cells do not fit a {Cells}-cell box");
        if (!(Courant > 0 && Courant <= 1)) throw new ArgumentException($"Courant number must be in (0, 1], got {Courant}");
        if (!(Damping >= 0)) throw new ArgumentException($"damping must not be negative, got {Damping}");
        Material.Validate();
    }
}

/// <summary>
/// 2D MLS-MPM (Hu et al. 2018): quadratic B-spline weights, APIC transfers (the affine matrix C
/// carries the particle's velocity gradient), one grid per substep.
/// <code>
///   P2G: m_i += w m_p;  (m v)_i += w (m_p v_p + (m_p C_p - dt V_p 4/dx^2 tau_p) (x_i - x_p))
///   grid: v_i = (m v)_i / m_i + dt g, damped, walls applied
///   G2P: v_p = sum w v_i;  C_p = 4/dx^2 sum w v_i (x_i - x_p)^T;  x_p += dt v_p;  F_p = (I + dt C_p) F_p
/// </code>
/// then the material's return mapping on F. tau is the Kirchhoff stress P F^T of the material model.
/// P2G runs over particle chunks into per-chunk grids that are then summed (no races); the grid
/// update and G2P run in parallel over rows and particles.
/// </summary>
public sealed class MpmSolver
{
    readonly MpmSettings settings;
    readonly int nodesPerSide;
    readonly double mu, lambda, frictionAlpha;
    readonly double[] gridMass, gridMomentum; // [(n+1)^2], [(n+1)^2, 2]
    // P2G's grids for particle chunks 1.. (chunk 0 writes the grid itself), made once and cleared each substep.
    readonly (double[] Mass, double[] Momentum)[] chunkGrids;

    /// <param name="positions">[N, 2] initial particle positions, inside the walls</param>
    /// <param name="velocities">[N, 2] initial velocities, or null for rest</param>
    public MpmSolver(MpmSettings settings, MpmMaterial material, double[] positions, double[]? velocities = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(positions);
        settings.Validate();
        if (positions.Length == 0 || positions.Length % 2 != 0) throw new ArgumentException($"{positions.Length} coordinates are not [N, 2] particles");
        if (velocities is not null && velocities.Length != positions.Length) throw new ArgumentException($"{velocities.Length} velocity values for {positions.Length / 2} particles");
        var low = settings.WallCells * settings.Dx;
        for (var k = 0; k < positions.Length; k++)
            if (!(positions[k] >= low && positions[k] <= 1 - low))
                throw new ArgumentException($"particle {k / 2} at {(k % 2 == 0 ? "x" : "y")} = {positions[k]} is outside the box inside its walls [{low}, {1 - low}]");
        this.settings = settings;
        Material = material;
        var p = settings.Material;
        mu = p.ShearModulus;
        lambda = p.LameLambda;
        var sinPhi = Math.Sin(p.FrictionAngle * Math.PI / 180);
        frictionAlpha = Math.Sqrt(2.0 / 3) * 2 * sinPhi / (3 - sinPhi);
        ParticleCount = positions.Length / 2;
        Positions = (double[])positions.Clone();
        Velocities = velocities is null ? new double[positions.Length] : (double[])velocities.Clone();
        AffineVelocity = new double[4 * ParticleCount];
        DeformationGradient = new double[4 * ParticleCount];
        for (var i = 0; i < ParticleCount; i++) DeformationGradient[4 * i] = DeformationGradient[4 * i + 3] = 1;
        ParticleVolume = settings.ParticleSpacing * settings.ParticleSpacing;
        ParticleMass = ParticleVolume * p.Density;
        nodesPerSide = settings.Cells + 1;
        gridMass = new double[nodesPerSide * nodesPerSide];
        gridMomentum = new double[2 * gridMass.Length];
        var chunks = ParticleCount >= 4096 ? Math.Min(Environment.ProcessorCount, 8) : 1;
        chunkGrids = new (double[], double[])[chunks];
        chunkGrids[0] = (gridMass, gridMomentum);
        for (var c = 1; c < chunks; c++) chunkGrids[c] = (new double[gridMass.Length], new double[gridMomentum.Length]);
    }

    public MpmSettings Settings => settings;
    public MpmMaterial Material { get; }
    public int ParticleCount { get; }
    public double ParticleMass { get; }
    public double ParticleVolume { get; }
    /// <summary>[N, 2]</summary>
    public double[] Positions { get; }
    /// <summary>[N, 2]</summary>
    public double[] Velocities { get; }
    /// <summary>[N, 2, 2] APIC's C, row-major.</summary>
    public double[] AffineVelocity { get; }
    /// <summary>[N, 2, 2] the elastic deformation gradient F, row-major.</summary>
    public double[] DeformationGradient { get; }
    public double Time { get; private set; }
    public long Substeps { get; private set; }
    /// <summary>The grid's total mass after the last P2G (the particles' total, to rounding).</summary>
    public double LastGridMass { get; private set; }

    public double TotalMass => ParticleCount * ParticleMass;

    public (double X, double Y) Momentum()
    {
        double x = 0, y = 0;
        for (var i = 0; i < ParticleCount; i++) { x += Velocities[2 * i]; y += Velocities[2 * i + 1]; }
        return (ParticleMass * x, ParticleMass * y);
    }

    public double KineticEnergy()
    {
        double sum = 0;
        for (var k = 0; k < Velocities.Length; k++) sum += Velocities[k] * Velocities[k];
        return 0.5 * ParticleMass * sum;
    }

    /// <summary>The largest stable substep now: a Courant fraction of a cell over the wave speed plus the fastest particle.</summary>
    public double StableTimestep()
    {
        double fastest = 0;
        for (var i = 0; i < ParticleCount; i++)
            fastest = Math.Max(fastest, Velocities[2 * i] * Velocities[2 * i] + Velocities[2 * i + 1] * Velocities[2 * i + 1]);
        return settings.Courant * settings.Dx / (settings.Material.WaveSpeed(Material) + Math.Sqrt(fastest));
    }

    /// <summary>Advances by <paramref name="duration"/> in stable substeps; returns how many.</summary>
    public int Advance(double duration)
    {
        if (!(duration >= 0)) throw new ArgumentException($"duration must not be negative, got {duration}");
        var end = Time + duration;
        var steps = 0;
        while (Time < end - 1e-12 * Math.Max(1, end))
        {
            Step(Math.Min(StableTimestep(), end - Time));
            steps++;
        }
        Time = end;
        return steps;
    }

    /// <summary>One substep of length <paramref name="dt"/>.</summary>
    public void Step(double dt)
    {
        if (!(dt > 0)) throw new ArgumentException($"a substep must be positive, got {dt}");
        ParticlesToGrid(dt);
        UpdateGrid(dt);
        GridToParticles(dt);
        Time += dt;
        Substeps++;
        for (var k = 0; k < Positions.Length; k++)
            if (!double.IsFinite(Positions[k]))
                throw new InvalidOperationException($"MPM diverged at t = {Time:g4} (substep {Substeps}): particle {k / 2} is no longer finite; lower the Courant number ({settings.Courant}) or stiffen less");
    }

    void ParticlesToGrid(double dt)
    {
        var chunks = chunkGrids.Length;
        Parallel.For(0, chunks, c =>
        {
            var (mass, momentum) = chunkGrids[c];
            Array.Clear(mass);
            Array.Clear(momentum);
            Span<double> tau = stackalloc double[4];
            Span<double> wx = stackalloc double[3], wy = stackalloc double[3];
            int first = (int)((long)c * ParticleCount / chunks), end = (int)((long)(c + 1) * ParticleCount / chunks);
            var dx = settings.Dx;
            var scale = -dt * ParticleVolume * 4 / (dx * dx);
            for (var p = first; p < end; p++)
            {
                KirchhoffStress(p, tau);
                double a00 = scale * tau[0] + ParticleMass * AffineVelocity[4 * p], a01 = scale * tau[1] + ParticleMass * AffineVelocity[4 * p + 1];
                double a10 = scale * tau[2] + ParticleMass * AffineVelocity[4 * p + 2], a11 = scale * tau[3] + ParticleMass * AffineVelocity[4 * p + 3];
                double mvx = ParticleMass * Velocities[2 * p], mvy = ParticleMass * Velocities[2 * p + 1];
                var (bx, by, fx, fy) = Stencil(p);
                Spline(fx, wx);
                Spline(fy, wy);
                for (var i = 0; i < 3; i++)
                for (var j = 0; j < 3; j++)
                {
                    double w = wx[i] * wy[j], dpx = (i - fx) * dx, dpy = (j - fy) * dx;
                    var node = (by + j) * nodesPerSide + bx + i;
                    mass[node] += w * ParticleMass;
                    momentum[2 * node] += w * (mvx + a00 * dpx + a01 * dpy);
                    momentum[2 * node + 1] += w * (mvy + a10 * dpx + a11 * dpy);
                }
            }
        });
        for (var c = 1; c < chunks; c++)
        {
            var (mass, momentum) = chunkGrids[c];
            for (var k = 0; k < gridMass.Length; k++) gridMass[k] += mass[k];
            for (var k = 0; k < gridMomentum.Length; k++) gridMomentum[k] += momentum[k];
        }
        LastGridMass = gridMass.Sum();
    }

    void UpdateGrid(double dt)
    {
        int n = settings.Cells, wall = settings.WallCells;
        var decay = Math.Exp(-settings.Damping * dt);
        var sticky = settings.Walls == WallCondition.Sticky;
        Parallel.For(0, nodesPerSide, j =>
        {
            for (var i = 0; i < nodesPerSide; i++)
            {
                var node = j * nodesPerSide + i;
                if (gridMass[node] <= 0) continue;
                // The grid now holds velocities (momentum / mass), with gravity and damping applied.
                var vx = gridMomentum[2 * node] / gridMass[node] * decay;
                var vy = (gridMomentum[2 * node + 1] / gridMass[node] - dt * settings.Gravity) * decay;
                bool left = i < wall, right = i > n - wall, bottom = j < wall, top = j > n - wall;
                if (sticky && (left || right || bottom || top)) vx = vy = 0;
                if (left && vx < 0 || right && vx > 0) vx = 0;
                if (bottom && vy < 0 || top && vy > 0) vy = 0;
                gridMomentum[2 * node] = vx;
                gridMomentum[2 * node + 1] = vy;
            }
        });
    }

    void GridToParticles(double dt)
    {
        var dx = settings.Dx;
        Parallel.For(0, (ParticleCount + 1023) / 1024, chunk =>
        {
            Span<double> wx = stackalloc double[3], wy = stackalloc double[3];
            for (int p = chunk * 1024, end = Math.Min(ParticleCount, p + 1024); p < end; p++)
            {
                var (bx, by, fx, fy) = Stencil(p);
                Spline(fx, wx);
                Spline(fy, wy);
                double vx = 0, vy = 0, c00 = 0, c01 = 0, c10 = 0, c11 = 0;
                for (var i = 0; i < 3; i++)
                for (var j = 0; j < 3; j++)
                {
                    double w = wx[i] * wy[j], dpx = (i - fx) * dx, dpy = (j - fy) * dx;
                    var node = (by + j) * nodesPerSide + bx + i;
                    double gx = gridMomentum[2 * node], gy = gridMomentum[2 * node + 1];
                    vx += w * gx; vy += w * gy;
                    c00 += w * gx * dpx; c01 += w * gx * dpy; c10 += w * gy * dpx; c11 += w * gy * dpy;
                }
                var k = 4 / (dx * dx);
                (c00, c01, c10, c11) = (k * c00, k * c01, k * c10, k * c11);
                Velocities[2 * p] = vx;
                Velocities[2 * p + 1] = vy;
                AffineVelocity[4 * p] = c00; AffineVelocity[4 * p + 1] = c01; AffineVelocity[4 * p + 2] = c10; AffineVelocity[4 * p + 3] = c11;
                Positions[2 * p] += dt * vx;
                Positions[2 * p + 1] += dt * vy;
                // F = (I + dt C) F, then the material's projection.
                double f00 = DeformationGradient[4 * p], f01 = DeformationGradient[4 * p + 1], f10 = DeformationGradient[4 * p + 2], f11 = DeformationGradient[4 * p + 3];
                double g00 = 1 + dt * c00, g01 = dt * c01, g10 = dt * c10, g11 = 1 + dt * c11;
                var f = new Matrix2(g00 * f00 + g01 * f10, g00 * f01 + g01 * f11, g10 * f00 + g11 * f10, g10 * f01 + g11 * f11);
                f = ReturnMapping(f);
                (DeformationGradient[4 * p], DeformationGradient[4 * p + 1], DeformationGradient[4 * p + 2], DeformationGradient[4 * p + 3]) = (f.A, f.B, f.C, f.D);
            }
        });
    }

    /// <summary>The node below-left of particle p's 3 x 3 stencil and its position in cells from there (in [0.5, 1.5)).</summary>
    (int Bx, int By, double Fx, double Fy) Stencil(int p)
    {
        double gx = Positions[2 * p] / settings.Dx, gy = Positions[2 * p + 1] / settings.Dx;
        int bx = Math.Clamp((int)Math.Floor(gx - 0.5), 0, settings.Cells - 2), by = Math.Clamp((int)Math.Floor(gy - 0.5), 0, settings.Cells - 2);
        return (bx, by, gx - bx, gy - by);
    }

    /// <summary>The quadratic B-spline weights of the stencil's three nodes along one axis, f in [0.5, 1.5) cells from the first.</summary>
    static void Spline(double f, Span<double> weights)
    {
        weights[0] = 0.5 * (1.5 - f) * (1.5 - f);
        weights[1] = 0.75 - (f - 1) * (f - 1);
        weights[2] = 0.5 * (f - 0.5) * (f - 0.5);
    }

    /// <summary>tau = P F^T of the material at particle p, row-major.</summary>
    void KirchhoffStress(int p, Span<double> tau)
    {
        var f = new Matrix2(DeformationGradient[4 * p], DeformationGradient[4 * p + 1], DeformationGradient[4 * p + 2], DeformationGradient[4 * p + 3]);
        var j = f.Determinant;
        switch (Material)
        {
            case MpmMaterial.Water:
            {
                var m = settings.Material;
                var pressure = m.BulkModulus / m.TaitExponent * (Math.Pow(j, -m.TaitExponent) - 1);
                tau[0] = tau[3] = -j * pressure;
                tau[1] = tau[2] = 0;
                break;
            }
            case MpmMaterial.Elastic:
            {
                // Fixed corotated: 2 mu (F - R) F^T + lambda (J - 1) J I.
                var r = f.Rotation();
                var s = (f - r) * f.Transpose();
                tau[0] = 2 * mu * s.A + lambda * (j - 1) * j;
                tau[1] = 2 * mu * s.B;
                tau[2] = 2 * mu * s.C;
                tau[3] = 2 * mu * s.D + lambda * (j - 1) * j;
                break;
            }
            default:
            {
                // Hencky (St Venant-Kirchhoff on log strain): tau = U (2 mu eps + lambda tr(eps) I) U^T.
                var (u, s1, s2, _) = f.Svd();
                double e1 = Math.Log(Math.Max(s1, 1e-6)), e2 = Math.Log(Math.Max(s2, 1e-6));
                double t1 = 2 * mu * e1 + lambda * (e1 + e2), t2 = 2 * mu * e2 + lambda * (e1 + e2);
                var t = u * Matrix2.Diagonal(t1, t2) * u.Transpose();
                (tau[0], tau[1], tau[2], tau[3]) = (t.A, t.B, t.C, t.D);
                break;
            }
        }
    }

    /// <summary>The material's projection of the trial F: water forgets shear, sand and plasticine yield.</summary>
    Matrix2 ReturnMapping(Matrix2 f)
    {
        switch (Material)
        {
            case MpmMaterial.Water:
            {
                var j = f.Determinant;
                var root = Math.Sqrt(Math.Max(j, 1e-6));
                return Matrix2.Diagonal(root, root);
            }
            case MpmMaterial.Elastic:
                return f;
            case MpmMaterial.Sand:
            {
                // Drucker-Prager (Klar et al. 2016, section 7.3, in 2D): the log strain projected onto the cone.
                var (u, s1, s2, v) = f.Svd();
                double e1 = Math.Log(Math.Max(s1, 1e-6)), e2 = Math.Log(Math.Max(s2, 1e-6)), trace = e1 + e2;
                double d1 = e1 - trace / 2, d2 = e2 - trace / 2, norm = Math.Sqrt(d1 * d1 + d2 * d2);
                if (trace >= 0) return u * v.Transpose();                      // tension: to the cone's tip, no stress
                if (norm < 1e-12) return f;                                      // pure compression: inside the cone
                var yieldAmount = norm + (2 * lambda + 2 * mu) / (2 * mu) * trace * frictionAlpha;
                if (yieldAmount <= 0) return f;                                  // inside the cone
                double h1 = e1 - yieldAmount * d1 / norm, h2 = e2 - yieldAmount * d2 / norm;
                return u * Matrix2.Diagonal(Math.Exp(h1), Math.Exp(h2)) * v.Transpose();
            }
            default:
            {
                // Von Mises: the deviatoric log strain capped at tau_y / (2 mu).
                var (u, s1, s2, v) = f.Svd();
                double e1 = Math.Log(Math.Max(s1, 1e-6)), e2 = Math.Log(Math.Max(s2, 1e-6)), mean = (e1 + e2) / 2;
                double d1 = e1 - mean, d2 = e2 - mean, norm = Math.Sqrt(d1 * d1 + d2 * d2);
                var limit = settings.Material.YieldStress / (2 * mu);
                if (norm <= limit) return f;
                double h1 = mean + limit * d1 / norm, h2 = mean + limit * d2 / norm;
                return u * Matrix2.Diagonal(Math.Exp(h1), Math.Exp(h2)) * v.Transpose();
            }
        }
    }
}
