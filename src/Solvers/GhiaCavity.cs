namespace GnnSim.Solvers;

/// <summary>
/// Ghia, Ghia and Shin (1982), "High-Re solutions for incompressible flow using the Navier-Stokes
/// equations and a multigrid method", J. Comput. Phys. 48: the lid-driven unit cavity at Re = 100,
/// u along the vertical centreline (Table I) and v along the horizontal centreline (Table II).
/// </summary>
public static class GhiaCavity
{
    /// <summary>(y, u) on x = 0.5.</summary>
    public static readonly (double Y, double U)[] UOnVerticalCentreline =
    [
        (1.0000, 1.00000), (0.9766, 0.84123), (0.9688, 0.78871), (0.9609, 0.73722), (0.9531, 0.68717),
        (0.8516, 0.23151), (0.7344, 0.00332), (0.6172, -0.13641), (0.5000, -0.20581), (0.4531, -0.21090),
        (0.2813, -0.15662), (0.1719, -0.10150), (0.1016, -0.06434), (0.0703, -0.04775), (0.0625, -0.04192),
        (0.0547, -0.03717), (0.0000, 0.00000),
    ];

    /// <summary>(x, v) on y = 0.5.</summary>
    public static readonly (double X, double V)[] VOnHorizontalCentreline =
    [
        (1.0000, 0.00000), (0.9688, -0.05906), (0.9609, -0.07391), (0.9531, -0.10313), (0.9453, -0.08864),
        (0.9063, -0.16914), (0.8594, -0.22445), (0.8047, -0.24533), (0.5000, 0.05454), (0.2344, 0.17527),
        (0.2266, 0.17507), (0.1563, 0.16077), (0.0938, 0.12317), (0.0781, 0.10890), (0.0703, 0.10091),
        (0.0625, 0.09233), (0.0000, 0.00000),
    ];

    /// <summary>The Re = 100 unit cavity: lid speed 1, density 1, viscosity 0.01.</summary>
    public static FlowConfiguration Re100(int n) => new()
    {
        Width = 1, Height = 1, Nx = n, Ny = n, Density = 1, Viscosity = 0.01,
        West = DomainSide.Wall(), East = DomainSide.Wall(), South = DomainSide.Wall(), North = DomainSide.Wall(1),
    };

    /// <summary>
    /// Largest |u - u_Ghia| over Table I and |v - v_Ghia| over Table II for a unit cavity with lid speed 1,
    /// reading the staggered faces on the centrelines (n even) with linear interpolation.
    /// </summary>
    public static (double U, double V) MaxDeviation(NavierStokes2D cavity)
    {
        int n = cavity.Nx;
        if (n % 2 != 0 || cavity.Ny != n) throw new ArgumentException("the Ghia comparison needs an even n x n cavity");
        // u faces on x = 0.5 and v faces on y = 0.5 both sit at (k + 1/2) h along the line.
        return MaxDeviation(y => AlongLine(n, j => cavity.U(n / 2, j), 0, 1, y), x => AlongLine(n, i => cavity.V(i, n / 2), 0, 0, x));
    }

    /// <summary>Largest deviations for any solution, given u on x = 0.5 as a function of y and v on y = 0.5 as a function of x.</summary>
    public static (double U, double V) MaxDeviation(Func<double, double> uOnVerticalCentreline, Func<double, double> vOnHorizontalCentreline)
    {
        double du = 0, dv = 0;
        foreach (var (y, u) in UOnVerticalCentreline) du = Math.Max(du, Math.Abs(uOnVerticalCentreline(y) - u));
        foreach (var (x, v) in VOnHorizontalCentreline) dv = Math.Max(dv, Math.Abs(vOnHorizontalCentreline(x) - v));
        return (du, dv);
    }

    /// <summary>
    /// Linear interpolation along a line of the unit cavity from n values at s = (k + 1/2) / n, with
    /// the wall values <paramref name="low"/> at s = 0 and <paramref name="high"/> at s = 1.
    /// </summary>
    public static double AlongLine(int n, Func<int, double> value, double low, double high, double s)
    {
        double h = 1.0 / n, position = s / h - 0.5;
        if (position <= 0) return low + (value(0) - low) * (s / (0.5 * h));
        if (position >= n - 1) return value(n - 1) + (high - value(n - 1)) * ((s - (n - 0.5) * h) / (0.5 * h));
        int k = (int)position;
        double t = position - k;
        return value(k) * (1 - t) + value(k + 1) * t;
    }
}
