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
}
