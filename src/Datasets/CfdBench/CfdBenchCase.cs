using System.Globalization;
using GnnSim.Solvers;

namespace GnnSim.Datasets.CfdBench;

/// <summary>The four CFDBench problems.</summary>
public enum CfdProblem { Cavity, Tube, Dam, Cylinder }

/// <summary>
/// One CFDBench case: a problem and its parameters under CFDBench's own key names (the keys of
/// case.json), turned into a solver configuration. Geometry choices CFDBench does not publish
/// are ours and are listed in <see cref="Defaults"/>.
/// </summary>
public sealed class CfdBenchCase
{
    static readonly string[] CavityKeys = ["vel_top", "density", "viscosity", "height", "width"];
    static readonly string[] TubeKeys = ["vel_in", "density", "viscosity", "height", "width"];
    static readonly string[] DamKeys = ["velocity", "density", "viscosity", "barrier_height", "barrier_width", "height", "width"];
    static readonly string[] CylinderKeys = ["vel_in", "density", "viscosity", "radius", "x_min", "x_max", "y_min", "y_max"];

    /// <summary>Left edge of the dam's barrier, fixed by CFDBench.</summary>
    public const double DamBarrierLeft = 0.5;

    readonly Dictionary<string, double> parameters;

    public CfdProblem Problem { get; }

    CfdBenchCase(CfdProblem problem, Dictionary<string, double> parameters)
    {
        Problem = problem;
        this.parameters = parameters;
    }

    /// <summary>The keys case.json holds for a problem, in CFDBench's order.</summary>
    public static IReadOnlyList<string> Keys(CfdProblem problem) => problem switch
    {
        CfdProblem.Cavity => CavityKeys,
        CfdProblem.Tube => TubeKeys,
        CfdProblem.Dam => DamKeys,
        _ => CylinderKeys,
    };

    /// <summary>
    /// The default case of a problem. Physical defaults are the issue's (CFDBench's): cavity density 1,
    /// viscosity 1e-5, vel_top 10; tube and dam density 100, viscosity 0.1, velocity 1; cylinder
    /// density 10, viscosity 1e-3, vel_in 1. Geometry: the dam is CFDBench's 1.5 x 0.4 channel with a
    /// 0.05 x 0.1 barrier at x = 0.5; the rest is ours: a 1 x 1 cavity, a 1 x 0.1 tube, and a
    /// cylinder of radius 0.02 at the origin of a [-0.1, 0.7] x [-0.1, 0.1] channel.
    /// </summary>
    public static CfdBenchCase Defaults(CfdProblem problem) => problem switch
    {
        CfdProblem.Cavity => new(problem, new() { ["vel_top"] = 10, ["density"] = 1, ["viscosity"] = 1e-5, ["height"] = 1, ["width"] = 1 }),
        CfdProblem.Tube => new(problem, new() { ["vel_in"] = 1, ["density"] = 100, ["viscosity"] = 0.1, ["height"] = 0.1, ["width"] = 1 }),
        CfdProblem.Dam => new(problem, new()
        {
            ["velocity"] = 1, ["density"] = 100, ["viscosity"] = 0.1,
            ["barrier_height"] = 0.1, ["barrier_width"] = 0.05, ["height"] = 0.4, ["width"] = 1.5,
        }),
        _ => new(problem, new()
        {
            ["vel_in"] = 1, ["density"] = 10, ["viscosity"] = 1e-3, ["radius"] = 0.02,
            ["x_min"] = -0.1, ["x_max"] = 0.7, ["y_min"] = -0.1, ["y_max"] = 0.1,
        }),
    };

    /// <summary>Builds a case from case.json values; every key of the problem must be present, extra keys are ignored.</summary>
    public static CfdBenchCase FromParameters(CfdProblem problem, IReadOnlyDictionary<string, double> values)
    {
        var parameters = new Dictionary<string, double>();
        foreach (var key in Keys(problem))
        {
            if (!values.TryGetValue(key, out double value)) throw new ArgumentException($"missing parameter '{key}' for the {Name(problem)} problem");
            parameters[key] = value;
        }
        var result = new CfdBenchCase(problem, parameters);
        result.Validate();
        return result;
    }

    public static string Name(CfdProblem problem) => problem.ToString().ToLowerInvariant();

    public static CfdProblem ParseProblem(string name) => name.ToLowerInvariant() switch
    {
        "cavity" => CfdProblem.Cavity,
        "tube" => CfdProblem.Tube,
        "dam" => CfdProblem.Dam,
        "cylinder" => CfdProblem.Cylinder,
        _ => throw new ArgumentException($"unknown problem '{name}' (cavity, tube, dam or cylinder)"),
    };

    public double this[string key] => this.parameters.TryGetValue(key, out double value)
        ? value
        : throw new ArgumentException($"the {Name(Problem)} problem has no parameter '{key}' ({string.Join(", ", Keys(Problem))})");

    /// <summary>The parameters in CFDBench's key order.</summary>
    public IEnumerable<KeyValuePair<string, double>> Parameters => Keys(Problem).Select(k => KeyValuePair.Create(k, this.parameters[k]));

    /// <summary>A copy with one parameter changed (the key must belong to the problem).</summary>
    public CfdBenchCase With(string key, double value)
    {
        _ = this[key];
        var copy = new CfdBenchCase(Problem, new Dictionary<string, double>(this.parameters) { [key] = value });
        copy.Validate();
        return copy;
    }

