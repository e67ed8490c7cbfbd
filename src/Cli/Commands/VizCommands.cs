using System.CommandLine;
using GnnSim.Cli.Reports;
using GnnSim.Datasets;
using GnnSim.Datasets.Gmsh;
using GnnSim.Datasets.Meshes;
using GnnSim.Datasets.Particles;
using GnnSim.Datasets.Vtu;
using GnnSim.Training.Evaluation;
using GnnSim.Viz;
using GnnSim.Viz.Fields;
using GnnSim.Viz.Rollouts;
using Spectre.Console;

namespace GnnSim.Cli.Commands;

/// <summary><c>gnnsim plot</c>, <c>gnnsim report</c> and <c>gnnsim export</c>: looking at runs and rollouts.</summary>
internal static class VizCommands
{
    public static Command Plot()
    {
        var inputs = new Argument<string[]>("ROLLOUT") { Description = "rollout file(s) from gnnsim rollout (several only with --errors)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "the picture: .png (snapshot, --mesh, --probe), .gif (--animate) or .svg / .png (--errors)", Required = true };
        var field = new Option<string?>("--field") { Description = "field to show: u, v, p, ..., speed (|velocity|) or vorticity; default speed when there is a velocity" };
        var which = new Option<string?>("--case") { Description = "case name or index in the file (default: the first)" };
        var step = new Option<int?>("--step") { Description = "rollout step of the snapshot (default: the last)" };
        var animate = new Option<bool>("--animate") { Description = "an animated GIF of truth, prediction and error over the rollout" };
        var frames = new Option<int>("--frames") { Description = "most frames in the animation", DefaultValueFactory = _ => 60 };
        var errors = new Option<bool>("--errors") { Description = "RMSE against rollout step, one curve per rollout file (SVG or PNG)" };
        var mesh = new Option<bool>("--mesh") { Description = "the case's mesh as a wireframe (triangle meshes)" };
        var particles = new Option<bool>("--particles") { Description = "a particle rollout (GNS, GIOROM) as particles, truth beside prediction (what particle rollouts get anyway; an error for others)" };
        var vectors = new Option<bool>("--vectors") { Description = "snapshot: velocity arrows over truth and prediction" };
        var streamlines = new Option<bool>("--streamlines") { Description = "snapshot: streamlines over truth and prediction" };
        var probe = new Option<string?>("--probe") { Description = "X,Y: the field at that point against time, truth and prediction, and their spectra with the dominant frequency (and the Strouhal number where the case has vel_in and radius)" };
        var width = new Option<int>("--width") { Description = "pixels per panel", DefaultValueFactory = _ => 320 };
        var command = new Command("plot", "Draw a rollout: truth / prediction / error at a step (PNG), an animation (GIF), error curves (SVG) or the mesh.")
            { inputs, output, field, which, step, vectors, streamlines, animate, frames, errors, mesh, probe, width, particles };
        command.SetAction(result =>
        {
            var paths = result.GetValue(inputs)!;
            var outPath = result.GetValue(output)!;
            var modes = new[] { result.GetValue(animate), result.GetValue(errors), result.GetValue(mesh), result.GetValue(probe) is not null }.Count(m => m);
            if (modes > 1) throw new ArgumentException("give at most one of --animate, --errors, --mesh and --probe");
            if (paths.Length > 1 && !result.GetValue(errors)) throw new ArgumentException("several rollout files can only be compared with --errors");
            if (result.GetValue(width) is < 64 or > 4096) throw new ArgumentException("--width must lie in 64..4096");
            if (paths.Length == 1 && File.Exists(paths[0]) && ParticleTrajectoryFile.IsParticleFile(paths[0]))
            {
                PlotParticles(paths[0], outPath, result.GetValue(which), result.GetValue(animate), result.GetValue(frames), result.GetValue(width));
                AnsiConsole.MarkupLineInterpolated($"wrote [green]{outPath}[/]");
                return 0;
            }

            var particleRollouts = !result.GetValue(errors) && RolloutFile.IsRolloutFile(paths[0]) && RolloutFile.Read(paths[0]) is { Count: > 0 } read && ParticleRollout.IsParticleRollout(read[0])
                ? read : null;
            if (result.GetValue(particles) && particleRollouts is null)
                throw new ArgumentException($"{paths[0]}: --particles draws particle rollouts (gnnsim rollout of a GNS or GIOROM run), and this is not one");
            if (particleRollouts is { } stored)
            {
                if (result.GetValue(mesh) || result.GetValue(probe) is not null || result.GetValue(field) is not null || result.GetValue(vectors) || result.GetValue(streamlines))
                    throw new ArgumentException($"{paths[0]} holds particle rollouts: they draw as particles (a snapshot or --animate), without --mesh, --probe, --field, --vectors or --streamlines");
                PlotParticleRollout(stored, paths[0], outPath, result.GetValue(which), result.GetValue(animate), result.GetValue(step), result.GetValue(frames), result.GetValue(width));
                AnsiConsole.MarkupLineInterpolated($"wrote [green]{outPath}[/]");
                return 0;
            }
            if (result.GetValue(errors))
            {
                var png = outPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
                if (!png) RequireExtension(outPath, ".svg", "--errors (or .png)");
                var labels = RunLabels.For(paths);
                var runs = paths.Select((p, i) => (labels[i], (IReadOnlyList<RolloutView>)RolloutViews.Read(p))).ToList();
                var name = result.GetValue(field) ?? RolloutViews.DefaultField(runs[0].Item2[0]);
                var chart = RolloutFigures.ErrorCurves(runs, name);
                if (png) AtomicFile.Write(outPath, stream => stream.Write(chart.ToPng(720, 420)));
                else AtomicFile.WriteAllText(outPath, chart.ToSvg(720, 420));
            }
            else
            {
                var rollout = RolloutViews.Pick(RolloutViews.Read(paths[0]), result.GetValue(which), paths[0]);
                var name = result.GetValue(field) ?? RolloutViews.DefaultField(rollout);
                if (result.GetValue(animate))
                {
                    RequireExtension(outPath, ".gif", "--animate");
                    if (result.GetValue(frames) < 1) throw new ArgumentException("--frames must be at least 1");
                    var gif = RolloutFigures.Animation(rollout, name, result.GetValue(frames), panelWidth: result.GetValue(width));
                    AtomicFile.Write(outPath, stream => stream.Write(gif));
                }
                else if (result.GetValue(probe) is { } point)
                {
                    RequireExtension(outPath, ".png", "--probe");
                    var (x, y) = ParsePoint(point);
                    var series = Probes.At(rollout, name, x, y);
                    // A cylinder's diameter and mean inflow, where the case names them (CFDBench's and our cylinder data do).
                    var p = rollout.CaseParameters;
                    double? diameter = p.TryGetValue("radius", out var r) ? 2 * r : null, speed = p.TryGetValue("vel_in", out var u) ? u : null;
                    using var figure = Probes.Figure(series, diameter, speed);
                    AtomicFile.Write(outPath, stream => stream.Write(figure.ToPng()));
                }
                else if (result.GetValue(mesh))
                {
                    RequireExtension(outPath, ".png", "--mesh");
                    if (rollout.Domain is not TriangleDomain triangles) throw new ArgumentException($"{paths[0]}: case {rollout.Case} is a grid case, not a triangle mesh; --mesh draws meshes");
                    using var figure = MeshPlot.Wireframe(triangles, rollout.NodeTypes, $"{rollout.Case}: {triangles.NodeCount} nodes, {triangles.Triangles.Length / 3} triangles", 2 * result.GetValue(width));
                    AtomicFile.Write(outPath, stream => stream.Write(figure.ToPng()));
                }
                else
                {
                    RequireExtension(outPath, ".png", "a snapshot");
                    var at = result.GetValue(step) ?? rollout.Steps;
                    if (at < 0 || at > rollout.Steps) throw new ArgumentException($"--step {at} is outside the rollout's 0..{rollout.Steps}");
                    if (result.GetValue(vectors) && result.GetValue(streamlines)) throw new ArgumentException("give --vectors or --streamlines, not both");
                    var overlay = result.GetValue(vectors) ? FlowOverlay.Vectors : result.GetValue(streamlines) ? FlowOverlay.Streamlines : FlowOverlay.None;
                    using var figure = RolloutFigures.Snapshot(rollout, name, at, result.GetValue(width), overlay);
                    AtomicFile.Write(outPath, stream => stream.Write(figure.ToPng()));
                }
            }
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{outPath}[/]");
            return 0;
        });
        return command;
    }

    private static (double X, double Y) ParsePoint(string text)
    {
        var parts = text.Split(',');
        if (parts.Length == 2 && double.TryParse(parts[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x)
            && double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var y))
            return (x, y);
        throw new ArgumentException($"--probe '{text}' is not X,Y (for example 0.5,0.2)");
    }

    public static Command Report()
    {
        var run = new Argument<string[]>("RUN_DIR") { Description = "a training run directory; several make a comparison (--out required)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "the HTML file (default: RUN_DIR/report.html for one run)" };
        var rollout = new Option<string?>("--rollout") { Description = "rollout file to show (default: RUN_DIR/rollout.h5)" };
        var field = new Option<string?>("--field") { Description = "field of the snapshots and animation (default: speed, or the first field)" };
        var cases = new Option<int>("--cases") { Description = "cases to show snapshots of", DefaultValueFactory = _ => 2 };
        var command = new Command("report", "Write a run's report (config, data, loss curves, metrics against persistence, flow fields, an animation), or compare several runs; one self-contained HTML file.")
            { run, output, rollout, field, cases };
        command.SetAction(result =>
        {
            var runs = result.GetValue(run)!;
            var options = new RunReport.Options(result.GetValue(rollout), result.GetValue(field), result.GetValue(cases));
            string path;
            if (runs.Length > 1)
            {
                var comparison = result.GetValue(output) ?? throw new ArgumentException("comparing runs needs --out FILE.html");
                if (result.GetValue(rollout) is not null) throw new ArgumentException("--rollout names one run's rollout; a comparison reads RUN_DIR/rollout.h5 of each run");
                RequireExtension(comparison, ".html", "a report");
                AtomicFile.WriteAllText(comparison, CompareReport.Build(runs, options));
                path = Path.GetFullPath(comparison);
            }
            else path = Write(runs[0], result.GetValue(output) ?? Path.Combine(runs[0], RunReport.FileName), options);
            AnsiConsole.MarkupLineInterpolated($"report in [green]{path}[/]");
            return 0;
        });
        return command;
    }

    /// <summary>Builds and writes a run's report; returns its full path.</summary>
    public static string Write(string runDirectory, string outPath, RunReport.Options options)
    {
        RequireExtension(outPath, ".html", "a report");
        AtomicFile.WriteAllText(outPath, RunReport.Build(runDirectory, options));
        return Path.GetFullPath(outPath);
    }

    /// <summary>A particle file's trajectory as an animated GIF (--animate) of its frames coloured by speed.</summary>
    private static void PlotParticles(string path, string outPath, string? which, bool animate, int maxFrames, int width)
    {
        if (!animate) throw new ArgumentException($"{path} is a particle file: draw it with --animate (a GIF of its frames)");
        RequireExtension(outPath, ".gif", "--animate");
        var trajectories = ParticleTrajectoryFile.ReadAll(path);
        var trajectory = which is null ? trajectories[0]
            : trajectories.FirstOrDefault(t => t.Name == which) ?? (int.TryParse(which, out var k) && k >= 0 && k < trajectories.Count ? trajectories[k]
                : throw new ArgumentException($"{path}: no trajectory '{which}' (names {string.Join(", ", trajectories.Select(t => t.Name))})"));
        if (trajectory.Dimension != 2) throw new ArgumentException($"{path}: trajectory {trajectory.Name} is {trajectory.Dimension}-D; the animation draws 2-D particles");
        var frames = Enumerable.Range(0, trajectory.FrameCount).Select(f => Array.ConvertAll(trajectory.Frame(f).ToArray(), v => (double)v)).ToList();
        var b = trajectory.Bounds;
        var gif = ParticleFigure.Animation(frames, trajectory.Dt, (b[0], b[2], b[1], b[3]), $"{trajectory.Material}: trajectory {trajectory.Name}, {trajectory.ParticleCount:N0} particles",
            Math.Max(2, maxFrames), width: width);
        AtomicFile.Write(outPath, stream => stream.Write(gif));
    }

    /// <summary>A particle rollout: truth beside prediction coloured by speed, at a step (PNG) or over the rollout (--animate, GIF).</summary>
    private static void PlotParticleRollout(IReadOnlyList<StoredRollout> rollouts, string path, string outPath, string? which, bool animate, int? step, int maxFrames, int width)
    {
        var rollout = which is null ? rollouts[0]
            : rollouts.FirstOrDefault(r => r.Case == which) ?? (int.TryParse(which, out var k) && k >= 0 && k < rollouts.Count ? rollouts[k]
                : throw new ArgumentException($"{path}: no case '{which}' (cases {string.Join(", ", rollouts.Select((r, i) => $"{i}: {r.Case}"))})"));
        if (animate)
        {
            RequireExtension(outPath, ".gif", "--animate");
            var gif = ParticleRolloutFigures.Animation(rollout, path, maxFrames, width);
            AtomicFile.Write(outPath, stream => stream.Write(gif));
            return;
        }
        RequireExtension(outPath, ".png", "a snapshot");
        using var figure = ParticleRolloutFigures.Snapshot(rollout, step ?? rollout.Steps, path, width);
        AtomicFile.Write(outPath, stream => stream.Write(figure.ToPng()));
    }

    public static Command Export()
    {
        var input = new Argument<string>("INPUT") { Description = "a rollout file from gnnsim rollout, or an HDF5 file of mesh trajectories (generate, convert)" };
        var output = new Option<string>("--out") { Description = "directory for the files: .pvd collections and their .vtu steps, .msh meshes, or .xdmf documents with their .h5 data", Required = true };
        var which = new Option<string?>("--case") { Description = "one case or trajectory (name or index); default: every one" };
        var format = new Option<string>("--format") { Description = "vtk (ParaView: .pvd of .vtu steps), msh (each mesh as gmsh 4.1, boundary groups named by node type), xdmf (XDMF 3 + HDF5 as meshio writes it), npz (the MeshGraphNets layout) or gns (particle files: learning_to_simulate's TFRecords and metadata.json)", DefaultValueFactory = _ => "vtk" };
        var split = new Option<string>("--split") { Description = "gns: the split the TFRecord file is named for", DefaultValueFactory = _ => "train" };
        var command = new Command("export", "Write rollouts (truth, prediction, error per step), mesh trajectories or particle trajectories for ParaView, gmsh, meshio or GNS.") { input, output, which, format, split };
        command.SetAction(result =>
        {
            var path = result.GetValue(input)!;
            var directory = result.GetValue(output)!;
            var kind = result.GetValue(format);
            if (kind is not ("vtk" or "msh" or "xdmf" or "npz" or "gns")) throw new ArgumentException($"--format {kind}: vtk, msh, xdmf, npz or gns");
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such rollout or trajectory file", path);
            if (ParticleTrajectoryFile.IsParticleFile(path) != (kind == "gns"))
                throw new ArgumentException(kind == "gns" ? $"{path}: --format gns writes particle files, and this is not one" : $"{path}: a particle file exports as --format gns");
            if (kind == "gns")
            {
                var particles = ParticleTrajectoryFile.ReadAll(path);
                var splitName = result.GetValue(split)!;
                // The radius the data records (generate mpm's) goes into metadata.json; GNS's WaterDrop value otherwise.
                var radius = particles[0].Parameters.TryGetValue("connectivity_radius", out var recorded) && recorded > 0 ? recorded : 0.015;
                GnsDataset.Write(directory, splitName, particles, radius);
                AnsiConsole.MarkupLineInterpolated($"{particles.Count} trajectories written to [green]{Path.Combine(directory, splitName + ".tfrecord")}[/] with {GnsDataset.MetadataFile}");
                return 0;
            }
            // An .xdmf's data goes beside it as .h5: never over the file being exported.
            if (kind == "xdmf" && Path.GetDirectoryName(Path.GetFullPath(path)) == Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar))
                throw new ArgumentException($"--out {directory} holds {Path.GetFileName(path)} itself, which the XDMF data files (.h5) written there could replace; give another folder");
            if (RolloutFile.IsRolloutFile(path)) ExportRollouts(path, directory, result.GetValue(which), kind);
            else ExportTrajectories(path, directory, result.GetValue(which), kind);
            return 0;
        });
        return command;
    }

    private static void ExportRollouts(string path, string directory, string? which, string kind)
    {
        var rollouts = RolloutViews.Read(path);
        var chosen = which is { } name ? [RolloutViews.Pick(rollouts, name, path)] : rollouts;
        foreach (var rollout in chosen)
        {
            var file = Path.Combine(directory, $"case_{rollouts.IndexOf(rollout):D4}");
            switch (kind)
            {
                case "msh":
                    if (rollout.Domain is not TriangleDomain mesh) throw new ArgumentException($"{path}: case {rollout.Case} is a grid case; --format msh writes triangle meshes");
                    Directory.CreateDirectory(directory);
                    GmshWriter.Write(file + ".msh", mesh.Positions, mesh.Triangles, GmshNodeTypes.BoundaryGroups(mesh.Triangles, rollout.NodeTypes));
                    AnsiConsole.MarkupLineInterpolated($"case {rollout.Case}: [green]{file}.msh[/] ({mesh.NodeCount} nodes, {mesh.Triangles.Length / 3} triangles)");
                    break;
                case "xdmf":
                    XdmfTrajectory.Write(file + ".xdmf", AsTrajectory(rollout), startTime: rollout.StartFrame * rollout.Dt);
                    AnsiConsole.MarkupLineInterpolated($"case {rollout.Case}: [green]{file}.xdmf[/] and .h5 ({rollout.Steps + 1} steps)");
                    break;
                case "npz":
                    if (rollout.Domain is not TriangleDomain) throw new ArgumentException($"{path}: case {rollout.Case} is a grid case; --format npz writes triangle meshes");
                    MeshGraphNetsNpz.Write(file + ".npz", AsTrajectory(rollout));
                    AnsiConsole.MarkupLineInterpolated($"case {rollout.Case}: [green]{file}.npz[/] ({rollout.Steps + 1} steps)");
                    break;
                default:
                    var pvd = RolloutVtkExport.Write(rollout, directory, Path.GetFileName(file));
                    AnsiConsole.MarkupLineInterpolated($"case {rollout.Case}: [green]{pvd}[/] ({rollout.Steps + 1} steps)");
                    break;
            }
        }
    }

    /// <summary>A rollout as a trajectory on its mesh (grids as quads): truth_X, prediction_X and error_X per field, as the VTK export names them.</summary>
    private static MeshTrajectory AsTrajectory(RolloutView rollout)
    {
        rollout.Check();
        var mesh = RolloutVtkExport.MeshOf(rollout.Domain);
        var fields = new List<TrajectoryField>();
        foreach (var field in rollout.Fields)
        foreach (var (prefix, at) in new (string, Func<string, int, float[]>)[] { ("truth", rollout.TruthAt), ("prediction", rollout.PredictionAt), ("error", rollout.ErrorAt) })
            fields.Add(new TrajectoryField($"{prefix}_{field}", 1, Enumerable.Range(0, rollout.Steps + 1).SelectMany(step => at(field, step)).ToArray()));
        return new MeshTrajectory(rollout.Case, mesh.Positions.Select(v => (float)v).ToArray(), 2, mesh.Cells, mesh.VerticesPerCell, rollout.NodeTypes,
            rollout.Steps + 1, rollout.Steps >= 1 ? rollout.Dt : 0, fields, rollout.CaseParameters);
    }

    private static void ExportTrajectories(string path, string directory, string? which, string kind)
    {
        using var reader = new MeshTrajectoryReader(path);
        if (reader.Names.Count == 0) throw new InvalidDataException($"{path}: neither a rollout file nor an HDF5 file with mesh trajectories");
        var names = which is null ? reader.Names
            : reader.Names.Contains(which) ? [which]
            : int.TryParse(which, out var index) && index >= 0 && index < reader.Names.Count ? [reader.Names[index]]
            : throw new ArgumentException($"{path}: no trajectory '{which}' (it has {string.Join(", ", reader.Names.Take(10))}{(reader.Names.Count > 10 ? ", ..." : "")}, or give an index)");
        foreach (var name in names)
        {
            var trajectory = reader.Read(name);
            var file = Path.Combine(directory, string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')));
            string written;
            switch (kind)
            {
                case "msh":
                    if (trajectory.VerticesPerCell != 3) throw new ArgumentException($"{path}: trajectory {name} has {trajectory.VerticesPerCell}-vertex cells; --format msh writes triangle meshes");
                    GmshWriter.Write(written = file + ".msh", trajectory.MeshPositions.Select(v => (double)v).ToArray(), trajectory.Cells,
                        GmshNodeTypes.BoundaryGroups(trajectory.Cells, trajectory.NodeTypes));
                    break;
                case "xdmf":
                    XdmfTrajectory.Write(written = file + ".xdmf", trajectory);
                    break;
                case "npz":
                    MeshGraphNetsNpz.Write(written = file + ".npz", trajectory);
                    break;
                default:
                    written = VtuTrajectory.Write(file + ".pvd", trajectory);
                    break;
            }
            AnsiConsole.MarkupLineInterpolated($"trajectory {name}: [green]{written}[/] ({trajectory.NodeCount} nodes, {trajectory.FrameCount} frames)");
        }
    }

    private static void RequireExtension(string path, string extension, string what)
    {
        if (!path.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{what} is written as {extension}; --out {path} names another format");
    }

}
