using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GnnSim.Cli.Commands;
using GnnSim.Datasets;

namespace GnnSim.Cli.Benchmark;

/// <summary>What <c>gnnsim benchmark</c> was asked: a training budget for the whole suite, a selection, threads per run, runs at a time.</summary>
internal sealed record SuiteOptions(double? BudgetMinutes, IReadOnlyList<string> Only, int? Threads, int Jobs = 1);

/// <summary>
/// Runs a suite into one folder: DIR/data (each problem's data, made by gnnsim generate, which
/// skips what is already there), DIR/runs/PROBLEM/ENTRY/seedK (each run trained by gnnsim train
/// and scored by gnnsim eval, as child processes, so each run's peak memory is its own and a
/// failing run does not take the suite down; their output goes to train.log and eval.log beside
/// it), then the leaderboard. A run is finished once it has its score.json; running the suite again
/// skips finished runs and resumes a run from its checkpoint, so a killed suite continues where it stopped.
/// </summary>
internal sealed class SuiteRunner(BenchmarkSuite suite, string outDirectory, SuiteOptions options)
{
    public const string PlanFileName = "plan.json";

    private sealed record Run(BenchmarkSuite.Problem Problem, BenchmarkSuite.Entry Entry, int Seed)
    {
        public string Label => $"{Problem.Name}/{Entry.Name} seed {Seed}";
    }

    /// <summary>A run not finished yet, with its folder and the overrides its plan was checked with.</summary>
    private sealed record PendingRun(Run Run, string Directory, List<string> Overrides);

