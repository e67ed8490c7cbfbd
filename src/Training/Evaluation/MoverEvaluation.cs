using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GnnSim.Datasets;
using GnnSim.Datasets.Meshes;
using GnnSim.Meshing;
using GnnSim.Operators;
using GnnSim.Solvers.Helmholtz;
using GnnSim.Torch;
using GnnSim.Training.Data;
using GnnSim.Training.Objectives;
using Names = GnnSim.Datasets.Meshes.HelmholtzMeshGenerator.ParameterNames;

namespace GnnSim.Training.Evaluation;

/// <summary>
/// A learned mover on one mesh, scored as UM2N scores it: tangled cells (signed area flipped), the
/// smallest angle before and after, and where the sample is a Helmholtz problem the error reduction
/// <c>ER = (e_original - e_moved) / e_original</c> of the P1 solution against the exact u, beside the
/// Monge-Ampere mesh's own; the model's time (median of 3 moves) against the Monge-Ampere time the
/// sample records.
/// </summary>
public sealed record MoverScore(string Case, int Nodes, int Cells, int TangledCells, double MinAngleOriginal, double MinAngleMoved,
    double? ErrorOriginal, double? ErrorMoved, double? ErrorReduction, double? MongeAmpereErrorReduction,
    double ModelSeconds, double? MongeAmpereSeconds)
{
    public double? SpeedRatio => MongeAmpereSeconds / ModelSeconds;
}

public static class MoverEvaluation
{
    public const string JsonFileName = "mover_eval.json", CsvFileName = "mover_eval.csv";

    public static MoverScore Score(GraphOperator model, MeshMovementObjective objective, MeshMovementSample sample, Device? device = null)
    {
        objective.Move(model, sample, device); // warm-up: first calls allocate
        var times = new double[3];
        double[] moved = [];
        for (var k = 0; k < times.Length; k++)
        {
            var clock = Stopwatch.StartNew();
            moved = objective.Move(model, sample, device);
            times[k] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        var mesh = sample.Mesh;
        var movedMesh = mesh.WithPositions(moved);
        var tangled = MeshQuality.CountTangled(mesh, movedMesh);
        double? errorOriginal = null, errorMoved = null, reduction = null, maReduction = null, maSeconds = null;
        if (sample.Parameters.ContainsKey(Names.Bumps))
        {
            var problem = HelmholtzMeshGenerator.Problem(sample.Parameters);
            errorOriginal = HelmholtzSolver.SolutionError(mesh, problem);
            // A tangled mesh has no P1 solution: its error is not defined, and the sample counts as a failure in the tangles column.
            if (tangled == 0)
            {
                errorMoved = HelmholtzSolver.SolutionError(movedMesh, problem);
                reduction = (errorOriginal - errorMoved) / errorOriginal;
            }
            if (sample.Parameters.TryGetValue(Names.ErrorReduction, out var ma)) maReduction = ma;
        }
        if (sample.Parameters.TryGetValue(Names.Seconds, out var seconds)) maSeconds = seconds;
        return new MoverScore(sample.Name, mesh.NodeCount, mesh.CellCount, tangled, MeshQuality.MinAngles(mesh).Min(), MeshQuality.MinAngles(movedMesh).Min(),
            errorOriginal, errorMoved, reduction, maReduction, times[1], maSeconds);
    }

    /// <summary>Means over the meshes (of the values each has), as one row named "mean".</summary>
    public static MoverScore Mean(IReadOnlyList<MoverScore> scores)
    {
        double? MeanOf(Func<MoverScore, double?> pick) => scores.Select(pick).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(double.NaN).Average() is var m && double.IsNaN(m) ? null : m;
        return new MoverScore("mean", (int)scores.Average(s => s.Nodes), (int)scores.Average(s => s.Cells), scores.Sum(s => s.TangledCells),
            scores.Average(s => s.MinAngleOriginal), scores.Average(s => s.MinAngleMoved), MeanOf(s => s.ErrorOriginal), MeanOf(s => s.ErrorMoved),
            MeanOf(s => s.ErrorReduction), MeanOf(s => s.MongeAmpereErrorReduction), scores.Average(s => s.ModelSeconds), MeanOf(s => s.MongeAmpereSeconds));
    }

    public static void Write(string directory, IReadOnlyList<MoverScore> scores, string split)
    {
        Directory.CreateDirectory(directory);
        var mean = Mean(scores);
        object Row(MoverScore s) => new Dictionary<string, object?>
        {
            ["case"] = s.Case, ["nodes"] = s.Nodes, ["cells"] = s.Cells, ["tangled_cells"] = s.TangledCells,
            ["min_angle_original"] = s.MinAngleOriginal, ["min_angle_moved"] = s.MinAngleMoved,
            ["error_original"] = s.ErrorOriginal, ["error_moved"] = s.ErrorMoved, ["error_reduction"] = s.ErrorReduction,
            ["monge_ampere_error_reduction"] = s.MongeAmpereErrorReduction, ["model_seconds"] = s.ModelSeconds,
            ["monge_ampere_seconds"] = s.MongeAmpereSeconds, ["speed_ratio"] = s.SpeedRatio,
        };
        var document = new Dictionary<string, object?>
        {
            ["objective"] = MeshMovementObjective.ObjectiveName, ["split"] = split, ["cases"] = scores.Count,
            ["meshes_with_tangles"] = scores.Count(s => s.TangledCells > 0), ["mean"] = Row(mean), ["per_case"] = scores.Select(Row).ToList(),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, JsonFileName), JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        var csv = new StringBuilder("case,nodes,cells,tangled_cells,min_angle_original,min_angle_moved,error_original,error_moved,error_reduction,monge_ampere_error_reduction,model_seconds,monge_ampere_seconds,speed_ratio\n");
        string N(double? v) => v is null ? "" : v.Value.ToString("R", CultureInfo.InvariantCulture);
        foreach (var s in scores.Append(mean))
            csv.AppendLine(string.Join(",", s.Case, s.Nodes, s.Cells, s.TangledCells, N(s.MinAngleOriginal), N(s.MinAngleMoved), N(s.ErrorOriginal), N(s.ErrorMoved),
                N(s.ErrorReduction), N(s.MongeAmpereErrorReduction), N(s.ModelSeconds), N(s.MongeAmpereSeconds), N(s.SpeedRatio)));
        AtomicFile.WriteAllText(Path.Combine(directory, CsvFileName), csv.ToString());
    }

    /// <summary>mover_eval.json's mean row, how many meshes were scored and how many came out tangled; null when there is none.</summary>
    public static (MoverScore Mean, int Cases, int MeshesWithTangles)? ReadMean(string directory)
    {
        var path = Path.Combine(directory, JsonFileName);
        if (!File.Exists(path)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            var m = root.GetProperty("mean");
            double? Optional(string name) => m.GetProperty(name).ValueKind == JsonValueKind.Null ? null : m.GetProperty(name).GetDouble();
            var mean = new MoverScore("mean", m.GetProperty("nodes").GetInt32(), m.GetProperty("cells").GetInt32(), m.GetProperty("tangled_cells").GetInt32(),
                m.GetProperty("min_angle_original").GetDouble(), m.GetProperty("min_angle_moved").GetDouble(), Optional("error_original"), Optional("error_moved"),
                Optional("error_reduction"), Optional("monge_ampere_error_reduction"), m.GetProperty("model_seconds").GetDouble(), Optional("monge_ampere_seconds"));
            return (mean, root.GetProperty("cases").GetInt32(), root.GetProperty("meshes_with_tangles").GetInt32());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a mover evaluation written by gnnsim eval ({e.Message})");
        }
    }
}
