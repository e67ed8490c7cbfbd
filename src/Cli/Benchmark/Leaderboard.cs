using System.Globalization;
using System.Text;
using GnnSim.Datasets;
using GnnSim.Training.Evaluation;
using GnnSim.Training.Objectives;
using GnnSim.Viz;
using GnnSim.Viz.Reports;

namespace GnnSim.Cli.Benchmark;

/// <summary>Which way a column is better, for its ranking; <see cref="Neither"/> columns (size, budget) are not ranked.</summary>
internal enum Better { Lower, Higher, Neither }

/// <summary>
/// A leaderboard column: a value of one run's score and its group of cases (null where it has none);
/// the persistence row passes no score, and only error columns answer it.
/// </summary>
internal sealed record LeaderboardColumn(string Header, string Key, Better Better, Func<RunScore?, ScoreGroup?, double?> Value, Func<double, string> Format);

/// <summary>One operator's row: the mean and the spread (sample standard deviation) over its seeds, per column.</summary>
internal sealed record LeaderboardRow(string Entry, string Model, IReadOnlyList<int> Seeds, double?[] Mean, double?[] Spread)
{
    /// <summary>The persistence baseline (the start frame held), scored on the same cases; it has errors only.</summary>
    public bool IsBaseline => Model == Leaderboard.PersistenceName;
}

/// <summary>One problem and split: its columns and its rows, best first by <see cref="PrimaryColumn"/>.</summary>
internal sealed record LeaderboardTable(string Problem, string Split, int Cases, IReadOnlyList<LeaderboardColumn> Columns, IReadOnlyList<LeaderboardRow> Rows, int PrimaryColumn)
{
    /// <summary>Whether the row's value in the column is the column's best (lowest or highest mean), for bold.</summary>
    public bool IsBest(int row, int column)
    {
        if (Columns[column].Better == Better.Neither || Rows[row].Mean[column] is not { } value) return false;
        var values = Rows.Select(r => r.Mean[column]).Where(v => v is not null && double.IsFinite(v.Value)).Select(v => v!.Value).ToList();
        return values.Count > 1 && value == (Columns[column].Better == Better.Lower ? values.Min() : values.Max());
    }
}

/// <summary>
/// The suite's scores as one leaderboard: per problem and split a table of every operator (the mean
/// over its seeds, and the spread), ranked per column with the best in bold, rows ordered by the
/// problem's headline error; written as leaderboard.md, leaderboard.csv and report.html.
/// </summary>
internal static class Leaderboard
{
    public const string MarkdownFileName = "leaderboard.md", CsvFileName = "leaderboard.csv", HtmlFileName = "report.html";
    public const string PersistenceName = "persistence";

