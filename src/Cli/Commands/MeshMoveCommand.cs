using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GnnSim.Datasets;
using GnnSim.Datasets.Gmsh;
using GnnSim.Datasets.Meshes;
using GnnSim.Meshing;
using GnnSim.Meshing.FiniteElements;
using GnnSim.Meshing.Movement;
using GnnSim.Solvers.Helmholtz;
using GnnSim.Torch;
using GnnSim.Training.Data;
using GnnSim.Training.Experiments;
using GnnSim.Training.Objectives;
using GnnSim.Viz.Fields;
using Spectre.Console;

namespace GnnSim.Cli.Commands;

/// <summary>
/// <c>gnnsim move-mesh --method ma --mesh FILE --monitor SPEC --out DIR</c> (the Monge-Ampere
/// relaxation) or <c>gnnsim move-mesh RUN_DIR --mesh FILE --monitor SPEC --out DIR</c> (a trained
/// mover, given the monitor at the mesh's nodes): moves a mesh's nodes
/// (its connectivity kept) toward where the monitor is large, and writes the moved mesh (.msh, .vtu),
/// a before/after picture and a summary (move.json: iterations, time, tangles, quality, and an
/// error reduction where the monitor has an error to lower: a Helmholtz problem's solution error, or
/// for a cylinder-mesh flow snapshot, how well the mesh resolves the flow's velocity).
/// </summary>
public static class MeshMoveCommand
{
    const string MonitorHelp =
        "helmholtz[:SEED] (a random Gaussian Helmholtz problem stretched to the mesh's bounding box, re-solved on every iterate; reports the error reduction), " +
        "peak:X,Y[,WIDTH[,HEIGHT]] (m = 1 + HEIGHT exp(-r^2 / WIDTH^2)), " +
        "field:NAME[@FRAME] or vorticity[@FRAME] (from an .h5 mesh file's fields: m = 1 + alpha |v|^2 / max |v|^2; " +
        "on a gnnsim cylinder-mesh trajectory the flow is simulated again to score the velocity's interpolation error)";

