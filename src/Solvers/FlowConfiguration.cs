namespace GnnSim.Solvers;

/// <summary>What one side of the rectangular domain does to the flow.</summary>
public enum SideKind
{
    /// <summary>No-slip wall; it may slide along itself (the cavity lid).</summary>
    Wall,
    /// <summary>Prescribed normal velocity into the domain, no tangential velocity.</summary>
    Inflow,
    /// <summary>Pressure zero on the side, velocity leaves as the flow carries it.</summary>
    Outflow,
}

public enum InflowProfile { Uniform, Parabolic }

/// <summary>How the viscous term is advanced.</summary>
public enum ViscousTreatment
{
    /// <summary>Implicit when the explicit diffusion limit would be tighter than the advective one.</summary>
    Auto,
    Explicit,
    /// <summary>Backward Euler, solved by conjugate gradients each step.</summary>
    Implicit,
}

/// <summary>How an outflow side updates its normal velocity before the projection.</summary>
public enum OutflowCondition
{
    /// <summary>du/dn = 0: the boundary face copies its inner neighbour.</summary>
    ZeroGradient,
    /// <summary>du/dt + U_c du/dn = 0 with U_c the mean outflow speed, which lets vortices leave cleanly.</summary>
    Convective,
}

/// <summary>One side: its kind, the wall's sliding speed or the inflow speed and profile.</summary>
public sealed record DomainSide(SideKind Kind, double Speed = 0, InflowProfile Profile = InflowProfile.Uniform)
{
    public static DomainSide Wall(double slidingSpeed = 0) => new(SideKind.Wall, slidingSpeed);
    public static DomainSide Inflow(double speed, InflowProfile profile = InflowProfile.Uniform) => new(SideKind.Inflow, speed, profile);
    public static DomainSide Outflow() => new(SideKind.Outflow);

    /// <summary>The inflow speed at fraction s in (0, 1) along the side; a parabola has <see cref="Speed"/> as its mean.</summary>
    public double InflowSpeedAt(double s) => Profile == InflowProfile.Parabolic ? 6 * Speed * s * (1 - s) : Speed;
}

/// <summary>
/// Everything the solver needs for one run: a Width x Height box starting at (X0, Y0) cut into
/// Nx x Ny uniform cells, the fluid (density and dynamic viscosity, CFDBench's parameters), the
/// four sides and an optional solid mask of masked obstacles.
/// </summary>
public sealed record FlowConfiguration
{
    public required double Width { get; init; }
    public required double Height { get; init; }
    public double X0 { get; init; }
    public double Y0 { get; init; }
    public required int Nx { get; init; }
    public required int Ny { get; init; }
    public required double Density { get; init; }
    /// <summary>Dynamic viscosity mu in Pa s; the solver uses nu = mu / rho.</summary>
    public required double Viscosity { get; init; }
    public required DomainSide West { get; init; }
    public required DomainSide East { get; init; }
    public required DomainSide South { get; init; }
    public required DomainSide North { get; init; }
    /// <summary>[Ny * Nx] row-major, row = increasing y; true where a cell is solid. Null: all fluid.</summary>
    public bool[]? Solid { get; init; }
    public OutflowCondition Outflow { get; init; } = OutflowCondition.ZeroGradient;
    public ViscousTreatment Viscous { get; init; } = ViscousTreatment.Auto;
    /// <summary>Advective Courant number per step (SSP-RK2 with a van Leer limiter is stable to about 1).</summary>
    public double Courant { get; init; } = 0.5;
    /// <summary>Fraction of the explicit diffusion limit used per step.</summary>
    public double DiffusionNumber { get; init; } = 0.8;

    public double Dx => Width / Nx;
    public double Dy => Height / Ny;
    public double KinematicViscosity => Viscosity / Density;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first thing that cannot be simulated.</summary>
    public void Validate()
    {
        if (Nx < 2 || Ny < 2) throw new ArgumentException($"the grid needs at least 2 x 2 cells, got {Nx} x {Ny}");
        if (!(Width > 0) || !(Height > 0) || !double.IsFinite(Width) || !double.IsFinite(Height))
            throw new ArgumentException($"domain size must be positive, got {Width} x {Height}");
        if (!(Density > 0) || !double.IsFinite(Density)) throw new ArgumentException($"density must be positive, got {Density}");
        if (!(Viscosity > 0) || !double.IsFinite(Viscosity)) throw new ArgumentException($"viscosity must be positive, got {Viscosity}");
        if (!(Courant > 0) || Courant > 1) throw new ArgumentException($"Courant number must be in (0, 1], got {Courant}");
        if (!(DiffusionNumber > 0) || DiffusionNumber > 1) throw new ArgumentException($"diffusion number must be in (0, 1], got {DiffusionNumber}");
        if (Solid is { } solid && solid.Length != Nx * Ny)
            throw new ArgumentException($"solid mask has {solid.Length} cells, the grid {Nx * Ny}");
        foreach (var (name, side) in new[] { ("west", West), ("east", East), ("south", South), ("north", North) })
            if (!double.IsFinite(side.Speed)) throw new ArgumentException($"{name} side speed is {side.Speed}");
        if (Solid is { } s && Array.TrueForAll(s, x => x)) throw new ArgumentException("every cell is solid");
    }

    /// <summary>Marks the cells whose centres satisfy <paramref name="inside"/> as solid.</summary>
    public FlowConfiguration WithObstacle(Func<double, double, bool> inside)
    {
        var solid = Solid is null ? new bool[Nx * Ny] : (bool[])Solid.Clone();
        for (int j = 0; j < Ny; j++)
            for (int i = 0; i < Nx; i++)
                if (inside(X0 + (i + 0.5) * Dx, Y0 + (j + 0.5) * Dy)) solid[j * Nx + i] = true;
        return this with { Solid = solid };
    }
}
