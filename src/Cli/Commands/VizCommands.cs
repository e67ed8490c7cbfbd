using System.CommandLine;
using GnnSim.Cli.Reports;
using GnnSim.Datasets;
using GnnSim.Datasets.Gmsh;
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
        var vectors = new Option<bool>("--vectors") { Description = "snapshot: velocity arrows over truth and prediction" };
        var streamlines = new Option<bool>("--streamlines") { Description = "snapshot: streamlines over truth and prediction" };
        var probe = new Option<string?>("--probe") { Description = "X,Y: the field at that point against time, truth and prediction, and their spectra with the dominant frequency (and the Strouhal number where the case has vel_in and radius)" };
        var width = new Option<int>("--width") { Description = "pixels per panel", DefaultValueFactory = _ => 320 };
        var command = new Command("plot", "Draw a rollout: truth / prediction / error at a step (PNG), an animation (GIF), error curves (SVG) or the mesh.")
            { inputs, output, field, which, step, vectors, streamlines, animate, frames, errors, mesh, probe, width };
        command.SetAction(result =>
        {
            var paths = result.GetValue(inputs)!;
            var outPath = result.GetValue(output)!;
            var modes = new[] { result.GetValue(animate), result.GetValue(errors), result.GetValue(mesh), result.GetValue(probe) is not null }.Count(m => m);
            if (modes > 1) throw new ArgumentException("give at most one of --animate, --errors, --mesh and --probe");
            if (paths.Length > 1 && !result.GetValue(errors)) throw new ArgumentException("several rollout files can only be compared with --errors");
            if (result.GetValue(width) is < 64 or > 4096) throw new ArgumentException("--width must lie in 64..4096");

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

    public static Command Export()
    {
        var input = new Argument<string>("ROLLOUT") { Description = "rollout file from gnnsim rollout" };
        var output = new Option<string>("--out") { Description = "directory for the files: .pvd collections and their .vtu steps, or .msh meshes", Required = true };
        var which = new Option<string?>("--case") { Description = "one case (name or index); default: every case" };
        var format = new Option<string>("--format") { Description = "vtk (truth, prediction, error per step, for ParaView) or msh (each case's mesh as gmsh 4.1, boundary groups named by node type)", DefaultValueFactory = _ => "vtk" };
        var command = new Command("export", "Write a rollout as VTU/PVD files for ParaView, or its meshes as gmsh files.") { input, output, which, format };
        command.SetAction(result =>
        {
            var path = result.GetValue(input)!;
            var directory = result.GetValue(output)!;
            var rollouts = RolloutViews.Read(path);
            var chosen = result.GetValue(which) is { } name ? [RolloutViews.Pick(rollouts, name, path)] : rollouts;
            var kind = result.GetValue(format);
            if (kind is not ("vtk" or "msh")) throw new ArgumentException($"--format {kind}: vtk or msh");
            foreach (var rollout in chosen)
            {
                var index = rollouts.IndexOf(rollout);
                if (kind == "msh")
                {
                    if (rollout.Domain is not TriangleDomain mesh) throw new ArgumentException($"{path}: case {rollout.Case} is a grid case; --format msh writes triangle meshes");
                    Directory.CreateDirectory(directory);
                    var file = Path.Combine(directory, $"case_{index:D4}.msh");
                    GmshWriter.Write(file, mesh.Positions, mesh.Triangles, GmshNodeTypes.BoundaryGroups(mesh.Triangles, rollout.NodeTypes));
                    AnsiConsole.MarkupLineInterpolated($"case {rollout.Case}: [green]{file}[/] ({mesh.NodeCount} nodes, {mesh.Triangles.Length / 3} triangles)");
                    continue;
                }
                var pvd = RolloutVtkExport.Write(rollout, directory, $"case_{index:D4}");
                AnsiConsole.MarkupLineInterpolated($"case {rollout.Case}: [green]{pvd}[/] ({rollout.Steps + 1} steps)");
            }
            return 0;
        });
        return command;
    }

    private static void RequireExtension(string path, string extension, string what)
    {
        if (!path.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{what} is written as {extension}; --out {path} names another format");
    }

}
