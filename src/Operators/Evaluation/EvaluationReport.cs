using System.Globalization;
using System.Text;
using System.Text.Json;
using GnnSim.Datasets;

namespace GnnSim.Operators.Evaluation;

/// <summary>Rollout metrics written as JSON (every case, every horizon, model and persistence) and as a flat CSV.</summary>
public static class EvaluationReport
{
    public const string JsonFileName = "eval.json";
    public const string CsvFileName = "eval.csv";

    public static void Write(string directory, IReadOnlyList<CaseMetrics> cases, string split)
    {
        Directory.CreateDirectory(directory);
        var (model, persistence) = RolloutMetrics.Mean(cases);
        object Rows(IEnumerable<HorizonErrors> rows) => rows.Select(r => new { horizon = r.Horizon, mse = r.Mse, rmse = r.Rmse, mae = r.Mae, nmse = r.Nmse }).ToList();
        var document = new
        {
            split,
            cases = cases.Count,
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
}