    /// <summary>Parses "key=value" settings onto this case.</summary>
    public CfdBenchCase With(IEnumerable<string> settings)
    {
        var result = this;
        foreach (var setting in settings)
        {
            int eq = setting.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"setting '{setting}' is not key=value");
            string key = setting[..eq].Trim(), text = setting[(eq + 1)..].Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw new ArgumentException($"setting '{setting}': '{text}' is not a number");
            result = result.With(key, value);
        }
        return result;
    }

    void Validate()
    {
        foreach (var (key, value) in this.parameters)
            if (!double.IsFinite(value)) throw new ArgumentException($"parameter '{key}' is {value}");
        foreach (var key in new[] { "density", "viscosity" })
            if (!(this.parameters[key] > 0)) throw new ArgumentException($"parameter '{key}' must be positive, got {this.parameters[key]}");
        var (x0, y0, w, h) = Domain;
        if (!(w > 0) || !(h > 0)) throw new ArgumentException($"the {Name(Problem)} domain must have a positive size, got {w} x {h}");
        if (Problem == CfdProblem.Dam)
        {
            double bw = this["barrier_width"], bh = this["barrier_height"];
            if (!(bw > 0) || !(bh > 0) || bh >= h || DamBarrierLeft + bw >= w)
                throw new ArgumentException($"the dam barrier {bw} x {bh} at x = {DamBarrierLeft} does not fit the {w} x {h} channel");
        }
        if (Problem == CfdProblem.Cylinder)
        {
            double r = this["radius"];
            if (!(r > 0) || -r <= x0 || r >= x0 + w || -r <= y0 || r >= y0 + h)
                throw new ArgumentException($"the cylinder of radius {r} at the origin does not fit [{x0}, {x0 + w}] x [{y0}, {y0 + h}]");
        }
    }

    /// <summary>The domain box: lower-left corner and size.</summary>
    public (double X0, double Y0, double Width, double Height) Domain => Problem == CfdProblem.Cylinder
        ? (this["x_min"], this["y_min"], this["x_max"] - this["x_min"], this["y_max"] - this["y_min"])
        : (0, 0, this["width"], this["height"]);

    /// <summary>The speed that drives the flow (lid or inflow).</summary>
    public double DrivingSpeed => Problem switch
    {
        CfdProblem.Cavity => this["vel_top"],
        CfdProblem.Dam => this["velocity"],
        _ => this["vel_in"],
    };

    /// <summary>Reynolds number rho U L / mu with L the cavity side, channel height or cylinder diameter.</summary>
    public double Reynolds
    {
        get
        {
            double length = Problem switch
            {
                CfdProblem.Cavity => Math.Max(this["width"], this["height"]),
                CfdProblem.Cylinder => 2 * this["radius"],
                _ => this["height"],
            };
            return this["density"] * Math.Abs(DrivingSpeed) * length / this["viscosity"];
        }
    }

    /// <summary>
    /// The solver grid used when none is given: cells of about the same size in x and y, fine enough
    /// for the smallest geometric feature (the dam's 0.01-wide barriers get two cells).
    /// </summary>
    public (int Nx, int Ny) DefaultGrid
    {
        get
        {
            var (_, _, w, h) = Domain;
            double cell = Problem switch
            {
                CfdProblem.Cavity => Math.Max(w, h) / 64,
                CfdProblem.Tube => h / 32,
                CfdProblem.Dam => 0.005,
                _ => this["radius"] / 8,
            };
            return (Math.Max(2, (int)Math.Round(w / cell)), Math.Max(2, (int)Math.Round(h / cell)));
        }
    }

    /// <summary>Whether the point lies inside an obstacle (the dam's barrier, the cylinder).</summary>
    public bool IsSolid(double x, double y) => Problem switch
    {
        CfdProblem.Dam => x >= DamBarrierLeft && x <= DamBarrierLeft + this["barrier_width"] && y <= this["barrier_height"],
        CfdProblem.Cylinder => x * x + y * y <= this["radius"] * this["radius"],
        _ => false,
    };

    /// <summary>The solver configuration on an nx x ny grid (the default grid when not given).</summary>
    public FlowConfiguration Configuration(int? nx = null, int? ny = null)
    {
        var (x0, y0, w, h) = Domain;
        var grid = DefaultGrid;
        var config = new FlowConfiguration
        {
            X0 = x0, Y0 = y0, Width = w, Height = h,
            Nx = nx ?? grid.Nx, Ny = ny ?? grid.Ny,
            Density = this["density"], Viscosity = this["viscosity"],
            West = Problem == CfdProblem.Cavity ? DomainSide.Wall() : DomainSide.Inflow(DrivingSpeed),
            East = Problem == CfdProblem.Cavity ? DomainSide.Wall() : DomainSide.Outflow(),
            South = DomainSide.Wall(),
            North = Problem == CfdProblem.Cavity ? DomainSide.Wall(DrivingSpeed) : DomainSide.Wall(),
            // Vortices leave the cylinder's and the dam's wakes cleanly with the convective condition.
            Outflow = Problem is CfdProblem.Cylinder or CfdProblem.Dam ? OutflowCondition.Convective : OutflowCondition.ZeroGradient,
        };
        return Problem is CfdProblem.Dam or CfdProblem.Cylinder ? config.WithObstacle(IsSolid) : config;
    }

    /// <summary>The fluid mask on an nx x ny cell-centred grid over the domain, [ny * nx], row = increasing y.</summary>
    public bool[] FluidMask(int nx, int ny)
    {
        var (x0, y0, w, h) = Domain;
        var fluid = new bool[nx * ny];
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                fluid[j * nx + i] = !IsSolid(x0 + (i + 0.5) * w / nx, y0 + (j + 0.5) * h / ny);
        return fluid;
    }

    public override string ToString() =>
        $"{Name(Problem)} " + string.Join(" ", Parameters.Select(p => $"{p.Key}={p.Value.ToString("g6", CultureInfo.InvariantCulture)}"));
}
