using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using GnnSim.Datasets.CfdBench;
using GnnSim.Datasets.Npy;
using GnnSim.Solvers;
using Spectre.Console;

namespace GnnSim.Cli.Commands;

/// <summary><c>gnnsim solve</c>, <c>gnnsim generate</c> and <c>gnnsim info</c>: making and inspecting data.</summary>
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
            AnsiConsole.MarkupLineInterpolated($"[bold]{@case}[/]  Re = {@case.Reynolds:g4}, grid {nx} x {ny}, {end} s in frames of {interval} s");

            SimulationFrames frames = null!;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("simulating");
                    frames = CaseSimulation.Run(config, end, interval, progress: (done, total) => { task.MaxValue = total; task.Value = done; });
                });
            int[] shape = [frames.Frames, frames.Ny, frames.Nx];
            NpyFile.Write(Path.Combine(folder, "u.npy"), shape, frames.U);
            NpyFile.Write(Path.Combine(folder, "v.npy"), shape, frames.V);
            NpyFile.Write(Path.Combine(folder, "p.npy"), shape, frames.P);
            CaseJson.Write(Path.Combine(folder, "case.json"), @case,
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
        return command;
    }

    public static Command Info()
    {
        var path = new Argument<string>("path") { Description = "an .npy file, a case folder, or a CFDBench data root" };
        var command = new Command("info", "Summarise a dataset.") { path };
        command.SetAction(result =>
        {
            string target = result.GetValue(path)!;
            if (File.Exists(target) && target.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) DescribeNpy(target);
            else if (File.Exists(Path.Combine(target, "case.json"))) DescribeCase(target);
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
