namespace GnnSim.Solvers.Helmholtz;

/// <summary>One anisotropic Gaussian bump <c>z exp(-((x - cx)^2 / sx^2 + (y - cy)^2 / sy^2))</c>.</summary>
public readonly record struct GaussianBump(double CenterX, double CenterY, double WidthX, double WidthY, double Height);

/// <summary>
/// UM2N's Helmholtz test problems: the exact solution <c>u</c> is a sum of Gaussian bumps and
/// <c>f = -Lap u + u</c> is computed from it exactly, so a discrete solution's error is measured
/// against <c>u</c> itself. The Hessian of <c>u</c> is exact too (to test recoveries).
/// </summary>
public sealed class GaussianProblem
{
    public GaussianProblem(IReadOnlyList<GaussianBump> bumps)
    {
        ArgumentNullException.ThrowIfNull(bumps);
        if (bumps.Count == 0) throw new ArgumentException("a Gaussian problem needs at least one bump");
        foreach (var b in bumps)
            if (!(b.WidthX > 0) || !(b.WidthY > 0) || !double.IsFinite(b.CenterX + b.CenterY + b.Height + b.WidthX + b.WidthY))
                throw new ArgumentException($"bump {b} needs positive widths and finite values");
        Bumps = bumps.ToArray();
    }

    public GaussianBump[] Bumps { get; }

    /// <summary>
    /// A random problem as UM2N's generator draws them on the unit square: 1 to
    /// <paramref name="maxBumps"/> bumps, centres uniform in [0.2, 0.8], widths from N(1/4, 1/6)
    /// floored at 1/8, heights uniform in [0, 1].
    /// </summary>
    public static GaussianProblem Random(Random random, int maxBumps = 6)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (maxBumps < 1) throw new ArgumentException($"at least one bump, got {maxBumps}");
        var count = random.Next(1, maxBumps + 1);
        var bumps = new GaussianBump[count];
        double Width() => Math.Max(0.25 + Normal(random) / 6, 0.125);
        for (var i = 0; i < count; i++)
            bumps[i] = new GaussianBump(0.2 + 0.6 * random.NextDouble(), 0.2 + 0.6 * random.NextDouble(), Width(), Width(), random.NextDouble());
        return new GaussianProblem(bumps);
    }

    /// <summary>
    /// The same problem on the box <c>[x0, x0 + width] x [y0, y0 + height]</c> instead of the unit
    /// square: every bump's centre and widths stretched with it (still a sum of Gaussians, so exact).
    /// </summary>
    public GaussianProblem Mapped(double x0, double y0, double width, double height)
    {
        if (!(width > 0) || !(height > 0) || !double.IsFinite(x0 + y0 + width + height)) throw new ArgumentException($"a box of {width} x {height} at ({x0}, {y0}) is not a valid domain box");
        return new GaussianProblem(Bumps.Select(b => new GaussianBump(x0 + width * b.CenterX, y0 + height * b.CenterY, width * b.WidthX, height * b.WidthY, b.Height)).ToArray());
    }

    public double Solution(double x, double y)
    {
        double sum = 0;
        foreach (var b in Bumps) sum += Value(b, x, y);
        return sum;
    }

    /// <summary>f = -(u_xx + u_yy) + u.</summary>
    public double Source(double x, double y)
    {
        double sum = 0;
        foreach (var b in Bumps)
        {
            var (xx, _, yy) = SecondDerivatives(b, x, y);
            sum += Value(b, x, y) - xx - yy;
        }
        return sum;
    }

    /// <summary>(u_xx, u_xy, u_yy).</summary>
    public (double Xx, double Xy, double Yy) Hessian(double x, double y)
    {
        double xx = 0, xy = 0, yy = 0;
        foreach (var b in Bumps)
        {
            var (bxx, bxy, byy) = SecondDerivatives(b, x, y);
            xx += bxx; xy += bxy; yy += byy;
        }
        return (xx, xy, yy);
    }

    static double Value(GaussianBump b, double x, double y)
    {
        double dx = (x - b.CenterX) / b.WidthX, dy = (y - b.CenterY) / b.WidthY;
        return b.Height * Math.Exp(-(dx * dx + dy * dy));
    }

    // g = z exp(-(X^2 + Y^2)), X = (x - cx)/sx: g_x = -2X/sx g, g_xx = (4X^2 - 2)/sx^2 g, g_xy = 4XY/(sx sy) g.
    static (double Xx, double Xy, double Yy) SecondDerivatives(GaussianBump b, double x, double y)
    {
        double dx = (x - b.CenterX) / b.WidthX, dy = (y - b.CenterY) / b.WidthY;
        var g = Value(b, x, y);
        return ((4 * dx * dx - 2) / (b.WidthX * b.WidthX) * g, 4 * dx * dy / (b.WidthX * b.WidthY) * g, (4 * dy * dy - 2) / (b.WidthY * b.WidthY) * g);
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
