namespace GnnSim.Solvers.Tests;

public class NavierStokesTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(64)]
    [InlineData(128)] // the grid
    public void CavityAtRe100MatchesGhia(int n)
    {
        var cavity = new NavierStokes2D(GhiaCavity.Re100(n));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double steadyAt = cavity.AdvanceToSteadyState(tolerance: 1e-3);
        var deviation = GhiaCavity.MaxDeviation(cavity);
        output.WriteLine($"{n} x {n}: steady at t = {steadyAt} after {cavity.Steps} steps ({clock.Elapsed.TotalSeconds:f1} s); " +
                         $"max |u - u_Ghia| = {deviation.U:f4}, max |v - v_Ghia| = {deviation.V:f4}, divergence {cavity.MaxDivergence():e2}");
        Assert.True(deviation.U <= 0.02, $"max |u - u_Ghia| = {deviation.U:f4}");
        // Ghia's v table has a known outlier at x = 0.9453, hence the looser bound.
        Assert.True(deviation.V <= 0.03, $"max |v - v_Ghia| = {deviation.V:f4}");
        Assert.True(cavity.MaxDivergence() <= 1e-6, $"divergence {cavity.MaxDivergence():e2}");
    }

    [Fact]
    public void ChannelDevelopsPoiseuilleProfileWithAnalyticPressureDrop()
    {
        // Re = 1 channel, H = 1, L = 4, uniform inflow U = 1: developed u(y) = 6 U y (H - y) / H^2
        // and dp/dx = -12 mu U / H^2.
        const int n = 16;
        var config = new FlowConfiguration
        {
            Width = 4, Height = 1, Nx = 4 * n, Ny = n, Density = 1, Viscosity = 1,
            West = DomainSide.Inflow(1), East = DomainSide.Outflow(), South = DomainSide.Wall(), North = DomainSide.Wall(),
        };
        var channel = new NavierStokes2D(config);
        channel.AdvanceToSteadyState(tolerance: 1e-6, interval: 0.25);

        int column = 3 * n; // x = 3, far past the entrance length
        double maxError = 0;
        for (int j = 0; j < n; j++)
        {
            double y = (j + 0.5) / n;
            maxError = Math.Max(maxError, Math.Abs(channel.U(column, j) - 6 * y * (1 - y)));
        }
        Assert.True(maxError < 0.01 * 1.5, $"max deviation from the parabola {maxError:f5}");

        var pressure = new double[config.Nx * config.Ny];
        channel.Pressure(pressure);
        int row = n / 2;
        double gradient = (pressure[row * config.Nx + 3 * n] - pressure[row * config.Nx + 2 * n]) / 1.0;
        Assert.InRange(gradient, -12 * 1.02, -12 * 0.98);

        // Mass: every column of faces carries the inflow.
        for (int i = 0; i <= config.Nx; i++) Assert.Equal(1.0, channel.FluxThroughColumn(i), 6);
    }

    [Fact]
    public void ProjectionLeavesTheCylinderFlowDivergenceFree()
    {
        var config = CfdBenchCase.Defaults(CfdProblem.Cylinder).Configuration();
        var flow = new NavierStokes2D(config);
        for (int step = 0; step < 50; step++)
        {
            flow.Step(flow.StableTimeStep());
            Assert.True(flow.MaxDivergence() <= 1e-6, $"step {step}: divergence {flow.MaxDivergence():e2}");
        }
        // No flow through the obstacle: every face of a solid cell is still.
        for (int j = 0; j < config.Ny; j++)
            for (int i = 0; i < config.Nx; i++)
                if (!flow.IsFluid(i, j))
                {
                    Assert.Equal(0, flow.U(i, j)); Assert.Equal(0, flow.U(i + 1, j));
                    Assert.Equal(0, flow.V(i, j)); Assert.Equal(0, flow.V(i, j + 1));
                }
    }

    [Fact]
    public void UnderResolvedCavityStaysBounded()
    {
        // vel_top 50, density 1, viscosity 1e-5 on 64 x 64: Re = 5e6 on a unit cavity.
        var flow = new NavierStokes2D(CfdBenchCase.Defaults(CfdProblem.Cavity).With("vel_top", 50).Configuration());
        for (int step = 0; step < 400; step++) flow.Step(flow.StableTimeStep());
        double max = 0;
        for (int j = 0; j < 64; j++) for (int i = 0; i <= 64; i++) max = Math.Max(max, Math.Abs(flow.U(i, j)));
        // The limiter adds no extrema: nothing moves faster than the lid.
        Assert.True(max <= 50 * 1.05, $"max |u| = {max}");
    }

    [Fact]
    public void ImplicitAndExplicitViscosityAgreeOnAViscousChannel()
    {
        FlowConfiguration Tube(ViscousTreatment viscous) => CfdBenchCase.Defaults(CfdProblem.Tube).With("viscosity", 1).With("density", 10)
            .Configuration(64, 16) with { Viscous = viscous };
        var implicitRun = new NavierStokes2D(Tube(ViscousTreatment.Implicit));
        var explicitRun = new NavierStokes2D(Tube(ViscousTreatment.Explicit));
        Assert.True(new NavierStokes2D(Tube(ViscousTreatment.Auto)).UsesImplicitViscosity);
        // Backward Euler is first order in time, so compare where the flow has settled.
        implicitRun.Advance(0.5);
        explicitRun.Advance(0.5);
        output.WriteLine($"tube mu = 1, rho = 10, 64 x 16, t = 0.5: {implicitRun.Steps} implicit vs {explicitRun.Steps} explicit steps");
        Assert.True(implicitRun.Steps * 5 < explicitRun.Steps, $"{implicitRun.Steps} implicit vs {explicitRun.Steps} explicit steps");
        double maxDifference = 0;
        for (int j = 0; j < 16; j++) for (int i = 0; i <= 64; i++) maxDifference = Math.Max(maxDifference, Math.Abs(implicitRun.U(i, j) - explicitRun.U(i, j)));
        Assert.True(maxDifference < 0.02, $"implicit and explicit differ by {maxDifference}");
    }
}