    public string RunDirectory(string problem, string entry, int seed) =>
        Path.Combine(outDirectory, "runs", problem, entry, $"seed{seed.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Runs what is not finished, writes the leaderboard, and returns the exit code (0; 1 when a run failed; 130 when interrupted).</summary>
    public int Execute(CancellationToken cancel)
    {
        var runs = Selected().SelectMany(p => p.Entries.SelectMany(e => suite.Seeds.Select(s => new Run(p.Problem, e, s)))).ToList();
        // The budget is shared evenly by all the suite's runs, selected or not, finished or not: each run gets the same however the suite is split up or resumed.
        double? minutesEach = options.BudgetMinutes / (suite.Problems.Sum(p => p.Entries.Count) * suite.Seeds.Count);
        var failures = new List<string>();
        Directory.CreateDirectory(outDirectory);
        Console.WriteLine($"benchmark {suite.Name}: {runs.Count} runs ({runs.Select(r => r.Problem.Name).Distinct().Count()} problems, seeds {string.Join(" ", suite.Seeds)})" +
            (minutesEach is { } m ? string.Create(CultureInfo.InvariantCulture, $", {m:F1} training minutes each") : "") +
            (options.Jobs > 1 ? $", {options.Jobs} at a time" : "") + $", in {outDirectory}");
        // Every run's plan is checked before anything trains, so a changed suite is refused before it costs time.
        var pending = new List<PendingRun>();
        foreach (var run in runs)
        {
            var directory = RunDirectory(run.Problem.Name, run.Entry.Name, run.Seed);
            var overrides = Overrides(run, minutesEach);
            CheckPlan(directory, suite.ConfigPath(run.Entry), Recipe(run.Problem), overrides);
            if (RunScore.Read(directory) is not null) Console.WriteLine($"  {run.Label}: finished before, skipped");
            else pending.Add(new PendingRun(run, directory, overrides));
        }
        // The data first, one problem after another (a generator uses the machine itself); a problem whose data failed leaves its runs out.
        var ready = new HashSet<string>();
        foreach (var problem in pending.Select(p => p.Run.Problem).DistinctBy(p => p.Name))
        {
            if (cancel.IsCancellationRequested) break;
            if (MakeData(problem, cancel)) ready.Add(problem.Name);
            else if (!cancel.IsCancellationRequested) failures.Add($"{problem.Name}: its data could not be made (see {DataLog(problem)})");
        }
        // Then the runs, in suite order, at most --jobs at a time: each worker takes the next run not yet started.
        var queue = new System.Collections.Concurrent.ConcurrentQueue<PendingRun>(pending.Where(p => ready.Contains(p.Run.Problem.Name)));
        var concurrent = Math.Min(options.Jobs, Math.Max(queue.Count, 1));
        var workers = Enumerable.Range(0, concurrent).Select(_ => Task.Run(() =>
        {
            while (!cancel.IsCancellationRequested && queue.TryDequeue(out var next))
            {
                string? failure;
                // A run that cannot be scored is named on the leaderboard like one whose child failed; the other workers go on.
                try { failure = TrainAndScore(next.Run, next.Directory, next.Overrides, concurrent, cancel); }
                catch (Exception e) when (e is IOException or InvalidDataException or System.ComponentModel.Win32Exception) { failure = $"{next.Run.Label}: {e.Message}"; }
                if (failure is not null) lock (failures) failures.Add(failure);
            }
        })).ToArray();
        Task.WaitAll(workers);
        var scores = AllScores();
        var notes = new List<string>();
        notes.AddRange(failures.Select(f => $"failed: {f}"));
        var unfinished = suite.Problems.SelectMany(p => p.Entries.SelectMany(e => suite.Seeds.Where(s => !scores.Any(x => x.Problem == p.Name && x.Entry == e.Name && x.Seed == s))
            .Select(s => $"{p.Name}/{e.Name} seed {s}"))).ToList();
        if (unfinished.Count > 0) notes.Add($"not finished: {string.Join(", ", unfinished)}");
        if (scores.Where(s => s.ConcurrentRuns > 1).ToList() is { Count: > 0 } shared)
            notes.Add($"{shared.Count} of the {scores.Count} runs were trained up to {shared.Max(s => s.ConcurrentRuns)} at a time (--jobs): their step times and memory were measured beside each other's");
        Leaderboard.Write(outDirectory, suite, scores, notes);
        Console.WriteLine($"leaderboard of {scores.Count} runs: {Path.Combine(outDirectory, Leaderboard.MarkdownFileName)}, {Leaderboard.CsvFileName} and {Leaderboard.HtmlFileName}");
        if (cancel.IsCancellationRequested)
        {
            Console.WriteLine("interrupted: run the same command again to continue (finished runs are kept, the current one resumes from its checkpoint)");
            return 130;
        }
        foreach (var failure in failures) Console.Error.WriteLine($"gnnsim benchmark: {failure}");
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>The problems and entries --only names (a problem, an entry, or problem/entry); all of them without it.</summary>
    private List<(BenchmarkSuite.Problem Problem, List<BenchmarkSuite.Entry> Entries)> Selected()
    {
        var only = options.Only;
        foreach (var name in only)
        {
            var known = suite.Problems.Any(p => p.Name == name || p.Entries.Any(e => e.Name == name || $"{p.Name}/{e.Name}" == name));
            if (!known)
                throw new ArgumentException($"--only {name}: the suite {suite.Name} has no such problem or entry (problems: {string.Join(", ", suite.Problems.Select(p => p.Name))}; " +
                    $"entries: {string.Join(", ", suite.Problems.SelectMany(p => p.Entries.Select(e => $"{p.Name}/{e.Name}")))})");
        }
        return suite.Problems.Select(p => (p, p.Entries.Where(e => only.Count == 0 || only.Contains(p.Name) || only.Contains(e.Name) || only.Contains($"{p.Name}/{e.Name}")).ToList()))
            .Where(x => x.Item2.Count > 0).ToList();
    }

    private string DataLog(BenchmarkSuite.Problem problem) => Path.Combine(outDirectory, "data", $"{problem.Name}.log");

    /// <summary>
    /// The config overrides that point a run at its problem's data: the file or folder the suite
    /// makes (and for CFDBench the problem and subsets), and the held-out test file where the problem has one.
    /// </summary>
    private List<string> DataSettings(BenchmarkSuite.Problem problem)
    {
        var recipe = problem.Data;
        var settings = new List<string> { $"data.path={DataPath(problem)}" };
        if (recipe.Generator == "cfdbench")
            settings.AddRange([$"data.problem={BenchmarkSuite.SetValue(recipe.Options["problem"])}", $"data.subsets=[{string.Join(", ", recipe.Subsets)}]"]);
        if (recipe.Test is not null) settings.Add($"data.eval_path={DataPath(problem, test: true)}");
        return settings;
    }

    /// <summary>Where the problem's data goes: a folder of cases for CFDBench, else one HDF5 file (and one for its held-out test set).</summary>
    private string DataPath(BenchmarkSuite.Problem problem, bool test = false) =>
        Path.Combine(outDirectory, "data", problem.Data.Generator == "cfdbench" ? problem.Name : test ? $"{problem.Name}-test.h5" : $"{problem.Name}.h5");

    /// <summary>Makes the problem's data where DataSettings points (the generators skip what exists); false when a generator failed or was interrupted.</summary>
    private bool MakeData(BenchmarkSuite.Problem problem, CancellationToken cancel)
    {
        var recipe = problem.Data;
        Directory.CreateDirectory(Path.Combine(outDirectory, "data"));
        static List<string> CommandLine(IEnumerable<KeyValuePair<string, object?>> options) =>
            options.SelectMany(o => new[] { "--" + o.Key.Replace('_', '-'), BenchmarkSuite.SetValue(o.Value) }).ToList();
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"  {problem.Name}: making the data ({recipe.Generator}{(recipe.Subsets.Count > 0 ? " " + string.Join(", ", recipe.Subsets) : "")}{(recipe.Test is null ? "" : ", and its test set")})");
        if (recipe.Generator == "cfdbench")
        {
            var cfdProblem = BenchmarkSuite.SetValue(recipe.Options["problem"]);
            var options = CommandLine(recipe.Options.Where(o => o.Key != "problem"));
            foreach (var subset in recipe.Subsets)
                if (RunChild(["generate", "cfdbench", "--problem", cfdProblem, "--subset", subset, .. options, "--out", DataPath(problem)], DataLog(problem), cancel) != 0) return false;
        }
        else
        {
            if (RunChild(["generate", recipe.Generator, .. CommandLine(recipe.Options), "--out", DataPath(problem)], DataLog(problem), cancel) != 0) return false;
            if (recipe.TestOptions() is { } test &&
                RunChild(["generate", recipe.Generator, .. CommandLine(test), "--out", DataPath(problem, test: true)], DataLog(problem), cancel) != 0) return false;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {problem.Name}: data ready ({clock.Elapsed.TotalSeconds:F0} s)"));
        return true;
    }

    /// <summary>Everything a run's training is told besides its config: the data, the entry's overrides, the seed and the budget.</summary>
    private List<string> Overrides(Run run, double? minutesEach)
    {
        var overrides = DataSettings(run.Problem);
        overrides.AddRange(run.Entry.Set.Select(s => $"{s.Key}={BenchmarkSuite.SetValue(s.Value)}"));
        overrides.Add($"training.seed={run.Seed.ToString(CultureInfo.InvariantCulture)}");
        overrides.Add($"training.steps={run.Entry.Steps.ToString(CultureInfo.InvariantCulture)}");
        if ((minutesEach ?? run.Entry.Minutes) is { } minutes) overrides.Add(string.Create(CultureInfo.InvariantCulture, $"training.max_minutes={minutes:R}"));
        return overrides;
    }

    /// <summary>Trains (or resumes), evaluates and scores one run, beside up to <paramref name="concurrentRuns"/> - 1 others; returns what failed, or null.</summary>
    private string? TrainAndScore(Run run, string directory, List<string> overrides, int concurrentRuns, CancellationToken cancel)
    {
        var config = suite.ConfigPath(run.Entry);

        var threads = options.Threads is { } t ? new[] { "--threads", t.ToString(CultureInfo.InvariantCulture) } : [];
        var resume = File.Exists(Path.Combine(directory, GnnSim.Training.Checkpoint.FileName));
        Console.WriteLine($"  {run.Label}: {(resume ? "resuming" : "training")} ({run.Entry.Steps} steps{(overrides.Any(o => o.StartsWith("training.max_minutes=", StringComparison.Ordinal)) ? " at most, or the minutes budget" : "")})");
        var clock = Stopwatch.StartNew();
        var train = RunChild(["train", config, "--out", directory, .. overrides.SelectMany(o => new[] { "--set", o }), .. resume ? new[] { "--resume" } : [], .. threads],
            Path.Combine(directory, "train.log"), cancel);
        if (cancel.IsCancellationRequested) return null;
        if (train != 0) return $"{run.Label}: training exited with code {train} (see {Path.Combine(directory, "train.log")})";
        var evaluation = RunChild(["eval", directory, .. threads], Path.Combine(directory, "eval.log"), cancel);
        if (cancel.IsCancellationRequested) return null;
        if (evaluation != 0) return $"{run.Label}: evaluation exited with code {evaluation} (see {Path.Combine(directory, "eval.log")})";
        var score = RunScore.FromRun(directory, run.Problem.Name, run.Entry.Name, run.Seed) with { ConcurrentRuns = concurrentRuns };
        score.Write(directory);
        var headline = score.Mover is { } mover ? $"ER {mover.ErrorReduction?.ToString("P1", CultureInfo.InvariantCulture) ?? "-"}, {mover.MeshesTangled} of {mover.Meshes} meshes tangled"
            : string.Create(CultureInfo.InvariantCulture, $"RMSE all {score.Groups[0].Model[^1].Rmse:0.00E+0}, NMSE {score.Groups[0].Model[^1].Nmse:0.00E+0}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {run.Label}: {score.Steps} steps in {score.TrainingSeconds / 60:F1} min; {headline} ({clock.Elapsed.TotalSeconds:F0} s)"));
        return null;
    }

    /// <summary>The problem's data recipe in one line (generator, subsets, options), for the plan.</summary>
    private static string Recipe(BenchmarkSuite.Problem problem) =>
        $"{problem.Data.Generator} [{string.Join(", ", problem.Data.Subsets)}] " + string.Join(" ", problem.Data.Options.Select(o => $"{o.Key}={BenchmarkSuite.SetValue(o.Value)}")) +
        (problem.Data.TestOptions() is { } test ? "; test: " + string.Join(" ", test.Select(o => $"{o.Key}={BenchmarkSuite.SetValue(o.Value)}")) : "");

    // A run folder belongs to one config, one data recipe and one set of overrides: a changed suite must not resume or skip someone else's run.
    private static void CheckPlan(string directory, string config, string data, List<string> overrides)
    {
        var plan = JsonSerializer.Serialize(new { config, data, overrides }, new JsonSerializerOptions { WriteIndented = true });
        var path = Path.Combine(directory, PlanFileName);
        if (File.Exists(path))
        {
            if (File.ReadAllText(path) != plan)
                throw new IOException($"{directory} was trained with other settings than the suite now gives ({path} differs: a changed config, steps, budget or data recipe): " +
                    "delete that run folder to train it again, or give --out a new folder");
            return;
        }
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(path, plan);
    }

    /// <summary>Every finished run of this suite under DIR/runs.</summary>
    public List<RunScore> AllScores() => suite.Problems
        .SelectMany(p => p.Entries.SelectMany(e => suite.Seeds.Select(s => RunScore.Read(RunDirectory(p.Name, e.Name, s)))))
        .Where(s => s is not null).Select(s => s!).ToList();

    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(30);

    /// <summary>Runs gnnsim with <paramref name="arguments"/>, its output appended to <paramref name="log"/>; an interrupt is passed on as SIGINT (a training checkpoints and stops).</summary>
    private static int RunChild(IReadOnlyList<string> arguments, string log, CancellationToken cancel)
    {
        var start = ThisProgram.ChildStart(arguments);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(log))!);
        using var writer = new StreamWriter(log, append: true) { AutoFlush = true };
        var gate = new object();
        writer.WriteLine($"$ gnnsim {string.Join(' ', arguments)}");
        using var process = Process.Start(start) ?? throw new IOException($"could not start {start.FileName}");
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) lock (gate) writer.WriteLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) lock (gate) writer.WriteLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Stopwatch? interrupted = null;
        while (!process.WaitForExit(100))
        {
            if (cancel.IsCancellationRequested && interrupted is null)
            {
                interrupted = Stopwatch.StartNew();
                ThisProgram.Interrupt(process.Id);
            }
            // A training stops at the end of its step and checkpoints (other commands end at the signal);
            // one that has not stopped past this grace is killed (checkpoints are atomic, generators resume
            // without half-written cases).
            if (interrupted?.Elapsed > InterruptGrace) process.Kill(entireProcessTree: true);
        }
        process.WaitForExit(); // drains the output
        return process.ExitCode;
    }
}
