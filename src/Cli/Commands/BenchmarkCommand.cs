using System.CommandLine;
using GnnSim.Cli.Benchmark;

namespace GnnSim.Cli.Commands;

/// <summary><c>gnnsim benchmark SUITE --out DIR</c>: every operator of a suite trained, rolled out and scored the same way, into one leaderboard.</summary>
internal static class BenchmarkCommand
{
    public static Command Create()
    {
        var suitePath = new Argument<string>("SUITE") { Description = "a suite file (configs/benchmark/*.yaml)" };
        var output = new Option<string>("--out") { Description = "the suite's folder: data, runs, leaderboard.md, leaderboard.csv and report.html", Required = true };
        var budget = new Option<double?>("--budget-minutes") { Description = "training minutes for the whole suite, shared evenly by its runs (replaces the entries' own minutes)" };
        var only = new Option<string[]>("--only") { Description = "run only these problems or entries (a problem, an entry, or problem/entry; repeatable or comma-separated); the leaderboard still shows every finished run" };
        var threads = CommonOptions.Threads();
        var jobs = new Option<int>("--jobs") { Description = "runs trained at the same time, each a process of its own (with --threads each): on a machine with cores to spare a suite finishes sooner; their step times then share the machine", DefaultValueFactory = _ => 1 };
        var command = new Command("benchmark",
            "Train every operator of a suite on the suite's problems (data made by our generators), roll out, score, and write one leaderboard; re-running continues where it stopped.")
        {
            suitePath, output, budget, only, threads, jobs,
        };
        command.SetAction((result, cancel) =>
        {
            if (result.GetValue(budget) is <= 0) throw new ArgumentException("--budget-minutes must be positive");
            if (result.GetValue(jobs) < 1) throw new ArgumentException($"--jobs must be at least 1, got {result.GetValue(jobs)}");
            var suite = BenchmarkSuite.Load(result.GetValue(suitePath)!);
            var names = (result.GetValue(only) ?? []).SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            var runner = new SuiteRunner(suite, Path.GetFullPath(result.GetValue(output)!), new SuiteOptions(result.GetValue(budget), names, result.GetValue(threads), result.GetValue(jobs)));
            using var listening = Interrupts.Listen(); // an interrupt reaches the running child, which checkpoints
            return Task.FromResult(runner.Execute(cancel));
        });
        return command;
    }
}
