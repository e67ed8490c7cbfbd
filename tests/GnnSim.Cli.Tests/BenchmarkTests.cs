using System.Globalization;
using GnnSim.Cli.Benchmark;
using GnnSim.Training.Evaluation;

namespace GnnSim.Cli.Tests;

public class BenchmarkTests
{
    private static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "GnnSim.sln"))) root = root.Parent;
        return root!.FullName;
    }

    /// <summary>The repository's tiny suite with its config paths made absolute, so it can live in a temporary folder (and be changed there).</summary>
    private static string TinySuite(string folder, string? replace = null, string? with = null)
    {
        var configs = Path.Combine(RepositoryRoot(), "configs");
        var text = File.ReadAllText(Path.Combine(configs, "benchmark", "tiny.yaml")).Replace("config: ../", $"config: {configs}/");
        if (replace is not null) text = text.Replace(replace, with);
        var path = Path.Combine(folder, $"suite-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => l.Split(',')).Select(cells => header.Zip(cells).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    [Fact]
    public void TinySuiteRunsEndToEndAndAResumedSuiteSkipsFinishedRuns()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"gnnsim-benchmark-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var suite = TinySuite(folder);
            var output = Path.Combine(folder, "out");

            // Half the suite first: one entry; the leaderboard already shows it and says what is missing.
            var (exit, text, error) = CliRunner.Run("benchmark", suite, "--out", output, "--only", "meshgraphnet", "--threads", "1");
            Assert.True(exit == 0, text + error);
            var finished = Path.Combine(output, "runs", "cavity", "meshgraphnet", "seed0", RunScore.FileName);
            Assert.True(File.Exists(finished), text);
            var writtenAt = File.GetLastWriteTimeUtc(finished);
            Assert.Contains("not finished: cavity/physgto seed 0", File.ReadAllText(Path.Combine(output, Leaderboard.MarkdownFileName)));

            // The whole suite: the finished run is skipped (its score untouched), the other trained, both on the leaderboard.
            (exit, text, error) = CliRunner.Run("benchmark", suite, "--out", output, "--threads", "1");
            Assert.True(exit == 0, text + error);
            Assert.Contains("cavity/meshgraphnet seed 0: finished before, skipped", text);
            Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(finished));
            var rows = ReadCsv(Path.Combine(output, Leaderboard.CsvFileName)).Where(r => r["split"] == "test").ToList();
            Assert.Equal(["meshgraphnet", "persistence", "physgto"], rows.Select(r => r["operator"]).Order());
            foreach (var row in rows.Where(r => r["operator"] != Leaderboard.PersistenceName))
            {
                foreach (var column in new[] { "parameters", "steps", "train_step_ms", "rollout_step_ms", "peak_mb", "rmse_1", "rmse_all", "nmse_all", "nmse_vs_persistence" })
                    Assert.True(double.TryParse(row[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value > 0,
                        $"{row["operator"]}.{column} = '{row[column]}'");
                Assert.Equal("30", row["steps"]);
            }
            // The ranks follow the headline error: lower NMSE over the whole rollout first.
            var ranked = rows.OrderBy(r => int.Parse(r["rank"], CultureInfo.InvariantCulture)).Select(r => double.Parse(r["nmse_all"], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(ranked.Order(), ranked);
            var html = File.ReadAllText(Path.Combine(output, Leaderboard.HtmlFileName));
            Assert.Contains("<strong>", html);
            Assert.Contains("<svg", html);

            // A changed suite neither skips nor resumes a run made with other settings: it names the folder and the file that differs.
            (exit, _, error) = CliRunner.Run("benchmark", TinySuite(folder, "steps: 30", "steps: 40"), "--out", output, "--threads", "1");
            Assert.Equal(2, exit);
            Assert.Contains(Path.Combine("meshgraphnet", "seed0"), error);
            Assert.Contains(SuiteRunner.PlanFileName, error);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ASuiteRunTwoAtATimeScoresWhatItScoresOneAtATime()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"gnnsim-benchmark-jobs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var suite = TinySuite(folder);
            var (serial, parallel) = (Path.Combine(folder, "serial"), Path.Combine(folder, "parallel"));
            var (exit, text, error) = CliRunner.Run("benchmark", suite, "--out", serial, "--threads", "1");
            Assert.True(exit == 0, text + error);
            (exit, text, error) = CliRunner.Run("benchmark", suite, "--out", parallel, "--threads", "1", "--jobs", "2");
            Assert.True(exit == 0, text + error);

            // Both runs started before either finished: they trained side by side.
            var lines = text.Split('\n');
            int Line(string start) => Array.FindIndex(lines, l => l.Contains(start, StringComparison.Ordinal));
            var firstFinished = Array.FindIndex(lines, l => l.Contains(" steps in ", StringComparison.Ordinal));
            Assert.True(firstFinished > 0, text);
            Assert.InRange(Line("cavity/meshgraphnet seed 0: training"), 0, firstFinished - 1);
            Assert.InRange(Line("cavity/physgto seed 0: training"), 0, firstFinished - 1);

            // Each run is its own seeded process: side by side it learns and scores exactly what it did alone.
            var columns = new[] { "operator", "split", "steps", "parameters", "rmse_1", "rmse_all", "nmse_all", "nmse_vs_persistence", "rank" };
            string Scores(string output) => string.Join("\n", ReadCsv(Path.Combine(output, Leaderboard.CsvFileName))
                .Select(r => string.Join(",", columns.Select(c => r[c]))).Order());
            Assert.Equal(Scores(serial), Scores(parallel));
            Assert.Contains("trained up to 2 at a time", File.ReadAllText(Path.Combine(parallel, Leaderboard.MarkdownFileName)));
            Assert.DoesNotContain("at a time", File.ReadAllText(Path.Combine(serial, Leaderboard.MarkdownFileName)));

            (exit, _, error) = CliRunner.Run("benchmark", suite, "--out", parallel, "--jobs", "0");
            Assert.Equal(2, exit);
            Assert.Contains("--jobs must be at least 1", error);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AProblemWithAHeldOutTestSetTrainsOnAllItsDataAndIsScoredOnTheTestSet()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"gnnsim-benchmark-test-set-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            // Three training trajectories would leave an 80/10/10 split no test trajectory at all; the held-out set has two, of another seed.
            var suite = Path.Combine(folder, "suite.yaml");
            File.WriteAllText(suite, $$"""
                name: held-out
                seeds: [0]
                problems:
                  - name: water
                    data:
                      generator: mpm
                      options: {material: water, trajectories: 3, particles: 120, frames: 12, seed: 1}
                      test: {trajectories: 2, seed: 7}
                    entries:
                      - name: giorom
                        config: {{Path.Combine(RepositoryRoot(), "configs", "giorom_water.yaml")}}
                        steps: 3
                        set: {model.latent: 16, model.grid_side: 4, model.grid_width: 8, model.kernel_hidden: 8, model.transformer_layers: 1, model.heads: 2,
                              training.log_every: 1, training.checkpoint_every: 3}
                """);
            var output = Path.Combine(folder, "out");
            var (exit, text, error) = CliRunner.Run("benchmark", suite, "--out", output, "--threads", "1");
            Assert.True(exit == 0, text + error);

            var data = Path.Combine(output, "data");
            var training = GnnSim.Datasets.Particles.ParticleTrajectoryFile.ReadAll(Path.Combine(data, "water.h5"));
            var test = GnnSim.Datasets.Particles.ParticleTrajectoryFile.ReadAll(Path.Combine(data, "water-test.h5"));
            Assert.Equal(3, training.Count);
            Assert.Equal(2, test.Count);
            // Another seed: other blocks, so other trajectories than the training ones.
            static IEnumerable<float> Start(GnnSim.Datasets.Particles.ParticleTrajectory t) => t.Positions.Take(t.Dimension * t.ParticleCount);
            Assert.DoesNotContain(test, t => training.Any(u => Start(u).SequenceEqual(Start(t))));

            var run = Path.Combine(output, "runs", "water", "giorom", "seed0");
            var config = Training.Experiments.ExperimentConfig.Load(Path.Combine(run, "config.yaml"), []);
            Assert.Equal(Path.Combine(data, "water-test.h5"), config.Data.EvalPath);
            Assert.Equal(2, RunScore.Read(run)!.Groups[0].Cases);
            Assert.Contains("test: material=water trajectories=2 particles=120 frames=12 seed=7", File.ReadAllText(Path.Combine(run, SuiteRunner.PlanFileName)));

            // eval --held-out scores every trajectory of the file it names (--data would score a tenth of it).
            var scores = Path.Combine(folder, "scores");
            (exit, text, error) = CliRunner.Run("eval", run, "--held-out", Path.Combine(data, "water.h5"), "--out", scores, "--steps", "2", "--threads", "1");
            Assert.True(exit == 0, text + error);
            using (var evaluation = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(scores, "eval.json"))))
                Assert.Equal(3, evaluation.RootElement.GetProperty("cases").GetInt32());
            (exit, _, error) = CliRunner.Run("eval", run, "--held-out", Path.Combine(data, "water.h5"), "--split", "train");
            Assert.Equal(2, exit);
            Assert.Contains("without --data and --split", error);
            (exit, _, error) = CliRunner.Run("rollout", run, "--held-out", Path.Combine(data, "nothing.h5"), "--out", Path.Combine(folder, "r.h5"));
            Assert.Equal(2, exit);
            Assert.Contains("nothing.h5: no such file", error);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ASuiteKilledMidTrainingResumesTheRunFromItsCheckpoint()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"gnnsim-benchmark-kill-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            // Long enough (300 steps, a checkpoint every 10) to be killed between its first checkpoint and its end.
            var suite = TinySuite(folder, "steps: 30", "steps: 300");
            var output = Path.Combine(folder, "out");
            var run = Path.Combine(output, "runs", "cavity", "meshgraphnet", "seed0");
            KillSuiteAtFirstCheckpoint(suite, output, run, withChildren: true);
            var killedAt = GnnSim.Training.Checkpoint.ReadSummary(run)!.Value.Step;
            Assert.InRange(killedAt, 10, 299);
            Assert.False(File.Exists(Path.Combine(run, RunScore.FileName)));

            ResumeSuite(suite, output, run);
            Assert.Contains($"$ gnnsim train", File.ReadAllText(Path.Combine(run, "train.log")));
            Assert.Contains("--resume", File.ReadAllText(Path.Combine(run, "train.log")));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ASuiteKilledAloneTakesItsTrainingWithItAndTheRerunResumes()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"gnnsim-benchmark-orphan-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var suite = TinySuite(folder, "steps: 30", "steps: 300");
            var output = Path.Combine(folder, "out");
            var run = Path.Combine(output, "runs", "cavity", "meshgraphnet", "seed0");
            // kill -9 of the suite alone, as a user's kill or the OOM killer would.
            var children = KillSuiteAtFirstCheckpoint(suite, output, run, withChildren: false);
            Assert.NotEmpty(children);
            // The orphaned training notices, checkpoints and stops, rather than training on into the folder the rerun resumes.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (children.Any(Alive) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(100);
            Assert.False(children.Any(Alive), $"pids {string.Join(", ", children.Where(Alive))} still run a minute after their suite was killed");
            var stoppedAt = GnnSim.Training.Checkpoint.ReadSummary(run)!.Value.Step;
            Assert.InRange(stoppedAt, 10, 299);

            ResumeSuite(suite, output, run);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Starts the suite's cavity/meshgraphnet run, waits for its first checkpoint and kills the suite, with its children or alone; returns the suite's children as they were.</summary>
    private static List<int> KillSuiteAtFirstCheckpoint(string suite, string output, string run, bool withChildren)
    {
        var (stdout, stderr) = (new System.Text.StringBuilder(), new System.Text.StringBuilder());
        using var process = CliProcess.Start(["benchmark", suite, "--out", output, "--only", "cavity/meshgraphnet", "--threads", "1"], null, stdout, stderr);
        Assert.True(CliProcess.WaitUntil(process, () => File.Exists(Path.Combine(run, GnnSim.Training.Checkpoint.FileName))), $"no checkpoint: {stdout}{stderr}");
        var children = ChildrenOf(process.Id);
        process.Kill(entireProcessTree: withChildren);
        process.WaitForExit();
        return children;
    }

    /// <summary>Reruns the suite: the killed run resumes from its checkpoint and finishes its 300 steps.</summary>
    private static void ResumeSuite(string suite, string output, string run)
    {
        var (exit, text, error) = CliRunner.Run("benchmark", suite, "--out", output, "--only", "cavity/meshgraphnet", "--threads", "1");
        Assert.True(exit == 0, text + error);
        Assert.Contains("cavity/meshgraphnet seed 0: resuming", text);
        Assert.Equal(300, RunScore.Read(run)!.Steps);
    }

    // The pids whose parent is `parent`, from /proc/PID/stat ("pid (comm) state ppid ...").
    private static List<int> ChildrenOf(int parent) =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit)).Select(name =>
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{name}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (Pid: int.Parse(name!, CultureInfo.InvariantCulture), Parent: int.Parse(fields[1], CultureInfo.InvariantCulture));
            }
            catch (IOException) { return (Pid: 0, Parent: 0); } // ended while we looked
        }).Where(p => p.Parent == parent).Select(p => p.Pid).ToList();

    private static bool Alive(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat") is var stat && stat[(stat.LastIndexOf(')') + 2)] != 'Z'; }
        catch (IOException) { return false; }
    }

    private static BenchmarkSuite SuiteOf(string folder, string text)
    {
        var path = Path.Combine(folder, "suite.yaml");
        File.WriteAllText(path, text.Replace("CONFIG", Path.Combine(RepositoryRoot(), "configs", "cavity.yaml")));
        return BenchmarkSuite.Load(path);
    }

    private const string TwoEntries = """
        name: ranking
        seeds: [0, 1]
        problems:
          - name: cavity
            data: {generator: cfdbench, subsets: [bc], options: {problem: cavity}}
            entries:
              - {name: first, config: CONFIG, steps: 10}
              - {name: second, config: CONFIG, steps: 10}
        """;

    // A field score whose whole-rollout NMSE is nmse (MSE = NMSE, truth of mean square 1), persistence's 0.5.
    private static RunScore Field(string entry, int seed, double nmse, double stepSeconds) => new("cavity", entry, seed, "meshgraphnet", "next_state", 1000, 10, 60,
        stepSeconds, 0.001, 100_000_000, [new ScoreGroup("test", 2, [new HorizonErrors(1, nmse / 4, Math.Sqrt(nmse / 4), 0, nmse / 4), new HorizonErrors(5, nmse, Math.Sqrt(nmse), 0, nmse)],
            [new HorizonErrors(1, 0.1, Math.Sqrt(0.1), 0, 0.1), new HorizonErrors(5, 0.5, Math.Sqrt(0.5), 0, 0.5)])], null);

    [Fact]
    public void TheLeaderboardRanksTheLowerErrorFirstAndAveragesTheSeeds()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"gnnsim-leaderboard-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var suite = SuiteOf(folder, TwoEntries);
            // "second" is better (NMSE 0.2 and 0.4 against 0.6 and 1.0) but slower to train.
            var scores = new[] { Field("first", 0, 0.6, 0.01), Field("first", 1, 1.0, 0.03), Field("second", 0, 0.2, 0.05), Field("second", 1, 0.4, 0.07) };
            var table = Assert.Single(Leaderboard.Build(suite, scores));
            Assert.Equal(["second", "persistence", "first"], table.Rows.Select(r => r.Entry));
            var nmse = table.Columns.ToList().FindIndex(c => c.Key == "nmse_all");
            var ratio = table.Columns.ToList().FindIndex(c => c.Key == "nmse_vs_persistence");
            var step = table.Columns.ToList().FindIndex(c => c.Key == "train_step_ms");
            Assert.Equal(0.3, table.Rows[0].Mean[nmse]!.Value, 12);
            Assert.Equal(Math.Sqrt(0.02), table.Rows[0].Spread[nmse]!.Value, 12); // the sample standard deviation of 0.2 and 0.4
            Assert.Equal(0.6, table.Rows[0].Mean[ratio]!.Value, 12);
            Assert.Equal(1.0, table.Rows[1].Mean[ratio]!.Value, 12);
            Assert.Equal([0, 1], table.Rows[0].Seeds);
            // Best in bold, per column: the error column's best is "second", the step time's is "first"; persistence has no step time.
            Assert.True(table.IsBest(0, nmse));
            Assert.False(table.IsBest(2, nmse));
            Assert.True(table.IsBest(2, step));
            Assert.Null(table.Rows[1].Mean[step]);
            var markdown = Leaderboard.Markdown(suite, [table], []);
            Assert.Contains("| 1 | second | 0 1 |", markdown);
            Assert.Contains("**3.00E-1 ± 1.41E-1**", markdown);
            Assert.Contains("| 3 | first | 0 1 |", markdown);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ASuiteFileWithAMistakeIsRefusedWithTheFileAndTheKey()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"gnnsim-suite-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string Refusal(string text) => Assert.Throws<InvalidDataException>(() => SuiteOf(folder, text)).Message;
            Assert.Contains("suite.yaml", Refusal(TwoEntries.Replace("steps: 10}", "steps: 10, stpes: 3}")));
            Assert.Contains("stpes", Refusal(TwoEntries.Replace("steps: 10}", "steps: 10, stpes: 3}")));
            Assert.Contains("data.generator = 'cfd'", Refusal(TwoEntries.Replace("generator: cfdbench", "generator: cfd")));
            Assert.Contains("no such file", Refusal(TwoEntries.Replace("config: CONFIG", "config: missing.yaml")));
            Assert.Contains("steps = 0", Refusal(TwoEntries.Replace("steps: 10}", "steps: 0}")));
            Assert.Contains("set.training.seed", Refusal(TwoEntries.Replace("steps: 10}", "steps: 10, set: {training.seed: 3}}")));
            Assert.Contains("same name", Refusal(TwoEntries.Replace("name: second", "name: first")));
            Assert.Contains("subsets", Refusal(TwoEntries.Replace("subsets: [bc]", "subsets: [bc, walls]")));
            Assert.Contains("data.test: cfdbench", Refusal(TwoEntries.Replace("options: {problem: cavity}}", "options: {problem: cavity}, test: {seed: 2}}")));
            Assert.Contains("set.data.eval_path", Refusal(TwoEntries.Replace("steps: 10}", "steps: 10, set: {data.eval_path: x.h5}}")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void EverySuiteInTheRepositoryLoadsAndEachEntrysConfigTakesItsOverrides()
    {
        var suites = Directory.GetFiles(Path.Combine(RepositoryRoot(), "configs", "benchmark"), "*.yaml");
        Assert.Contains(suites, s => s.EndsWith("cpu.yaml", StringComparison.Ordinal));
        Assert.Contains(suites, s => s.EndsWith("gpu.yaml", StringComparison.Ordinal));
        foreach (var path in suites)
        {
            var suite = BenchmarkSuite.Load(path);
            foreach (var entry in suite.Problems.SelectMany(p => p.Entries))
            {
                // What the suite runner adds besides the data path: the entry's overrides, the steps.
                var overrides = entry.Set.Select(s => $"{s.Key}={BenchmarkSuite.SetValue(s.Value)}").Append($"training.steps={entry.Steps}").ToList();
                var config = Training.Experiments.ExperimentConfig.Load(suite.ConfigPath(entry), overrides);
                Assert.Equal(entry.Steps, config.Training.Steps);
            }
        }
    }
}
