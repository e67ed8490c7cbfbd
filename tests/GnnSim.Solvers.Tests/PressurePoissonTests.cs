namespace GnnSim.Solvers.Tests;

public class PressurePoissonTests
{
    [Theory]
    [InlineData(64, 64, false)]
    [InlineData(37, 23, true)]
    public void SolvesAManufacturedProblemToSecondOrder(int nx, int ny, bool dirichletEast)
    {
        // phi = cos(pi x) cos(pi y) satisfies the Neumann sides; with phi = 0 on the east side use
        // phi = cos(pi x / 2)... instead: sin-free choice below, chosen per case.
        double dx = 1.0 / nx, dy = 1.0 / ny;
        Func<double, double, double> exact = dirichletEast
            ? (x, y) => Math.Cos(Math.PI * x / 2) * Math.Cos(Math.PI * y)
            : (x, y) => Math.Cos(Math.PI * x) * Math.Cos(Math.PI * y);
        double laplacianFactor = dirichletEast ? Math.PI * Math.PI * 1.25 : 2 * Math.PI * Math.PI;
        var fluid = Enumerable.Repeat(true, nx * ny).ToArray();
        var poisson = new PressurePoisson(nx, ny, dx, dy, fluid, new SideFlags(false, dirichletEast, false, false));
        var b = new double[nx * ny];
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                b[j * nx + i] = laplacianFactor * exact((i + 0.5) * dx, (j + 0.5) * dy); // -lap(phi)
        var phi = new double[nx * ny];
        poisson.Solve(b, phi, 1e-10);
        Assert.InRange(poisson.LastIterations, 1, 30);
        double meanError = 0, maxError = 0;
        if (!dirichletEast)
        {
            for (int k = 0; k < phi.Length; k++) meanError += phi[k];
            meanError /= phi.Length; // the singular problem's answer has zero mean, as the exact one does
        }
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                maxError = Math.Max(maxError, Math.Abs(phi[j * nx + i] - meanError - exact((i + 0.5) * dx, (j + 0.5) * dy)));
        double h = Math.Max(dx, dy);
        Assert.True(maxError < 2 * h * h, $"max error {maxError:e2} on h = {h:f4}");
    }
}
