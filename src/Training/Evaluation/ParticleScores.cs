using System.Globalization;
using GnnSim.Datasets;

namespace GnnSim.Training.Evaluation;

/// <summary>
/// Scores of particle rollouts beside the position errors: the Chamfer distance between the
/// predicted cloud (reconstructed, for a neural-field decoder) and the true one at each horizon, as
/// pytorch3d defines it: the mean squared distance from each point to the nearest of the other
/// cloud, both ways summed. It asks nothing of which particle is which, so it also judges a cloud
/// that is right as a whole with its particles swapped (a fluid's).
/// </summary>
public static class ParticleScores
{
    public const string CsvFileName = "chamfer.csv";

    /// <summary>The Chamfer distance of two clouds <c>[N, 2]</c> and <c>[M, 2]</c>.</summary>
    public static double Chamfer(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => OneWay(a.ToArray(), b.ToArray()) + OneWay(b.ToArray(), a.ToArray());

    static double OneWay(float[] from, float[] to)
    {
        var n = from.Length / 2;
        var nearest = new double[n];
        Parallel.For(0, n, i =>
        {
            var best = double.PositiveInfinity;
            for (var j = 0; j < to.Length / 2; j++)
            {
                double dx = from[2 * i] - to[2 * j], dy = from[2 * i + 1] - to[2 * j + 1];
                best = Math.Min(best, dx * dx + dy * dy);
            }
            nearest[i] = best;
        });
        return nearest.Average();
    }

    /// <summary>Per horizon of <see cref="RolloutMetrics.HorizonsFor"/>: the Chamfer distance at that step, and persistence's (the start frame held).</summary>
    public static IReadOnlyList<(int Horizon, double Model, double Persistence)> ChamferByHorizon(RolloutResult rollout)
    {
        var size = rollout.Trajectory.NodeCount * 2;
        return RolloutMetrics.HorizonsFor(rollout.Steps).Select(h => (h,
            Chamfer(rollout.Prediction.AsSpan(h * size, size), rollout.Truth.AsSpan(h * size, size)),
            Chamfer(rollout.Truth.AsSpan(0, size), rollout.Truth.AsSpan(h * size, size)))).ToList();
    }

    /// <summary>Writes <see cref="CsvFileName"/> (case, horizon, model, persistence) into <paramref name="directory"/>.</summary>
    public static void Write(string directory, IReadOnlyList<(string Case, IReadOnlyList<(int Horizon, double Model, double Persistence)> Scores)> cases)
    {
        Directory.CreateDirectory(directory);
        var lines = new List<string> { "case,horizon,chamfer,chamfer_persistence" };
        foreach (var (name, scores) in cases)
            lines.AddRange(scores.Select(s => string.Create(CultureInfo.InvariantCulture, $"{name},{s.Horizon},{s.Model:E6},{s.Persistence:E6}")));
        AtomicFile.WriteAllText(Path.Combine(directory, CsvFileName), string.Join("\n", lines) + "\n");
    }

    /// <summary>The rows of <paramref name="directory"/>'s chamfer.csv; null when there is none.</summary>
    public static List<(string Case, int Horizon, double Model, double Persistence)>? Read(string directory)
    {
        var path = Path.Combine(directory, CsvFileName);
        if (!File.Exists(path)) return null;
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != "case,horizon,chamfer,chamfer_persistence") throw new InvalidDataException($"{path}: not a chamfer.csv written by gnnsim eval (header '{lines.FirstOrDefault()}')");
        var rows = new List<(string, int, double, double)>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var cells = lines[i].Split(',');
            if (cells.Length != 4 || !int.TryParse(cells[1], CultureInfo.InvariantCulture, out var horizon)
                || !double.TryParse(cells[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var model)
                || !double.TryParse(cells[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var persistence))
                throw new InvalidDataException($"{path}: line {i + 1} is not case,horizon,chamfer,chamfer_persistence: '{lines[i]}'");
            rows.Add((cells[0], horizon, model, persistence));
        }
        return rows;
    }
}
