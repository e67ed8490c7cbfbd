using System.Diagnostics;
using System.Text.Json;
using GnnSim.Solvers;
using Spectre.Console;

namespace GnnSim.Cli.Bench;

/// <summary>
/// `gnnsim bench solver`: (1) cell updates per second of the lid-driven cavity at Re = 100 on each
/// grid size (time steps at the solver's stable step, after a warm-up); (2) wall time from rest to
/// steady state at Re = 100 on 64 x 64 (implicit viscosity, Courant 0.9), with the Ghia deviation reached; (3) the same cavity run by
/// OpenFOAM's icoFoam to the same simulated time, when icoFoam is installed (Debian package
/// <c>openfoam</c>), with its wall time, Ghia deviation and the speed ratio.
/// </summary>
internal sealed class SolverBenchmark(int[] sizes, int steadyGrid, bool compareWithOpenFoam)
{
    const double TargetSpeedup = 5;
    /// <summary>The advective Courant number of the steady-state run: SSP-RK2 with the van Leer limiter is stable to about 1.</summary>
    const double SteadyCourant = 0.9;

    public int Run()
    {
        if (sizes.Length == 0 || sizes.Any(n => n < 8) || steadyGrid < 8 || steadyGrid % 2 != 0)
            throw new ArgumentException("grid sizes must be at least 8, and the steady-state grid even");
        var table = new Table().AddColumns("job", "grid", "figure", "detail");
        var figures = new Dictionary<string, object> { ["bench"] = "solver", ["threads"] = Environment.ProcessorCount };

        foreach (var n in sizes)
        {
            var (rate, steps, seconds) = CellUpdateRate(n);
            table.AddRow("cavity Re=100 time steps", $"{n} x {n}", $"{rate / 1e6:F1} M cell updates/s", $"{steps} steps in {seconds:F2} s");
            figures[$"cell_updates_per_s_{n}"] = Math.Round(rate);
        }

        // Only the end state counts, so viscosity is implicit and the steps as long as stability
        // allows, as icoFoam's (whose Laplacian is implicit too); the steady state does not depend on dt.
        var cavity = new NavierStokes2D(GhiaCavity.Re100(steadyGrid) with { Viscous = ViscousTreatment.Implicit, Courant = SteadyCourant });
        var clock = Stopwatch.StartNew();
        double steadyTime = cavity.AdvanceToSteadyState(tolerance: 1e-3);
        double ours = clock.Elapsed.TotalSeconds;
        var (du, dv) = GhiaCavity.MaxDeviation(cavity);
        table.AddRow("GnnSim to steady state", $"{steadyGrid} x {steadyGrid}", $"{ours:F2} s",
            $"t = {steadyTime:F1}, {cavity.Steps} steps; Ghia max |du| {du:F4}, |dv| {dv:F4}");
        figures["steady_grid"] = steadyGrid;
        figures["steady_time"] = steadyTime;
        figures["steady_wall_s"] = Math.Round(ours, 3);
        figures["steady_steps"] = cavity.Steps;
        figures["ghia_max_du"] = Math.Round(du, 5);
        figures["ghia_max_dv"] = Math.Round(dv, 5);

        if (compareWithOpenFoam && !IcoFoamCavity.Available())
            table.AddRow("icoFoam", "-", "not installed", "apt-get install openfoam to compare side by side");
        else if (compareWithOpenFoam)
        {
            var foam = new IcoFoamCavity(steadyGrid, steadyTime);
            var (seconds, steps, u, v) = foam.Run();
            int n = steadyGrid, h = n / 2;
            var (fu, fv) = GhiaCavity.MaxDeviation(
                y => GhiaCavity.AlongLine(n, j => 0.5 * (u[j * n + h - 1] + u[j * n + h]), 0, 1, y),
                x => GhiaCavity.AlongLine(n, i => 0.5 * (v[(h - 1) * n + i] + v[h * n + i]), 0, 0, x));
            double ratio = seconds / ours;
            table.AddRow("icoFoam to the same time", $"{n} x {n}", $"{seconds:F2} s",
                $"{steps} steps of {foam.TimeStep:G3}; Ghia max |du| {fu:F4}, |dv| {fv:F4}");
            table.AddRow("speed-up over icoFoam", "", $"{ratio:F1}x", $"target {TargetSpeedup}x");
            figures["icofoam_wall_s"] = Math.Round(seconds, 3);
            figures["icofoam_steps"] = steps;
            figures["icofoam_ghia_max_du"] = Math.Round(fu, 5);
            figures["icofoam_ghia_max_dv"] = Math.Round(fv, 5);
            figures["speedup_over_icofoam"] = Math.Round(ratio, 2);
        }
        AnsiConsole.Write(table);
        Console.WriteLine(JsonSerializer.Serialize(figures));
        return 0;
    }

    /// <summary>Steps a cavity that has started moving (so the pressure solve does real work) and times enough steps for about a second.</summary>
    static (double Rate, int Steps, double Seconds) CellUpdateRate(int n)
    {
        var cavity = new NavierStokes2D(GhiaCavity.Re100(n));
        for (int k = 0; k < 20; k++) cavity.Step(cavity.StableTimeStep());
        int steps = Math.Max(10, (int)(2e7 / ((double)n * n))); // about 1-2 s at 10 M cell updates/s
        var clock = Stopwatch.StartNew();
        for (int k = 0; k < steps; k++) cavity.Step(cavity.StableTimeStep());
        double seconds = clock.Elapsed.TotalSeconds;
        return (n * (double)n * steps / seconds, steps, seconds);
    }
}
