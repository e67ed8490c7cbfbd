using System.Globalization;
using System.Text;
using System.Text.Json;
using GnnSim.Datasets;

namespace GnnSim.Training.Evaluation;

/// <summary>
/// What eval.json holds: the split, how many cases, the mean over cases (model beside persistence),
/// every case's own rows, and the median wall time of a rollout step (null in files written before it was recorded).
/// </summary>
public sealed record StoredEvaluation(string Split, int Cases, IReadOnlyList<HorizonErrors> Model, IReadOnlyList<HorizonErrors> Persistence,
    IReadOnlyList<CaseMetrics> PerCase, double? RolloutStepSeconds);

/// <summary>Rollout metrics written as JSON (every case, every horizon, model and persistence) and as a flat CSV.</summary>
public static class EvaluationReport
{
    public const string JsonFileName = "eval.json";
    public const string CsvFileName = "eval.csv";

    /// <param name="rolloutStepSeconds">the median wall time of one rollout step over every step of every case, when timed</param>
    public static void Write(string directory, IReadOnlyList<CaseMetrics> cases, string split, double? rolloutStepSeconds = null)
    {
        Directory.CreateDirectory(directory);
        var (model, persistence) = RolloutMetrics.Mean(cases);
        object Rows(IEnumerable<HorizonErrors> rows) => rows.Select(r => new { horizon = r.Horizon, mse = r.Mse, rmse = r.Rmse, mae = r.Mae, nmse = r.Nmse }).ToList();
        var document = new
        {
            split,
            cases = cases.Count,
            rollout_step_seconds = rolloutStepSeconds,
            mean = new { model = Rows(model), persistence = Rows(persistence) },
            per_case = cases.Select(c => new { @case = c.Case, model = Rows(c.Model), persistence = Rows(c.Persistence) }).ToList(),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, JsonFileName), JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));

        var csv = new StringBuilder("case,predictor,horizon,mse,rmse,mae,nmse\n");
        void Add(string name, string predictor, IEnumerable<HorizonErrors> rows)
        {
            foreach (var r in rows)
                csv.Append(CultureInfo.InvariantCulture, $"{name},{predictor},{r.Horizon},{r.Mse:G8},{r.Rmse:G8},{r.Mae:G8},{r.Nmse:G8}\n");
        }
        Add("mean", "model", model);
        Add("mean", "persistence", persistence);
        foreach (var c in cases)
        {
            Add(c.Case, "model", c.Model);
            Add(c.Case, "persistence", c.Persistence);
        }
        AtomicFile.WriteAllText(Path.Combine(directory, CsvFileName), csv.ToString());
    }

    /// <summary>Reads the mean rows of <paramref name="directory"/>'s eval.json; null when there is none.</summary>
    public static StoredEvaluation? Read(string directory)
    {
        var path = Path.Combine(directory, JsonFileName);
        if (!File.Exists(path)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            var mean = root.GetProperty("mean");
            static List<HorizonErrors> Rows(JsonElement rows) => rows.EnumerateArray().Select(r => new HorizonErrors(
                r.GetProperty("horizon").GetInt32(), Number(r, "mse"), Number(r, "rmse"), Number(r, "mae"), Number(r, "nmse"))).ToList();
            var perCase = root.GetProperty("per_case").EnumerateArray()
                .Select(c => new CaseMetrics(c.GetProperty("case").GetString() ?? "", Rows(c.GetProperty("model")), Rows(c.GetProperty("persistence")))).ToList();
            double? stepSeconds = root.TryGetProperty("rollout_step_seconds", out var seconds) && seconds.ValueKind == JsonValueKind.Number ? seconds.GetDouble() : null;
            return new StoredEvaluation(root.GetProperty("split").GetString() ?? "", root.GetProperty("cases").GetInt32(),
                Rows(mean.GetProperty("model")), Rows(mean.GetProperty("persistence")), perCase, stepSeconds);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not an evaluation written by gnnsim eval ({e.Message})");
        }
    }

    /// <summary>The median of every step's time over the rollouts that were timed; null when none was.</summary>
    public static double? MedianStepSeconds(IEnumerable<RolloutResult> rollouts)
    {
        var times = rollouts.SelectMany(r => r.StepSeconds ?? []).Order().ToArray();
        return times.Length == 0 ? null : times.Length % 2 == 1 ? times[times.Length / 2] : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
    }

    // NaN and infinities are written as strings (AllowNamedFloatingPointLiterals).
    private static double Number(JsonElement row, string name)
    {
        var value = row.GetProperty(name);
        return value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble();
    }
}