    static string Scientific(double v) => v.ToString("0.00E+0", CultureInfo.InvariantCulture);
    static string Fixed1(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
    static string Fixed2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
    static string Fixed3(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
    static string Count(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
    static string Percent(double v) => v.ToString("P1", CultureInfo.InvariantCulture);

    // The errors over steps 1..h (h a standard horizon), or over the whole rollout (its last row).
    static HorizonErrors? At(IReadOnlyList<HorizonErrors>? rows, int? horizon) =>
        rows is null || rows.Count == 0 ? null : horizon is { } h ? rows.FirstOrDefault(r => r.Horizon == h) : rows[^1];

    static readonly LeaderboardColumn[] Cost =
    [
        new("parameters", "parameters", Better.Neither, (s, _) => s?.Parameters, Count),
        new("training min", "training_minutes", Better.Neither, (s, _) => s?.TrainingSeconds / 60, Fixed1),
        new("steps", "steps", Better.Neither, (s, _) => s?.Steps, Count),
        new("train step ms", "train_step_ms", Better.Lower, (s, _) => s?.TrainStepSeconds * 1000, Fixed1),
        new("rollout step ms", "rollout_step_ms", Better.Lower, (s, _) => s?.RolloutStepSeconds * 1000, Fixed2),
        new("peak MB", "peak_mb", Better.Lower, (s, _) => s?.PeakResidentBytes / 1e6, Count),
    ];

    // Field columns take the model's errors; the persistence row passes a null score and reads the group's persistence rows.
    static LeaderboardColumn Error(string header, string key, Func<HorizonErrors, double> pick, int? horizon) =>
        new(header, key, Better.Lower, (s, g) => At(s is null ? g?.Persistence : g?.Model, horizon) is { } e ? pick(e) : null, Scientific);

    static readonly LeaderboardColumn[] FieldColumns =
    [
        .. Cost,
        Error("RMSE 1 step", "rmse_1", e => e.Rmse, 1),
        Error("RMSE 1..10", "rmse_10", e => e.Rmse, 10),
        Error("RMSE 1..50", "rmse_50", e => e.Rmse, 50),
        Error("RMSE all", "rmse_all", e => e.Rmse, null),
        Error("NMSE all", "nmse_all", e => e.Nmse, null),
        new("NMSE / persistence", "nmse_vs_persistence", Better.Lower,
            (s, g) => At(g?.Model, null) is { } m && At(g?.Persistence, null) is { } p && p.Nmse > 0 ? (s is null ? 1 : m.Nmse / p.Nmse) : null, Fixed3),
    ];

    static readonly LeaderboardColumn[] ParticleColumns =
    [
        .. Cost,
        Error("position MSE 1 step", "position_mse_1", e => e.Mse, 1),
        Error("position MSE 1..10", "position_mse_10", e => e.Mse, 10),
        Error("position MSE all", "position_mse_all", e => e.Mse, null),
        new("Chamfer all", "chamfer_all", Better.Lower, (s, g) => s is null ? g?.ChamferPersistence : g?.Chamfer, Scientific),
        new("MSE / persistence", "mse_vs_persistence", Better.Lower,
            (s, g) => At(g?.Model, null) is { } m && At(g?.Persistence, null) is { } p && p.Mse > 0 ? (s is null ? 1 : m.Mse / p.Mse) : null, Fixed3),
    ];

    static readonly LeaderboardColumn[] MoverColumns =
    [
        .. Cost.Select(c => c.Key == "rollout_step_ms" ? c with { Header = "move ms" } : c),
        new("meshes tangled", "meshes_tangled", Better.Lower, (s, _) => s?.Mover?.MeshesTangled, Count),
        new("ER", "error_reduction", Better.Higher, (s, _) => s?.Mover?.ErrorReduction, Percent),
        new("ER Monge-Ampere", "monge_ampere_error_reduction", Better.Neither, (s, _) => s?.Mover?.MongeAmpereErrorReduction, Percent),
        new("speed ratio", "speed_ratio", Better.Higher, (s, _) => s?.Mover?.SpeedRatio, Fixed1),
    ];

    /// <summary>The tables of every problem of <paramref name="suite"/> that has scores, in the suite's order.</summary>
    public static List<LeaderboardTable> Build(BenchmarkSuite suite, IReadOnlyList<RunScore> scores)
    {
        var tables = new List<LeaderboardTable>();
        foreach (var problem in suite.Problems)
        {
            var mine = scores.Where(s => s.Problem == problem.Name).ToList();
            if (mine.Count == 0) continue;
            var entries = problem.Entries.Select(e => e.Name).Where(n => mine.Any(s => s.Entry == n)).ToList();
            var objective = mine[0].Objective;
            if (objective == MeshMovementObjective.ObjectiveName)
            {
                var rows = entries.Select(e => Aggregate(e, mine.Where(s => s.Entry == e).ToList(), MoverColumns, null)).ToList();
                tables.Add(Ordered(new LeaderboardTable(problem.Name, "test", mine.Max(s => s?.Mover?.Meshes ?? 0), MoverColumns, rows, Array.FindIndex(MoverColumns, c => c.Key == "error_reduction"))));
                continue;
            }
            var particles = objective == ParticleDynamicsObjective.ObjectiveName;
            var columns = particles ? ParticleColumns : FieldColumns;
            foreach (var split in mine.SelectMany(s => s.Groups.Select(g => g.Split)).Distinct())
            {
                var rows = entries.Select(e => Aggregate(e, mine.Where(s => s.Entry == e).ToList(), columns, split)).ToList();
                var reference = mine.SelectMany(s => s.Groups).First(g => g.Split == split);
                rows.Add(new LeaderboardRow(PersistenceName, PersistenceName, [], columns.Select(c => c.Value(null, reference)).ToArray(), new double?[columns.Length]));
                var primary = Array.FindIndex(columns, c => c.Key == (particles ? "position_mse_all" : "nmse_all"));
                tables.Add(Ordered(new LeaderboardTable(problem.Name, split, reference.Cases, columns, rows, primary)));
            }
        }
        return tables;
    }

    static LeaderboardRow Aggregate(string entry, List<RunScore> runs, LeaderboardColumn[] columns, string? split)
    {
        var mean = new double?[columns.Length];
        var spread = new double?[columns.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            var values = runs.Select(r => columns[c].Value(r, split is null ? null : r.Groups.FirstOrDefault(g => g.Split == split)))
                .Where(v => v is not null).Select(v => v!.Value).ToList();
            if (values.Count == 0) continue;
            mean[c] = values.Average();
            if (values.Count > 1) spread[c] = Math.Sqrt(values.Sum(v => (v - mean[c]!.Value) * (v - mean[c]!.Value)) / (values.Count - 1));
        }
        return new LeaderboardRow(entry, runs[0].Model, runs.Select(r => r.Seed).Order().ToList(), mean, spread);
    }

    // Best first by the primary column (lower errors first; higher error reduction first); rows without it last.
    static LeaderboardTable Ordered(LeaderboardTable table)
    {
        var column = table.Columns[table.PrimaryColumn];
        double Key(LeaderboardRow r) => r.Mean[table.PrimaryColumn] is { } v && !double.IsNaN(v) ? (column.Better == Better.Higher ? -v : v) : double.PositiveInfinity;
        return table with { Rows = table.Rows.OrderBy(Key).ToList() };
    }

    static string Cell(LeaderboardTable table, LeaderboardRow row, int column)
    {
        if (row.Mean[column] is not { } mean) return "-";
        var format = table.Columns[column].Format;
        // No spread shown where the seeds agree exactly (the parameter count, a fixed step budget).
        return row.Spread[column] is { } spread && spread > 0 ? $"{format(mean)} ± {format(spread)}" : format(mean);
    }

    static string Title(LeaderboardTable t) => $"{t.Problem}, {t.Split} ({t.Cases} {(t.Columns == MoverColumns ? "meshes" : "cases")})";

    static string Seeds(LeaderboardRow row) => row.IsBaseline ? "-" : string.Join(" ", row.Seeds);

    public static void Write(string directory, BenchmarkSuite suite, IReadOnlyList<RunScore> scores, IReadOnlyList<string> notes)
    {
        Directory.CreateDirectory(directory);
        var tables = Build(suite, scores);
        AtomicFile.WriteAllText(Path.Combine(directory, MarkdownFileName), Markdown(suite, tables, notes));
        AtomicFile.WriteAllText(Path.Combine(directory, CsvFileName), Csv(tables));
        AtomicFile.WriteAllText(Path.Combine(directory, HtmlFileName), Html(suite, tables, scores, notes));
    }

    const string Reading = "Each row is an operator trained once per seed on the problem's training cases and rolled out from the first frame of every test case; " +
        "values are means over its seeds (± the sample standard deviation where there are several). RMSE 1..h is over rollout steps 1 to h, all over the whole rollout; " +
        "NMSE is CFDBench's (MSE over the mean squared truth). Persistence holds the start frame: an operator must beat it. Step times are medians over the " +
        "training log's intervals and over every rollout step; peak MB is the training process's resident high-water mark. The best value of each ranked column is in bold.";

    public static string Markdown(BenchmarkSuite suite, IReadOnlyList<LeaderboardTable> tables, IReadOnlyList<string> notes)
    {
        var text = new StringBuilder($"# GnnSim leaderboard: suite {suite.Name}\n\n");
        if (suite.Description.Length > 0) text.Append(suite.Description.Trim()).Append("\n\n");
        text.Append(Reading).Append("\n\n");
        foreach (var note in notes) text.Append("- ").Append(note).Append('\n');
        if (notes.Count > 0) text.Append('\n');
        foreach (var table in tables)
        {
            text.Append($"## {Title(table)}\n\n");
            text.Append("| rank | operator | seeds | ").Append(string.Join(" | ", table.Columns.Select(c => c.Header))).Append(" |\n");
            text.Append("|---|---|---|").Append(string.Concat(table.Columns.Select(_ => "---:|"))).Append('\n');
            for (var r = 0; r < table.Rows.Count; r++)
            {
                var row = table.Rows[r];
                var cells = table.Columns.Select((_, c) => table.IsBest(r, c) ? $"**{Cell(table, row, c)}**" : Cell(table, row, c));
                text.Append($"| {r + 1} | {row.Entry} | {Seeds(row)} | ").Append(string.Join(" | ", cells)).Append(" |\n");
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    public static string Csv(IReadOnlyList<LeaderboardTable> tables)
    {
        var text = new StringBuilder();
        foreach (var group in tables.GroupBy(t => t.Columns))
        {
            // One header per kind of table (fields, particles, movers): their columns differ.
            text.Append("problem,split,cases,rank,operator,model,seeds,").Append(string.Join(",", group.Key.SelectMany(c => new[] { c.Key, c.Key + "_std" }))).Append('\n');
            foreach (var table in group)
                for (var r = 0; r < table.Rows.Count; r++)
                {
                    var row = table.Rows[r];
                    string N(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";
                    text.Append(CultureInfo.InvariantCulture, $"{table.Problem},{table.Split},{table.Cases},{r + 1},{row.Entry},{row.Model},{Seeds(row).Replace(' ', ';')},");
                    text.Append(string.Join(",", table.Columns.Select((_, c) => N(row.Mean[c]) + "," + N(row.Spread[c])))).Append('\n');
                }
        }
        return text.ToString();
    }

    static string Html(BenchmarkSuite suite, IReadOnlyList<LeaderboardTable> tables, IReadOnlyList<RunScore> scores, IReadOnlyList<string> notes)
    {
        var report = new HtmlReport($"GnnSim leaderboard: suite {suite.Name}");
        if (suite.Description.Length > 0) report.Paragraph(suite.Description.Trim());
        report.Paragraph(Reading);
        foreach (var note in notes) report.Paragraph(note);
        foreach (var problem in tables.GroupBy(t => t.Problem))
        {
            report.Heading(problem.Key);
            foreach (var table in problem)
            {
                report.Heading(Title(table), 3);
                var header = new List<string> { "rank", "operator", "seeds" };
                header.AddRange(table.Columns.Select(c => c.Header));
                var rows = table.Rows.Select((row, r) => (IReadOnlyList<string>)[(r + 1).ToString(CultureInfo.InvariantCulture), row.Entry, Seeds(row), .. table.Columns.Select((_, c) => Cell(table, row, c))]).ToList();
                report.Table(header, rows, Enumerable.Range(3, table.Columns.Count).ToHashSet(), (r, c) => c >= 3 && table.IsBest(r, c - 3));
            }
            if (ErrorCurves(problem.Key, scores) is { } chart)
                report.Svg(chart.ToSvg(800, 400), $"{problem.Key}: RMSE over rollout steps 1..h on the test split, against h (the mean over each operator's seeds; dashed: persistence).");
        }
        return report.ToHtml(string.Create(CultureInfo.InvariantCulture, $"written by gnnsim benchmark from {scores.Count} runs on {DateTime.Now:yyyy-MM-dd HH:mm}"));
    }

    // RMSE against horizon per operator on the whole test split (field and particle problems).
    static LineChart? ErrorCurves(string problem, IReadOnlyList<RunScore> scores)
    {
        var runs = scores.Where(s => s.Problem == problem && s.Groups.Count > 0).ToList();
        if (runs.Count == 0) return null;
        var chart = new LineChart { XLabel = "rollout steps h", YLabel = "RMSE over steps 1..h", LogY = true };
        var index = 0;
        foreach (var entry in runs.GroupBy(s => s.Entry))
        {
            var groups = entry.Select(s => s.Groups[0]).ToList();
            var horizons = groups.Select(g => g.Model.Select(h => h.Horizon)).Aggregate((a, b) => a.Intersect(b)).Order().ToList();
            chart.Series.Add(new Series(entry.Key, horizons.Select(h => (double)h).ToList(),
                horizons.Select(h => groups.Average(g => g.Model.First(e => e.Horizon == h).Rmse)).ToList(), ColorIndex: index++));
        }
        var persistence = runs[0].Groups[0].Persistence;
        chart.Series.Add(new Series(PersistenceName, persistence.Select(h => (double)h.Horizon).ToList(), persistence.Select(h => h.Rmse).ToList(), Dashed: true, ColorIndex: index));
        return chart;
    }
}