    public static Command Create()
    {
        var run = new Argument<string?>("RUN_DIR") { Description = "a trained mesh mover's run (UM2N); without it, --method ma", Arity = ArgumentArity.ZeroOrOne };
        var method = new Option<string?>("--method") { Description = "ma (the Monge-Ampere relaxation) or model (the run's network; the default with RUN_DIR)" };
        method.AcceptOnlyFromAmong("ma", "model");
        var meshFile = new Option<string>("--mesh") { Description = "the mesh: a gmsh .msh file, or a GnnSim .h5 mesh file (--sample picks one)", Required = true };
        var sample = new Option<int>("--sample") { Description = "which mesh of an .h5 file (its position in the file)", DefaultValueFactory = _ => 0 };
        var monitor = new Option<string>("--monitor") { Description = MonitorHelp, Required = true };
        var alpha = new Option<double>("--alpha") { Description = "the monitor's weight", DefaultValueFactory = _ => Monitors.DefaultAlpha };
        var defaults = new MongeAmpereOptions();
        var maxIterations = new Option<int>("--max-iterations") { Description = "Monge-Ampere iterations at most", DefaultValueFactory = _ => defaults.MaxIterations };
        var tolerance = new Option<double>("--tolerance") { Description = "relative residual to stop at", DefaultValueFactory = _ => defaults.RelativeTolerance };
        var timestep = new Option<double>("--pseudo-timestep") { Description = "the relaxation's pseudo time step", DefaultValueFactory = _ => defaults.PseudoTimestep };
        var output = new Option<string>("--out") { Description = "folder for moved.msh, moved.vtu, before-after.png and move.json", Required = true };
        var threads = CommonOptions.Threads();
        var command = new Command("move-mesh", "Move a mesh's nodes toward where a monitor function is large (r-adaptation), keeping its cells.")
        {
            run, method, meshFile, sample, monitor, alpha, maxIterations, tolerance, timestep, output, threads,
        };
        command.SetAction(result =>
        {
            CommonOptions.ConfigureRuntime(result.GetValue(threads));
            var file = result.GetValue(meshFile)!;
            var (mesh, trajectory, gmsh) = ReadMesh(file, result.GetValue(sample));
            var monitorSpec = ParseMonitor(result.GetValue(monitor)!, mesh, trajectory, file, result.GetValue(alpha));
            var runDirectory = result.GetValue(run);
            var how = result.GetValue(method) ?? (runDirectory is null ? "ma" : "model");
            if (how == "model" && runDirectory is null) throw new ArgumentException("--method model moves with a trained mover: give its RUN_DIR");
            if (how == "ma" && runDirectory is not null) throw new ArgumentException($"--method ma needs no RUN_DIR ({runDirectory}); drop one or the other");
            MeshMoveResult moved = null!;
            if (how == "ma")
            {
                var options = new MongeAmpereOptions
                {
                    MaxIterations = result.GetValue(maxIterations), RelativeTolerance = result.GetValue(tolerance), PseudoTimestep = result.GetValue(timestep),
                };
                AnsiConsole.Status().Start($"Monge-Ampere on {mesh.NodeCount} nodes", _ => moved = new MongeAmpereMover(mesh, options).Move(monitorSpec.Monitor));
            }
            else
                moved = MoveWithModel(runDirectory!, mesh, monitorSpec.Monitor);

            var folder = result.GetValue(output)!;
            Directory.CreateDirectory(folder);
            var summary = Summary(how, mesh, moved, monitorSpec);
            var nodeTypes = trajectory?.NodeTypes ?? GmshNodeTypes.Assign(gmsh!, null, file);
            WriteOutputs(folder, mesh, moved, gmsh, nodeTypes, summary);
            var tangled = moved.TangledCells(mesh);
            if (how == "ma")
                AnsiConsole.MarkupLineInterpolated($"{(moved.Converged ? "converged" : "stopped")} after {moved.Iterations} iterations in {moved.Elapsed.TotalSeconds:F2} s (residual {moved.Residual:g3}); {tangled} tangled cells; minimum angle {summary["min_angle_before"]:F1} -> {summary["min_angle_after"]:F1} degrees");
            else
                AnsiConsole.MarkupLineInterpolated($"moved by {runDirectory} in {1000 * moved.Elapsed.TotalSeconds:F1} ms; {tangled} tangled cells; minimum angle {summary["min_angle_before"]:F1} -> {summary["min_angle_after"]:F1} degrees");
            if (summary.ContainsKey("error_reduction"))
                AnsiConsole.MarkupLineInterpolated($"{monitorSpec.ErrorName} {summary["error_original"]:g4} -> {summary["error_moved"]:g4}: error reduction {summary["error_reduction"]:P1}");
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{folder}[/] (moved.msh, moved.vtu, before-after.png, move.json)");
            if (!moved.Converged)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{moved.Failure}[/]");
                return 1;
            }
            return 0;
        });
        return command;
    }

    static (Mesh2D Mesh, MeshTrajectory? Trajectory, GmshMesh? Gmsh) ReadMesh(string file, int sample)
    {
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such mesh file");
        if (file.EndsWith(".msh", StringComparison.OrdinalIgnoreCase))
        {
            var gmsh = GmshReader.Read(file);
            return (new Mesh2D(gmsh.Positions, gmsh.Triangles, 3).CounterClockwise(), null, gmsh);
        }
        using var reader = new MeshTrajectoryReader(file);
        if (sample < 0 || sample >= reader.Names.Count) throw new ArgumentException($"{file}: --sample {sample} is outside its {reader.Names.Count} meshes");
        var trajectory = reader.Read(reader.Names[sample]);
        if (trajectory.Dimension != 2 || trajectory.VerticesPerCell != 3) throw new InvalidDataException($"{file}: mesh {trajectory.Name} is not a 2D triangle mesh");
        var mesh = new Mesh2D(Array.ConvertAll(trajectory.MeshPositions, v => (double)v), trajectory.Cells, 3).CounterClockwise();
        return (mesh, trajectory, null);
    }

    /// <summary>
    /// A monitor and, where it has one, the error moving the mesh should lower (<see cref="ErrorKind"/>
    /// names it in move.json, <see cref="ErrorName"/> in words).
    /// </summary>
    sealed record MonitorSpec(Func<Mesh2D, double[]> Monitor, Func<Mesh2D, double>? Error = null, string? ErrorKind = null, string? ErrorName = null);

    static MonitorSpec ParseMonitor(string spec, Mesh2D mesh, MeshTrajectory? trajectory, string file, double alpha)
    {
        // KIND, KIND:ARGUMENT or KIND@FRAME.
        var split = spec.IndexOfAny([':', '@']);
        var (kind, argument) = split < 0 ? (spec, "") : spec[split] == ':' ? (spec[..split], spec[(split + 1)..]) : (spec[..split], spec[split..]);
        var (minX, minY, width, height) = BoundingBox(mesh);
        var size = Math.Max(width, height);
        switch (kind)
        {
            case "helmholtz":
                var seed = argument.Length == 0 ? 0 : int.TryParse(argument, CultureInfo.InvariantCulture, out var s) ? s : throw new ArgumentException($"--monitor {spec}: '{argument}' is not a seed");
                var problem = GaussianProblem.Random(new Random(seed)).Mapped(minX, minY, width, height);
                return new(HelmholtzSolver.Monitor(problem, alpha), m => HelmholtzSolver.SolutionError(m, problem), "helmholtz_solution", "Helmholtz L2 error");
            case "peak":
                var numbers = argument.Split(',').Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray();
                if (numbers.Length is < 2 or > 4 || numbers.Any(double.IsNaN)) throw new ArgumentException($"--monitor {spec}: give peak:X,Y[,WIDTH[,HEIGHT]] with numbers");
                double x = numbers[0], y = numbers[1], peakWidth = numbers.Length > 2 ? numbers[2] : 0.1 * size, peakHeight = numbers.Length > 3 ? numbers[3] : 10;
                if (!(peakWidth > 0) || !(peakHeight >= 0)) throw new ArgumentException($"--monitor {spec}: the width must be positive and the height not negative");
                return new(Monitors.OfPosition((px, py) => 1 + peakHeight * Math.Exp(-((px - x) * (px - x) + (py - y) * (py - y)) / (peakWidth * peakWidth))));
            case "field" or "vorticity" when trajectory is null:
                throw new ArgumentException($"--monitor {spec}: fields come from a GnnSim .h5 mesh file, and {file} is not one");
            case "field" or "vorticity":
                var (name, frame) = kind == "vorticity" ? ("velocity", FrameOf(argument, spec)) : SplitFrame(argument, spec);
                var magnitude = kind == "vorticity" ? Vorticity(mesh, trajectory, frame, file) : FieldMagnitude(trajectory, name, frame, file);
                var max = magnitude.Max(v => v * v);
                var values = magnitude.Select(v => max > 0 ? 1 + alpha * v * v / max : 1).ToArray();
                return new(Monitors.Interpolated(mesh, values), FlowInterpolationError(trajectory, frame, file), "velocity_interpolation", "velocity interpolation error");
            default:
                throw new ArgumentException($"--monitor {spec}: unknown monitor '{kind}'; use {MonitorHelp}");
        }
    }

    static (double MinX, double MinY, double Width, double Height) BoundingBox(Mesh2D mesh)
    {
        var xs = mesh.Positions.Where((_, k) => k % 2 == 0).ToArray();
        var ys = mesh.Positions.Where((_, k) => k % 2 == 1).ToArray();
        return (xs.Min(), ys.Min(), xs.Max() - xs.Min(), ys.Max() - ys.Min());
    }

    static (string Name, int Frame) SplitFrame(string argument, string spec)
    {
        var at = argument.IndexOf('@');
        var name = at >= 0 ? argument[..at] : argument;
        if (name.Length == 0) throw new ArgumentException($"--monitor {spec}: name the field, as field:NAME[@FRAME]");
        return (name, at >= 0 ? FrameOf(argument[(at + 1)..], spec) : 0);
    }

    static int FrameOf(string text, string spec) => text.TrimStart('@') is { Length: > 0 } t
        ? int.TryParse(t, CultureInfo.InvariantCulture, out var f) ? f : throw new ArgumentException($"--monitor {spec}: '{t}' is not a frame number")
        : 0;

    static double[] FieldMagnitude(MeshTrajectory trajectory, string name, int frame, string file)
    {
        if (!trajectory.Fields.Any(f => f.Name == name)) throw new ArgumentException($"{file}: mesh {trajectory.Name} has no field '{name}' (it has {string.Join(", ", trajectory.Fields.Select(f => f.Name))})");
        if (frame < 0 || frame >= trajectory.FrameCount) throw new ArgumentException($"{file}: frame {frame} is outside 0..{trajectory.FrameCount - 1}");
        var width = trajectory.Field(name).Width;
        var values = trajectory.Frame(name, frame);
        var magnitude = new double[trajectory.NodeCount];
        for (var i = 0; i < magnitude.Length; i++)
        {
            double sum = 0;
            for (var c = 0; c < width; c++) sum += values[i * width + c] * (double)values[i * width + c];
            magnitude[i] = Math.Sqrt(sum);
        }
        return magnitude;
    }

    /// <summary>|dv/dx - du/dy| from the velocity field, its gradients recovered by L2 projection.</summary>
    static double[] Vorticity(Mesh2D mesh, MeshTrajectory trajectory, int frame, string file)
    {
        if (!trajectory.Fields.Any(f => f.Name == "velocity" && f.Width == 2)) throw new ArgumentException($"{file}: mesh {trajectory.Name} has no 2-component 'velocity' field for the vorticity");
        if (frame < 0 || frame >= trajectory.FrameCount) throw new ArgumentException($"{file}: frame {frame} is outside 0..{trajectory.FrameCount - 1}");
        var velocity = trajectory.Frame("velocity", frame);
        var space = new P1Space(mesh);
        double[] u = new double[mesh.NodeCount], v = new double[mesh.NodeCount];
        for (var i = 0; i < u.Length; i++) (u[i], v[i]) = (velocity[2 * i], velocity[2 * i + 1]);
        var (_, uy) = space.RecoverGradient(u);
        var (vx, _) = space.RecoverGradient(v);
        return vx.Zip(uy, (a, b) => Math.Abs(a - b)).ToArray();
    }

    /// <summary>
    /// The run's mover on <paramref name="mesh"/>, given the monitor at its nodes (a learned mover reads
    /// the monitor once; it does not iterate). A tangled result is reported as a failure.
    /// </summary>
    static MeshMoveResult MoveWithModel(string runDirectory, Mesh2D mesh, Func<Mesh2D, double[]> monitorOf)
    {
        var config = Experiment.ReadRunConfig(runDirectory);
        if (config.Training.Objective != MeshMovementObjective.ObjectiveName) throw new ArgumentException($"{runDirectory}: model {config.Model.Name} is not a mesh mover (training.objective {config.Training.Objective})");
        var device = Device.Parse(config.Training.Device);
        using var simulator = Experiment.LoadTrainedMover(runDirectory, config, device);
        var monitor = monitorOf(mesh);
        Monitors.Validate(monitor, mesh.NodeCount, "the monitor");
        var sample = new MeshMovementSample(Path.GetFileNameWithoutExtension(runDirectory), mesh, monitor, null, new Dictionary<string, double>());
        var objective = simulator.ObjectiveAs<MeshMovementObjective>();
        objective.Move(simulator.Model, sample, device); // warm-up
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var positions = objective.Move(simulator.Model, sample, device);
        var elapsed = clock.Elapsed;
        var moved = mesh.WithPositions(positions);
        var tangled = MeshQuality.CountTangled(mesh, moved);
        return new MeshMoveResult(moved, 0, double.NaN, tangled == 0, tangled == 0 ? null : $"the model's mesh has {tangled} tangled cells", monitor, elapsed);
    }

    /// <summary>
    /// For a trajectory of <c>gnnsim generate cylinder-mesh</c>: the flow at <paramref name="frame"/>
    /// simulated again, and a mesh's score against it, <c>||u - I_h u||</c> over both velocity
    /// components (the P1 interpolant through the flow's values at the mesh's nodes). Other files have
    /// no flow to score against: null.
    /// </summary>
    static Func<Mesh2D, double>? FlowInterpolationError(MeshTrajectory trajectory, int frame, string file)
    {
        if (!trajectory.Parameters.ContainsKey("solver_ny")) return null;
        CylinderFlowSnapshot snapshot = null!;
        AnsiConsole.Status().Start($"simulating the flow again to frame {frame}, the reference for the interpolation error",
            _ => snapshot = CylinderMeshGenerator.Resimulate(trajectory, frame, file));
        return m =>
        {
            var space = new P1Space(m);
            double u = space.InterpolationError(snapshot.U), v = space.InterpolationError(snapshot.V);
            return Math.Sqrt(u * u + v * v);
        };
    }

    static Dictionary<string, object?> Summary(string method, Mesh2D mesh, MeshMoveResult moved, MonitorSpec monitor)
    {
        var summary = new Dictionary<string, object?>
        {
            ["method"] = method, ["nodes"] = mesh.NodeCount, ["cells"] = mesh.CellCount,
            ["iterations"] = moved.Iterations, ["residual"] = double.IsNaN(moved.Residual) ? null : moved.Residual, ["converged"] = moved.Converged, ["failure"] = moved.Failure,
            ["seconds"] = moved.Elapsed.TotalSeconds, ["tangled_cells"] = moved.TangledCells(mesh),
            ["min_angle_before"] = MeshQuality.MinAngles(mesh).Min(), ["min_angle_after"] = MeshQuality.MinAngles(moved.Mesh).Min(),
        };
        if (monitor.Error is not null && (int)summary["tangled_cells"]! == 0)
        {
            double before = monitor.Error(mesh), after = monitor.Error(moved.Mesh);
            summary["error_kind"] = monitor.ErrorKind;
            summary["error_original"] = before;
            summary["error_moved"] = after;
            summary["error_reduction"] = (before - after) / before;
        }
        return summary;
    }

    static void WriteOutputs(string folder, Mesh2D mesh, MeshMoveResult moved, GmshMesh? gmsh, int[] nodeTypes, Dictionary<string, object?> summary)
    {
        var positions = moved.Mesh.Positions;
        if (gmsh is not null)
            GmshWriter.Write(Path.Combine(folder, "moved.msh"), new GmshMesh
            {
                Version = gmsh.Version, Binary = gmsh.Binary, Positions = positions, Triangles = moved.Mesh.Cells, TrianglePhysical = gmsh.TrianglePhysical,
                Lines = gmsh.Lines, LinePhysical = gmsh.LinePhysical, Points = gmsh.Points, PointPhysical = gmsh.PointPhysical, PhysicalGroups = gmsh.PhysicalGroups,
            });
        else
            GmshWriter.Write(Path.Combine(folder, "moved.msh"), positions, moved.Mesh.Cells);
        VtuWriter.Write(Path.Combine(folder, "moved.vtu"), moved.Mesh, [new VtuField("monitor", Array.ConvertAll(moved.Monitor, m => (float)m))], includeNodeTypes: false);
        using (var figure = MeshPlot.BeforeAfter(new TriangleDomain(mesh.Positions, mesh.Cells), positions, nodeTypes))
            AtomicFile.Write(Path.Combine(folder, "before-after.png"), stream => stream.Write(figure.ToPng()));
        AtomicFile.Write(Path.Combine(folder, "move.json"), stream => JsonSerializer.Serialize(stream, summary, new JsonSerializerOptions { WriteIndented = true }));
    }
}
