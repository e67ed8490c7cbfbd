using GnnSim.Solvers;

namespace GnnSim.Datasets.CfdBench;

/// <summary>The three CFDBench subsets: boundary condition, physical properties, geometry.</summary>
public enum CfdSubset { Bc, Prop, Geo }

/// <summary>
/// CFDBench's generation sweeps. Where CFDBench does not publish its values (the cavity and tube
/// geometry pairs, all cylinder sweeps) ours are chosen around the defaults and written here:
/// <list type="bullet">
/// <item>cavity geo: height x width in {0.5, 0.75, 1, 1.25, 1.5}^2 (25);</item>
/// <item>tube geo: height {0.05, 0.075, 0.1, 0.125, 0.15} x width {0.5, 0.75, 1, 1.25, 1.5} (25);</item>
/// <item>cylinder bc: vel_in 0.1..5 step 0.1 (50); prop: density {1, 5, 10, 50, 100} x viscosity
/// {1e-4, 5e-4, 1e-3, 5e-3, 1e-2} (25); geo: radius {0.01, 0.015, 0.02, 0.025, 0.03} x
/// x_min {-0.05, -0.1, -0.15, -0.2} (the cylinder's distance from the inlet; 20).</item>
/// </list>
/// </summary>
public static class CfdBenchSweeps
{
    public static string Name(CfdSubset subset) => subset.ToString().ToLowerInvariant();

    public static CfdSubset ParseSubset(string name) => name.ToLowerInvariant() switch
    {
        "bc" => CfdSubset.Bc,
        "prop" => CfdSubset.Prop,
        "geo" => CfdSubset.Geo,
        _ => throw new ArgumentException($"unknown subset '{name}' (bc, prop or geo)"),
    };

    /// <summary>The cases of one subset, in case-number order.</summary>
    public static IReadOnlyList<CfdBenchCase> Cases(CfdProblem problem, CfdSubset subset)
    {
        var baseCase = CfdBenchCase.Defaults(problem);
        string bcKey = problem switch { CfdProblem.Cavity => "vel_top", CfdProblem.Dam => "velocity", _ => "vel_in" };
        return (problem, subset) switch
        {
            (_, CfdSubset.Bc) => BcValues(problem).Select(v => baseCase.With(bcKey, v)).ToList(),
            (CfdProblem.Cavity, CfdSubset.Prop) => Grid(baseCase, "density", [0.1, 0.5, .. Steps(1, 10, 1)], "viscosity", [1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2]),
            (CfdProblem.Tube or CfdProblem.Dam, CfdSubset.Prop) => Grid(baseCase, "density", Linspace(10, 1000, 10), "viscosity", Linspace(0.01, 1, 10)),
            (CfdProblem.Cylinder, CfdSubset.Prop) => Grid(baseCase, "density", [1, 5, 10, 50, 100], "viscosity", [1e-4, 5e-4, 1e-3, 5e-3, 1e-2]),
            (CfdProblem.Cavity, CfdSubset.Geo) => Grid(baseCase, "height", [0.5, 0.75, 1, 1.25, 1.5], "width", [0.5, 0.75, 1, 1.25, 1.5]),
            (CfdProblem.Tube, CfdSubset.Geo) => Grid(baseCase, "height", [0.05, 0.075, 0.1, 0.125, 0.15], "width", [0.5, 0.75, 1, 1.25, 1.5]),
            (CfdProblem.Dam, CfdSubset.Geo) => Grid(baseCase, "barrier_height", Linspace(0.11, 0.15, 5), "barrier_width", Linspace(0.01, 0.1, 10)),
            _ => Grid(baseCase, "radius", [0.01, 0.015, 0.02, 0.025, 0.03], "x_min", [-0.05, -0.1, -0.15, -0.2]),
        };
    }

    static double[] BcValues(CfdProblem problem) => problem switch
    {
        CfdProblem.Cavity => Steps(1, 50, 1),
        CfdProblem.Dam => [.. Steps(0.05, 1.0, 0.05), .. Steps(1.02, 2.0, 0.02)],
        _ => Steps(0.1, 5.0, 0.1),
    };

    /// <summary>first, first + step, ..., last, computed by index so that no rounding drift adds or drops a value.</summary>
    static double[] Steps(double first, double last, double step)
    {
        int count = (int)Math.Round((last - first) / step) + 1;
        return Enumerable.Range(0, count).Select(k => Math.Round(first + k * step, 10)).ToArray();
    }

    static double[] Linspace(double first, double last, int count) =>
        Enumerable.Range(0, count).Select(k => Math.Round(first + (last - first) * k / (count - 1), 10)).ToArray();

    static List<CfdBenchCase> Grid(CfdBenchCase baseCase, string outerKey, double[] outer, string innerKey, double[] inner) =>
        outer.SelectMany(a => inner.Select(b => baseCase.With(outerKey, a).With(innerKey, b))).ToList();
}
