using System.Globalization;
using System.Text.Json;

namespace GnnSim.Training;

/// <summary>One line of a run's training log: the mean loss over the log interval ending at <see cref="Step"/>.</summary>
public sealed record TrainingLogEntry(int Step, double Loss, double LearningRate, double StepsPerSecond, double ElapsedSeconds);

/// <summary>
/// A run's training log, written twice with one schema: metrics.csv (for spreadsheets and plots)
/// and metrics.jsonl (one JSON object a line, for scripts). The writer and the reader share the
/// columns below; a diverged run's NaN loss is written and read back as NaN.
/// </summary>
public static class TrainingLog
{
    public const string CsvFileName = "metrics.csv";
    public const string JsonLinesFileName = "metrics.jsonl";

    private static readonly string[] Columns = ["step", "loss", "learning_rate", "steps_per_second", "elapsed_seconds"];
    private static readonly string Header = string.Join(",", Columns);
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Appends one entry to both files (creating them, with the CSV header, if needed).</summary>
    public static void Append(string runDirectory, TrainingLogEntry entry)
    {
        var csv = Path.Combine(runDirectory, CsvFileName);
        if (!File.Exists(csv)) File.WriteAllText(csv, Header + "\n");
        File.AppendAllText(csv, string.Create(CultureInfo.InvariantCulture,
            $"{entry.Step},{entry.Loss:G9},{entry.LearningRate:G6},{entry.StepsPerSecond:F3},{entry.ElapsedSeconds:F2}\n"));
        var row = new Dictionary<string, object>
        {
            [Columns[0]] = entry.Step, [Columns[1]] = entry.Loss, [Columns[2]] = entry.LearningRate,
            [Columns[3]] = Math.Round(entry.StepsPerSecond, 3), [Columns[4]] = Math.Round(entry.ElapsedSeconds, 2),
        };
        File.AppendAllText(Path.Combine(runDirectory, JsonLinesFileName), JsonSerializer.Serialize(row, Json) + "\n");
    }

    /// <summary>Removes both files: a fresh run starts a fresh log.</summary>
    public static void Clear(string runDirectory)
    {
        File.Delete(Path.Combine(runDirectory, CsvFileName));
        File.Delete(Path.Combine(runDirectory, JsonLinesFileName));
    }

    /// <summary>A resumed run repeats the steps after its checkpoint: their old lines go from both files.</summary>
    public static void TrimAfter(string runDirectory, int lastStep)
    {
        var csv = Path.Combine(runDirectory, CsvFileName);
        if (File.Exists(csv))
        {
            var lines = File.ReadAllLines(csv);
            var kept = lines.Take(1).Concat(lines.Skip(1).Where(l => int.TryParse(l.Split(',')[0], CultureInfo.InvariantCulture, out var s) && s <= lastStep));
            File.WriteAllLines(csv, kept);
        }
        var jsonl = Path.Combine(runDirectory, JsonLinesFileName);
        if (File.Exists(jsonl))
        {
            var kept = File.ReadAllLines(jsonl).Where(l =>
            {
                try { return JsonDocument.Parse(l).RootElement.GetProperty(Columns[0]).GetInt32() <= lastStep; }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException) { return false; }
            });
            File.WriteAllLines(jsonl, kept);
        }
    }

    /// <summary>The entries of metrics.csv in order; an empty list when the run has not logged yet.</summary>
    public static List<TrainingLogEntry> Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, CsvFileName);
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return [];
        if (lines[0].Trim() != Header) throw new InvalidDataException($"{path}: the header is '{lines[0]}', expected '{Header}'");
        var entries = new List<TrainingLogEntry>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var cells = lines[i].Split(',');
            if (cells.Length != Columns.Length || !int.TryParse(cells[0], CultureInfo.InvariantCulture, out var step)
                || !cells.Skip(1).All(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                throw new InvalidDataException($"{path}: line {i + 1} '{lines[i]}' is not {Columns.Length} numbers ({Header})");
            double Number(int column) => double.Parse(cells[column], NumberStyles.Float, CultureInfo.InvariantCulture);
            entries.Add(new TrainingLogEntry(step, Number(1), Number(2), Number(3), Number(4)));
        }
        return entries;
    }
}
