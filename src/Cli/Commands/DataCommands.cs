using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using GnnSim.Datasets.CfdBench;
using GnnSim.Datasets.Hdf5;
using GnnSim.Datasets.Meshes;
using GnnSim.Datasets.Npy;
using GnnSim.Datasets.Particles;
using GnnSim.Solvers.Mpm;
using GnnSim.Datasets.TfRecord;
using GnnSim.Datasets.Vtu;
using GnnSim.Solvers;
using GnnSim.Datasets.Gmsh;
using GnnSim.Training.Data;
using GnnSim.Training.Evaluation;
using Spectre.Console;

namespace GnnSim.Cli.Commands;

/// <summary><c>gnnsim solve</c>, <c>generate</c>, <c>convert</c> and <c>info</c>: making and inspecting data.</summary>
internal static partial class DataCommands
{
    public static Command Solve()
    {
        var problem = new Argument<string>("problem") { Description = "cavity, tube, dam or cylinder" };
        var settings = new Option<string[]>("--set") { Description = "case parameter as key=value (CFDBench's keys), repeatable", AllowMultipleArgumentsPerToken = true };
        var grid = new Option<string?>("--grid") { Description = "solver grid as NXxNY (default: the problem's own)" };
        var endTime = new Option<double?>("--t-end") { Description = "simulated time in s (default: CFDBench's)" };
        var frameDt = new Option<double?>("--frame-dt") { Description = "time between frames in s (default: CFDBench's)" };
        var output = new Option<string>("--out") { Description = "folder for u.npy, v.npy, p.npy and case.json", Required = true };
        var command = new Command("solve", "Run one case of a CFDBench problem and write its frames on the solver grid (cell centres, row = y).")
        {
            problem, settings, grid, endTime, frameDt, output,
        };
        command.SetAction(result =>
        {
            var kind = CfdBenchCase.ParseProblem(result.GetValue(problem)!);
            var @case = CfdBenchCase.Defaults(kind).With(result.GetValue(settings) ?? []);
            var defaults = GenerationSettings.Defaults(kind);
            double end = result.GetValue(endTime) ?? defaults.EndTime, interval = result.GetValue(frameDt) ?? defaults.FrameDt;
            var (nx, ny) = result.GetValue(grid) is { } text ? ParseGrid(text) : @case.DefaultGrid;
            var config = @case.Configuration(nx, ny);
            string folder = result.GetValue(output)!;
            // The case replaces the folder whole (written beside it, then renamed): never over a folder that holds something else.
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !CfdBenchGenerator.IsComplete(folder))
                throw new IOException($"{folder} exists and is not a case folder; give --out a new or empty folder, or an earlier case to replace");
            AnsiConsole.MarkupLineInterpolated($"[bold]{@case}[/]  Re = {@case.Reynolds:g4}, grid {nx} x {ny}, {end} s in frames of {interval} s");

            SimulationFrames frames = null!;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("simulating");
                    frames = CaseSimulation.Run(config, end, interval, progress: (done, total) => { task.MaxValue = total; task.Value = done; });
                });
            CfdBenchGenerator.WriteFrames(folder, @case, frames, includePressure: true,
            [
                new("nx", nx), new("ny", ny), new("x0", config.X0), new("y0", config.Y0),
                new("domain_width", config.Width), new("domain_height", config.Height),
                new("frame_dt", interval), new("t_end", end), new("reynolds", @case.Reynolds),
            ]);
            AnsiConsole.MarkupLineInterpolated($"wrote {frames.Frames} frames of {ny} x {nx} to [green]{folder}[/]");
            return 0;
        });
        return command;
    }

    public static Command Generate()
    {
        var command = new Command("generate", "Generate datasets with GnnSim's own solver.");
        var problem = new Option<string>("--problem") { Description = "cavity, tube, dam or cylinder", Required = true };
        var subset = new Option<string>("--subset") { Description = "bc, prop or geo", Required = true };
        var cases = new Option<int?>("--cases") { Description = "only the first N cases of the sweep" };
        var endTime = new Option<double?>("--t-end") { Description = "simulated time per case in s (default: CFDBench's)" };
        var frameDt = new Option<double?>("--frame-dt") { Description = "time between frames in s (default: CFDBench's)" };
        var grid = new Option<string?>("--grid") { Description = "solver grid NXxNY for every case (default: each case's own)" };
        var resolution = new Option<string>("--resolution") { Description = "output grid WxH", DefaultValueFactory = _ => "64x64" };
        var output = new Option<string>("--out") { Description = "data root (CFDBench layout: ROOT/problem/subset/caseNNNN)", Required = true };
        var cfdbench = new Command("cfdbench", "CFDBench's sweeps in CFDBench's layout; re-running skips finished cases.")
        {
            problem, subset, cases, endTime, frameDt, grid, resolution, output,
        };
        cfdbench.SetAction(result =>
        {
            var kind = CfdBenchCase.ParseProblem(result.GetValue(problem)!);
            var which = CfdBenchSweeps.ParseSubset(result.GetValue(subset)!);
            var defaults = GenerationSettings.Defaults(kind);
            var (outNx, outNy) = ParseGrid(result.GetValue(resolution)!);
            var settings = new GenerationSettings(result.GetValue(endTime) ?? defaults.EndTime, result.GetValue(frameDt) ?? defaults.FrameDt,
                outNx, outNy, result.GetValue(grid) is { } g ? ParseGrid(g) : null);
            string root = result.GetValue(output)!;
            (int Written, int Skipped) counts = default;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var all = ctx.AddTask($"{CfdBenchCase.Name(kind)}/{CfdBenchSweeps.Name(which)}");
                    var current = ctx.AddTask("case");
                    counts = CfdBenchGenerator.Generate(root, kind, which, settings, result.GetValue(cases),
                        caseStarted: (index, total, c) => { all.MaxValue = total; all.Value = index; current.Description = $"case{index:D4} Re={c.Reynolds:g3}"; current.Value = 0; },
                        frameProgress: (done, total) => { current.MaxValue = total; current.Value = done; });
                    all.Value = all.MaxValue;
                });
            AnsiConsole.MarkupLineInterpolated($"{counts.Written} cases written, {counts.Skipped} already complete, under [green]{root}[/]");
            return 0;
        });
        command.Subcommands.Add(cfdbench);
        command.Subcommands.Add(CylinderMesh());
        command.Subcommands.Add(Helmholtz());
        command.Subcommands.Add(Mpm());
        return command;
    }

    /// <summary>
    /// Runs a resumable generator under a progress bar of its items (<paramref name="generate"/> gets
    /// the callback for each item started); says too whether the file was finished before it ran.
    /// </summary>
    static (bool AlreadyFinished, (int Written, int Skipped) Counts) WithProgress(string path, string items, Func<Action<int, int>, (int, int)> generate)
    {
        var finished = File.Exists(path) && !Directory.Exists(path + ".parts");
        (int, int) counts = default;
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var all = ctx.AddTask(items);
                counts = generate((index, total) => { all.MaxValue = total; all.Value = index; });
                all.Value = all.MaxValue;
            });
        return (finished, counts);
    }

    static Command Mpm()
    {
        var defaults = new MpmDatasetSettings();
        var material = new Option<MpmMaterial>("--material") { Description = "water, elastic, sand or plasticine", DefaultValueFactory = _ => defaults.Material };
        var scene = new Option<string>("--scene") { Description = "blocks (GNS-style random blocks with random velocities) or dam-break (a column of width a and height 2a at the left wall)", DefaultValueFactory = _ => "blocks" };
        scene.AcceptOnlyFromAmong("blocks", "dam-break");
        var trajectories = new Option<int>("--trajectories") { Description = "number of trajectories", Required = true };
        var particles = new Option<int>("--particles") { Description = "about this many particles a trajectory (the grid follows: 4 particles a cell)", DefaultValueFactory = _ => defaults.Particles };
        var frames = new Option<int>("--frames") { Description = "frames per trajectory, the first the initial state", DefaultValueFactory = _ => defaults.Frames };
        var frameDt = new Option<double>("--frame-dt") { Description = "time between frames in s", DefaultValueFactory = _ => defaults.FrameDt };
        var walls = new Option<WallCondition>("--walls") { Description = "sticky or slip", DefaultValueFactory = _ => defaults.Walls };
        var damWidth = new Option<double>("--dam-width") { Description = "dam break: the column's width a", DefaultValueFactory = _ => defaults.DamWidth };
        var seed = new Option<int>("--seed") { Description = "seed of the per-trajectory blocks and velocities", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "the HDF5 file to write", Required = true };
        var command = new Command("mpm", "Particle trajectories from GnnSim's MLS-MPM solver (water, elastic, sand, plasticine) in one HDF5 file; re-running resumes.")
        {
            material, scene, trajectories, particles, frames, frameDt, walls, damWidth, seed, output,
        };
        command.SetAction(result =>
        {
            var settings = defaults with
            {
                Material = result.GetValue(material), Scene = result.GetValue(scene) == "dam-break" ? MpmScene.DamBreak : MpmScene.Blocks,
                Particles = result.GetValue(particles), Frames = result.GetValue(frames), FrameDt = result.GetValue(frameDt),
                Walls = result.GetValue(walls), DamWidth = result.GetValue(damWidth), Seed = result.GetValue(seed),
            };
            string path = result.GetValue(output)!;
            var (finished, counts) = WithProgress(path, "trajectories", started => MpmGenerator.GenerateFile(path, result.GetValue(trajectories), settings, started));
            if (finished) AnsiConsole.MarkupLineInterpolated($"[green]{path}[/] already holds these {counts.Skipped} trajectories: nothing to do");
            else AnsiConsole.MarkupLineInterpolated($"{counts.Written} trajectories simulated ({settings.Cells} cells a side), {counts.Skipped} already done; wrote [green]{path}[/]");
            return 0;
        });
        return command;
    }

    static Command Helmholtz()
    {
        var defaults = new HelmholtzMeshSettings();
        var samples = new Option<int>("--samples") { Description = "number of samples (mesh, problem, moved mesh)", Required = true };
        var sizes = new Option<string>("--element-sizes") { Description = "target edge lengths of the unit-square meshes, comma-separated", DefaultValueFactory = _ => string.Join(",", defaults.ElementSizes.Select(s => s.ToString(CultureInfo.InvariantCulture))) };
        var maxBumps = new Option<int>("--max-bumps") { Description = "each problem's solution is a sum of 1 to this many Gaussians", DefaultValueFactory = _ => defaults.MaxBumps };
        var alpha = new Option<double>("--alpha") { Description = "monitor weight: m = 1 + alpha |H|^2 / max |H|^2", DefaultValueFactory = _ => defaults.Alpha };
        var seed = new Option<int>("--seed") { Description = "seed of the per-sample element size and problem", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "the HDF5 file to write", Required = true };
        var command = new Command("helmholtz",
            "UM2N's mesh-movement data: random Gaussian Helmholtz problems on unit-square meshes, their P1 solution and monitor, and the Monge-Ampere-moved mesh, in one HDF5 file; re-running resumes.")
        {
            samples, sizes, maxBumps, alpha, seed, output,
        };
        command.SetAction(result =>
        {
            var text = result.GetValue(sizes)!;
            var parsed = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"--element-sizes: '{s}' is not a number"))
                .ToArray();
            var settings = defaults with { ElementSizes = parsed, MaxBumps = result.GetValue(maxBumps), Alpha = result.GetValue(alpha), Seed = result.GetValue(seed) };
            string path = result.GetValue(output)!;
            var (finished, counts) = WithProgress(path, "samples", started => HelmholtzMeshGenerator.GenerateFile(path, result.GetValue(samples), settings, started));
            if (finished)
                AnsiConsole.MarkupLineInterpolated($"[green]{path}[/] already holds these {counts.Skipped} samples: nothing to do");
            else
            {
                var made = MeshTrajectoryFile.ReadAll(path);
                double Mean(string key) => made.Average(t => t.Parameters[key]);
                AnsiConsole.MarkupLineInterpolated($"{counts.Written} samples made, {counts.Skipped} already done; wrote [green]{path}[/]");
                AnsiConsole.MarkupLineInterpolated(
                    $"Monge-Ampere: mean error reduction {Mean(HelmholtzMeshGenerator.ParameterNames.ErrorReduction):P1}, {Mean(HelmholtzMeshGenerator.ParameterNames.Iterations):F0} iterations and {Mean(HelmholtzMeshGenerator.ParameterNames.Seconds):F2} s a sample, {made.Count(t => t.Parameters[HelmholtzMeshGenerator.ParameterNames.Converged] == 0)} not converged");
            }
            return 0;
        });
        return command;
    }

    static Command CylinderMesh()
    {
        var trajectories = new Option<int>("--trajectories") { Description = "number of trajectories", Required = true };
        var defaults = new CylinderMeshSettings();
        var frames = new Option<int>("--frames") { Description = "frames per trajectory", DefaultValueFactory = _ => defaults.Frames };
        var frameDt = new Option<double>("--frame-dt") { Description = "time between frames in s", DefaultValueFactory = _ => defaults.FrameDt };
        var spinUp = new Option<double>("--spin-up") { Description = "simulated time before the first frame, in s", DefaultValueFactory = _ => defaults.SpinUp };
        var cellsAcross = new Option<int>("--cells-across") { Description = "solver cells across the channel height", DefaultValueFactory = _ => defaults.CellsAcross };
        var seed = new Option<int>("--seed") { Description = "seed of the per-trajectory inflow speed and cylinder", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "the HDF5 file to write", Required = true };
        var command = new Command("cylinder-mesh",
            "Cylinder-wake trajectories on unstructured triangle meshes (like DeepMind's cylinder_flow) in one HDF5 file; re-running resumes.")
        {
            trajectories, frames, frameDt, spinUp, cellsAcross, seed, output,
        };
        command.SetAction(result =>
        {
            var settings = defaults with
            {
                Frames = result.GetValue(frames), FrameDt = result.GetValue(frameDt), SpinUp = result.GetValue(spinUp),
                CellsAcross = result.GetValue(cellsAcross), Seed = result.GetValue(seed),
            };
            string path = result.GetValue(output)!;
            // A finished file (no parts folder) is either these trajectories already or refused.
            var finished = File.Exists(path) && !Directory.Exists(path + ".parts");
            (int Written, int Skipped) counts = default;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var all = ctx.AddTask("trajectories");
                    var current = ctx.AddTask("frames");
                    counts = CylinderMeshGenerator.GenerateFile(path, result.GetValue(trajectories), settings,
                        trajectoryStarted: (index, total) => { all.MaxValue = total; all.Value = index; current.Description = $"trajectory {index}"; current.Value = 0; },
                        frameProgress: (done, total) => { current.MaxValue = total; current.Value = done; });
                    all.Value = all.MaxValue;
                });
            if (finished)
                AnsiConsole.MarkupLineInterpolated($"[green]{path}[/] already holds these {counts.Skipped} trajectories: nothing to do");
            else
                AnsiConsole.MarkupLineInterpolated($"{counts.Written} trajectories simulated, {counts.Skipped} already done; wrote [green]{path}[/]");
            return 0;
        });
        return command;
    }

    public static Command Convert()
    {
        var directory = new Argument<string>("directory") { Description = "a DeepMind MeshGraphNets dataset folder (meta.json, train/valid/test.tfrecord)" };
        var split = new Option<string>("--split") { Description = "train, valid or test", DefaultValueFactory = _ => "train" };
        var dt = new Option<double?>("--dt") { Description = "time between frames, when meta.json does not give it" };
        var output = new Option<string>("--out") { Description = "the HDF5 file to write", Required = true };
        var tfrecord = new Command("tfrecord", "Convert one split of a DeepMind mesh dataset to GnnSim's HDF5 trajectories.") { directory, split, dt, output };
        tfrecord.SetAction(result =>
        {
            string source = result.GetValue(directory)!, path = result.GetValue(output)!, which = result.GetValue(split)!;
            int count = 0;
            AnsiConsole.Status().Start($"converting {which}.tfrecord", ctx =>
                MeshTrajectoryFile.Write(path, DeepMindMeshDataset.Read(source, which, result.GetValue(dt)).Select(trajectory =>
                {
                    ctx.Status($"converting {which}.tfrecord: trajectory {++count}");
                    return trajectory;
                })));
            AnsiConsole.MarkupLineInterpolated($"{count} trajectories written to [green]{path}[/]");
            return 0;
        });
        var nodeTypes = new Option<string?>("--node-types") { Description = "physical groups as node types: \"inlet=inflow,outlet=outflow,walls=wall,cylinder=obstacle\" (default: boundary lines are walls)" };
        var msh = ConvertFiles("msh", ".msh", "gmsh .msh meshes (2.2 or 4.1, ASCII or binary) to GnnSim's HDF5 layout: each a mesh alone (no frames), node types from the physical groups", [nodeTypes],
            (result, file, _, boundary) =>
            {
                var mesh = GmshReader.Read(file);
                var trajectory = new MeshTrajectory(Path.GetFileNameWithoutExtension(file), mesh.Positions.Select(v => (float)v).ToArray(), 2, mesh.Triangles, 3,
                    GmshNodeTypes.Assign(mesh, result.GetValue(nodeTypes), file), 0, 0, []);
                return boundary is null ? trajectory : trajectory.WithBoundaryTypes(boundary);
            });
        var formats = TrajectoryLoader.FileFormats;
        var npz = ConvertFiles("npz", ".npz", "MeshGraphNets .npz trajectories (mesh_pos, cells, node_type, fields [T, N, F]) to GnnSim's HDF5 trajectories", [],
            (_, file, dt, boundary) => formats["npz"].Read(file, dt, boundary));
        var xdmf = ConvertFiles("xdmf", ".xdmf", "XDMF + HDF5 files as meshio writes them (one uniform grid, or a temporal collection) to GnnSim's HDF5 trajectories", [],
            (_, file, dt, boundary) => formats["xdmf"].Read(file, dt, boundary));
        var vtu = ConvertFiles("vtu", ".pvd", "VTU series (a ParaView .pvd collection of .vtu steps on one mesh, or one .vtu) to GnnSim's HDF5 trajectories", [],
            (_, file, dt, boundary) => formats["vtu"].Read(file, dt, boundary));
        var gnsDirectory = new Argument<string>("directory") { Description = "a learning_to_simulate particle dataset folder (metadata.json, train/valid/test.tfrecord)" };
        var gnsSplit = new Option<string>("--split") { Description = "train, valid or test", DefaultValueFactory = _ => "train" };
        var gnsOutput = new Option<string>("--out") { Description = "the HDF5 particle file to write", Required = true };
        var gns = new Command("gns", "Convert one split of a DeepMind / GNS particle dataset (TFRecords of SequenceExamples, or GNS PyTorch .npz files, beside metadata.json) to GnnSim's HDF5 particle layout.") { gnsDirectory, gnsSplit, gnsOutput };
        gns.SetAction(result =>
        {
            var trajectories = GnsDataset.Read(result.GetValue(gnsDirectory)!, result.GetValue(gnsSplit)!);
            ParticleTrajectoryFile.Write(result.GetValue(gnsOutput)!, trajectories);
            AnsiConsole.MarkupLineInterpolated($"{trajectories.Count} trajectories ({trajectories.Sum(t => t.ParticleCount):N0} particles, {trajectories.Sum(t => t.FrameCount):N0} frames) written to [green]{result.GetValue(gnsOutput)}[/]");
            return 0;
        });
        return new Command("convert", "Convert datasets to GnnSim's formats.") { tfrecord, msh, npz, xdmf, vtu, gns };
    }

    /// <summary>
    /// <c>convert KIND INPUT --out OUT.h5 [--dt] [--boundary]</c> for formats of one trajectory per
    /// file: INPUT is a file or a folder of them (name order). <c>--boundary</c> types the nodes from
    /// the geometry instead of the file.
    /// </summary>
    static Command ConvertFiles(string kind, string extension, string description, Option[] extra, Func<ParseResult, string, double?, string?, MeshTrajectory> read)
    {
        var input = new Argument<string>("input") { Description = $"a {extension} file, or a folder of them (one trajectory each)" };
        var dt = new Option<double?>("--dt") { Description = "time between frames, where the files do not record it" };
        var output = new Option<string>("--out") { Description = "the HDF5 file to write", Required = true };
        var boundary = new Option<string?>("--boundary") { Description = "node types from the geometry instead of the file's: \"left=inflow,right=outflow,top=wall,bottom=wall,holes=obstacle\" (sides of the bounding box, inner boundary loops)" };
        var command = new Command(kind, $"Convert {description}.") { input, dt, output, boundary };
        foreach (var option in extra) command.Options.Add(option);
        command.SetAction(result =>
        {
            string source = result.GetValue(input)!, path = result.GetValue(output)!;
            var files = Directory.Exists(source) ? Directory.GetFiles(source, "*" + extension).Order(StringComparer.Ordinal).ToList() : [source];
            if (files.Count == 0) throw new InvalidDataException($"{source}: a folder with no {extension} files");
            var spec = result.GetValue(boundary);
            if (spec is not null) GnnSim.Meshing.BoundaryClassifier.ParseSpec(spec);
            var trajectories = files.Select(file => read(result, file, result.GetValue(dt), spec)).ToList();
            MeshTrajectoryFile.Write(path, trajectories);
            var frames = trajectories.Sum(t => t.FrameCount);
            AnsiConsole.MarkupLineInterpolated($"{trajectories.Count} {(trajectories.Count == 1 ? "trajectory" : "trajectories")} ({trajectories.Sum(t => t.NodeCount)} nodes, {frames} frames{(frames == 0 ? ": meshes alone" : "")}) written to [green]{path}[/]");
            return 0;
        });
        return command;
    }

    public static Command Info()
    {
        var path = new Argument<string>("path") { Description = "an .npy or .npz file, a gmsh .msh mesh, a .vtu grid, an .xdmf file, an HDF5 file of mesh trajectories or of rollouts, a case folder, a CFDBench data root or a DeepMind dataset folder" };
        var nodeTypes = new Option<string?>("--node-types") { Description = ".msh: physical groups as node types, e.g. \"inlet=inflow,outlet=outflow,walls=wall,cylinder=obstacle\" (default: boundary lines are walls)" };
        var boundary = new Option<string?>("--boundary") { Description = ".xdmf, .pvd, .vtu: node types from the geometry, for files that carry none: \"left=inflow,right=outflow,top=wall,bottom=wall,holes=obstacle\"" };
        var command = new Command("info", "Summarise a dataset, a mesh or a rollout file.") { path, nodeTypes, boundary };
        command.SetAction(result =>
        {
            string target = result.GetValue(path)!;
            if (File.Exists(target) && target.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) DescribeNpy(target);
            else if (File.Exists(target) && target.EndsWith(".msh", StringComparison.OrdinalIgnoreCase)) DescribeGmsh(target, result.GetValue(nodeTypes));
            else if (File.Exists(target) && target.EndsWith(".npz", StringComparison.OrdinalIgnoreCase)) DescribeNpz(target);
            else if (File.Exists(target) && (target.EndsWith(".vtu", StringComparison.OrdinalIgnoreCase) || target.EndsWith(".pvd", StringComparison.OrdinalIgnoreCase)))
                DescribeVtu(target, result.GetValue(boundary));
            else if (File.Exists(target) && target.EndsWith(".xdmf", StringComparison.OrdinalIgnoreCase)) DescribeXdmf(target, result.GetValue(boundary));
            else if (File.Exists(target) && Hdf5File.HasSignature(target) && RolloutFile.IsRolloutFile(target)) DescribeRollout(target);
            else if (File.Exists(target) && ParticleTrajectoryFile.IsParticleFile(target)) DescribeParticles(target);
            else if (File.Exists(target) && Hdf5File.HasSignature(target)) DescribeHdf5(target);
            else if (File.Exists(target)) throw new InvalidDataException($"{target}: neither an .npy nor an HDF5 file");
            else if (File.Exists(Path.Combine(target, "case.json"))) DescribeCase(target);
            else if (File.Exists(Path.Combine(target, "meta.json"))) DescribeDeepMind(target);
            else if (Directory.Exists(target)) DescribeRoot(target);
            else throw new InvalidDataException($"{target}: no such file or folder");
            return 0;
        });
        return command;
    }

    static void DescribeNpy(string path)
    {
        var array = NpyFile.Read(path);
        double min = array.Values.Length == 0 ? 0 : array.Values.Min(), max = array.Values.Length == 0 ? 0 : array.Values.Max();
        Console.WriteLine($"{path}: {array.Type}, shape ({string.Join(", ", array.Shape)}), min {min:g5}, max {max:g5}");
    }

    static void DescribeParticles(string path)
    {
        var trajectories = ParticleTrajectoryFile.ReadAll(path);
        AnsiConsole.MarkupLineInterpolated($"{path}: GnnSim particle trajectories ({ParticleTrajectoryFile.FormatName}), {trajectories.Count} {(trajectories.Count == 1 ? "trajectory" : "trajectories")}");
        foreach (var t in trajectories.Take(5))
            AnsiConsole.MarkupLineInterpolated(
                $"  {t.Name}: {t.Material}, {t.ParticleCount:N0} particles (types {string.Join(", ", t.ParticleTypes.Distinct().Order())}), {t.FrameCount} frames {t.Dt:g4} s apart, bounds {string.Join(" x ", Enumerable.Range(0, t.Dimension).Select(d => $"[{t.Bounds[2 * d]:g3}, {t.Bounds[2 * d + 1]:g3}]"))}");
        if (trajectories.Count > 5) AnsiConsole.MarkupLineInterpolated($"  ... and {trajectories.Count - 5} more");
    }

    static void DescribeHdf5(string path)
    {
        using var reader = new MeshTrajectoryReader(path);
        if (reader.Names.Count == 0) throw new InvalidDataException($"{path}: an HDF5 file with no trajectory groups");
        Console.WriteLine($"{path}: {reader.Names.Count} mesh trajectories");
        var table = new Table().AddColumns("trajectory", "nodes", "cells", "frames", "dt", "fields", "node types");
        var parameters = new List<string>();
        foreach (var name in reader.Names.Take(10))
        {
            var t = reader.Read(name);
            table.AddRow(name, $"{t.NodeCount}", $"{t.CellCount}", $"{t.FrameCount}", t.Dt > 0 ? $"{t.Dt:g4}" : "-", Markup.Escape(FieldList(t)), NodeTypeCounts(t.NodeTypes));
            if (t.Parameters.Count > 0) parameters.Add($"  {name}: {string.Join(", ", t.Parameters.Select(p => $"{p.Key}={p.Value:g4}"))}");
        }
        AnsiConsole.Write(table);
        if (reader.Names.Count > 10) Console.WriteLine($"  ... and {reader.Names.Count - 10} more");
        if (parameters.Count > 0) Console.WriteLine("case parameters:\n" + string.Join("\n", parameters));
    }

    static void DescribeXdmf(string path, string? boundary)
    {
        var t = XdmfTrajectory.Read(path, boundary: boundary);
        Console.WriteLine($"{path}: XDMF + HDF5, {t.NodeCount} nodes, {t.CellCount} triangles, {t.FrameCount} time step{(t.FrameCount == 1 ? "" : "s")}{Interval(t)}; fields {FieldList(t)}");
        Console.WriteLine("  node types: " + NodeTypeCounts(t.NodeTypes));
    }

    static void DescribeVtu(string path, string? boundary)
    {
        var isSeries = path.EndsWith(".pvd", StringComparison.OrdinalIgnoreCase);
        var mesh = VtuReader.Read(isSeries ? VtuTrajectory.Collection(path)[0].File : path);
        Console.WriteLine($"{(isSeries ? $"{path}: ParaView collection; its first step" : path)}: VTK UnstructuredGrid, {mesh.NodeCount} points, {mesh.TriangleCount} triangles{(mesh.QuadsSplit > 0 ? $" ({mesh.QuadsSplit} quads split in two)" : "")}");
        foreach (var (name, (components, values)) in mesh.PointData)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  point data {name}[{components}]: min {values.Min():g5}, max {values.Max():g5}"));
        var hasTypes = PointFields.NodeTypeArrays.Any(mesh.PointData.ContainsKey);
        if (!hasTypes && boundary is null)
        {
            Console.WriteLine("  no node_type point data: give --boundary (convert, info) or data.boundary (train) to type the nodes from the geometry");
            return;
        }
        var t = VtuTrajectory.Read(path, boundary: boundary);
        Console.WriteLine($"  as a trajectory: {t.FrameCount} step{(t.FrameCount == 1 ? "" : "s")}{Interval(t)}; fields {FieldList(t)}");
        Console.WriteLine("  node types: " + NodeTypeCounts(t.NodeTypes));
    }

    static string Interval(MeshTrajectory t) => t.FrameCount > 1 ? string.Create(CultureInfo.InvariantCulture, $" {t.Dt:g4} s apart") : "";

    static string FieldList(MeshTrajectory t) => t.Fields.Count == 0 ? "none" : string.Join(", ", t.Fields.Select(f => $"{f.Name}[{f.Width}]"));

    static string NodeTypeCounts(IEnumerable<int> types) =>
        string.Join(", ", types.GroupBy(x => x).OrderBy(g => g.Key).Select(g => $"{GnnSim.Graph.NodeTypeNames.Of(g.Key)} {g.Count()}"));

    static void DescribeNpz(string path)
    {
        var arrays = NpzFile.Read(path);
        Console.WriteLine($"{path}: .npz of {arrays.Count} arrays");
        foreach (var (name, array) in arrays.OrderBy(a => a.Key, StringComparer.Ordinal))
            Console.WriteLine($"  {name}: {array.Type} ({string.Join(", ", array.Shape)})");
        if (!arrays.ContainsKey("mesh_pos") || !arrays.ContainsKey("cells") || !arrays.ContainsKey("node_type")) return;
        // In the MeshGraphNets layout: the trajectory it makes (dt aside, which such files do not record).
        var t = MeshGraphNetsNpz.Read(path, dt: 1);
        Console.WriteLine($"  a MeshGraphNets trajectory: {t.NodeCount} nodes, {t.CellCount} triangles, {t.FrameCount} frames; fields {string.Join(", ", t.Fields.Select(f => $"{f.Name}[{f.Width}]"))}");
        Console.WriteLine("  node types: " + NodeTypeCounts(t.NodeTypes));
    }

    static void DescribeGmsh(string path, string? nodeTypes)
    {
        var mesh = GmshReader.Read(path);
        Console.WriteLine($"{path}: gmsh {mesh.Version} {(mesh.Binary ? "binary" : "ASCII")}, {mesh.NodeCount} nodes, {mesh.TriangleCount} triangles{(mesh.QuadsSplit > 0 ? $" ({mesh.QuadsSplit} quadrangles split in two)" : "")}, {mesh.LineCount} boundary lines, {mesh.Points.Length} points");
        foreach (var (dimension, tag) in mesh.LinePhysical.Select(t => (1, t)).Concat(mesh.TrianglePhysical.Select(t => (2, t))).Concat(mesh.PointPhysical.Select(t => (0, t))).Distinct().OrderBy(g => g))
        {
            var count = dimension switch { 0 => mesh.PointPhysical.Count(t => t == tag), 1 => mesh.LinePhysical.Count(t => t == tag), _ => mesh.TrianglePhysical.Count(t => t == tag) };
            var name = mesh.Group(dimension, tag)?.Name;
            Console.WriteLine($"  physical {(dimension == 1 ? "curve" : dimension == 2 ? "surface" : "point")} {tag}{(string.IsNullOrEmpty(name) ? "" : $" \"{name}\"")}: {count} {(dimension == 1 ? "lines" : dimension == 2 ? "triangles" : "points")}");
        }
        var types = GmshNodeTypes.Assign(mesh, nodeTypes, path);
        Console.WriteLine("  node types: " + NodeTypeCounts(types));
    }

    static void DescribeRollout(string path)
    {
        var rollouts = RolloutFile.Read(path);
        Console.WriteLine($"{path}: GnnSim rollouts of {rollouts.Count} cases");
        for (var i = 0; i < rollouts.Count; i++)
        {
            var r = rollouts[i];
            var frameSize = r.NodeCount * r.Fields.Count;
            double squared = 0;
            for (var k = r.Steps * frameSize; k < (r.Steps + 1) * frameSize; k++) squared += Math.Pow(r.Prediction[k] - r.Truth[k], 2);
            var mesh = r.Cells is { } cells ? $"a mesh of {cells.Length / 3} triangles" : r.GridShape is { } grid ? $"a {grid.Width} x {grid.Height} grid" : "points";
            var extras = (r.PredictedPositions is null ? "" : ", nodes move") + (r.QueryPoints is null ? "" : $", {r.QueryPoints.Length / 2} query points");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {i:D4} {r.Case}: {r.NodeCount} nodes on {mesh}{extras}; {r.Steps} steps of {r.Dt:g4} s from frame {r.StartFrame}; fields {string.Join(", ", r.Fields)}; RMSE at the last step {Math.Sqrt(squared / frameSize):E3}"));
        }
    }

    static void DescribeDeepMind(string folder)
    {
        var meta = DeepMindMeta.Read(Path.Combine(folder, "meta.json"));
        Console.WriteLine($"{folder}: DeepMind mesh dataset, {meta.TrajectoryLength} frames per trajectory, dt {meta.Dt?.ToString("g4", CultureInfo.InvariantCulture) ?? "not given"}");
        foreach (var feature in meta.Features.Values)
            Console.WriteLine($"  {feature.Name}: {feature.Type} {feature.DType} [{string.Join(", ", feature.Shape)}]");
        foreach (var split in new[] { "train", "valid", "test" })
        {
            var records = DeepMindMeshDataset.RecordPath(folder, split);
            if (!File.Exists(records)) continue;
            // The first record is enough to describe a split; counting all would read gigabytes.
            var first = DeepMindMeshDataset.Read(folder, split, meta.Dt ?? double.Epsilon).First();
            Console.WriteLine($"  {split}.tfrecord: {new FileInfo(records).Length / 1e6:f1} MB; the first trajectory has {first.NodeCount} nodes, {first.CellCount} cells, {first.FrameCount} frames");
        }
    }

    static void DescribeCase(string folder)
    {
        var values = CaseJson.ReadValues(Path.Combine(folder, "case.json"));
        var problem = DetectProblem(values, folder);
        var data = CfdBenchCaseData.Load(folder, problem);
        Console.WriteLine($"{folder}: {data.Case}");
        Console.WriteLine($"  Re = {data.Case.Reynolds:g4}; {data.Frames} frames of {data.Height} x {data.Width}; {data.Fluid.Count(f => !f)} solid cells");
        float maxSpeed = 0;
        for (int k = 0; k < data.U.Length; k++) maxSpeed = Math.Max(maxSpeed, MathF.Sqrt(data.U[k] * data.U[k] + data.V[k] * data.V[k]));
        Console.WriteLine($"  max |velocity| {maxSpeed:g4}");
    }

    static void DescribeRoot(string root)
    {
        var table = new Table().AddColumns("problem", "subset", "cases", "frames x H x W (first case)");
        foreach (var problem in Enum.GetValues<CfdProblem>())
        {
            if (CfdBenchDataset.ProblemFolder(root, problem) is null) continue;
            foreach (var subset in Enum.GetValues<CfdSubset>())
            {
                List<string> dirs;
                try { dirs = CfdBenchDataset.CaseDirectories(root, problem, [subset]); }
                catch (InvalidDataException) { continue; } // no cases of this subset
                var first = NpyFile.Read(Path.Combine(dirs[0], "u.npy"));
                table.AddRow(CfdBenchCase.Name(problem), CfdBenchSweeps.Name(subset), dirs.Count.ToString(CultureInfo.InvariantCulture), string.Join(" x ", first.Shape));
            }
        }
        if (table.Rows.Count == 0) throw new InvalidDataException($"{root}: no CFDBench cases found (expected problem/subset/caseNNNN folders)");
        AnsiConsole.Write(table);
    }

    /// <summary>case.json does not name its problem; its keys do.</summary>
    static CfdProblem DetectProblem(Dictionary<string, double> values, string folder) =>
        values.ContainsKey("vel_top") ? CfdProblem.Cavity
        : values.ContainsKey("barrier_height") ? CfdProblem.Dam
        : values.ContainsKey("radius") ? CfdProblem.Cylinder
        : values.ContainsKey("vel_in") ? CfdProblem.Tube
        : throw new InvalidDataException($"{Path.Combine(folder, "case.json")}: keys match none of cavity, tube, dam, cylinder");

    static (int Nx, int Ny) ParseGrid(string text)
    {
        var match = GridPattern().Match(text);
        if (!match.Success) throw new ArgumentException($"grid '{text}' is not NXxNY (for example 64x64)");
        int nx = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), ny = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        if (nx < 2 || ny < 2 || nx > 8192 || ny > 8192) throw new ArgumentException($"grid {nx} x {ny} is outside 2..8192 per side");
        return (nx, ny);
    }

    [GeneratedRegex(@"^\s*(\d+)\s*[xX]\s*(\d+)\s*$")]
    private static partial Regex GridPattern();
}
