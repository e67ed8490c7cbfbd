namespace GnnSim.Training.Evaluation;

/// <summary>Errors over the first <see cref="Horizon"/> steps of a rollout (all fields, predicted nodes).</summary>
/// <param name="Mse">mean of (prediction - truth)^2</param>
/// <param name="Rmse">sqrt(MSE)</param>
/// <param name="Mae">mean of |prediction - truth|</param>
/// <param name="Nmse">MSE / mean(truth^2), CFDBench's normalized MSE</param>
public sealed record HorizonErrors(int Horizon, double Mse, double Rmse, double Mae, double Nmse);

/// <summary>One trajectory's errors at every horizon, for the model and for the persistence baseline (the start frame held).</summary>
public sealed record CaseMetrics(string Case, IReadOnlyList<HorizonErrors> Model, IReadOnlyList<HorizonErrors> Persistence);

/// <summary>
/// The field's rollout scores: MSE, RMSE, MAE and NMSE over steps 1..h for h in 1, 10, 20, 50, 100,
/// 200 and all steps (those longer than the rollout are left out), over the nodes the model predicts;
/// beside them the same numbers for persistence, y(t) = y(start), the baseline a surrogate must beat.
/// </summary>
public static class RolloutMetrics
{
    public static readonly int[] StandardHorizons = [1, 10, 20, 50, 100, 200];

    /// <summary>The standard horizons that fit in <paramref name="steps"/>, then <paramref name="steps"/> itself (the "all" row).</summary>
    public static int[] HorizonsFor(int steps) => StandardHorizons.Where(h => h < steps).Append(steps).ToArray();

    public static CaseMetrics ForCase(RolloutResult rollout)
    {
        var horizons = HorizonsFor(rollout.Steps);
        var mask = rollout.Trajectory.PredictedNodes();
        var persistence = new float[rollout.Truth.Length];
        var frameSize = rollout.Trajectory.NodeCount * rollout.Trajectory.FieldCount;
        for (var s = 0; s <= rollout.Steps; s++) rollout.Truth.AsSpan(0, frameSize).CopyTo(persistence.AsSpan(s * frameSize, frameSize));
        return new CaseMetrics(rollout.Trajectory.Name,
            Errors(rollout.Prediction, rollout.Truth, mask, rollout.Trajectory.FieldCount, horizons),
            Errors(persistence, rollout.Truth, mask, rollout.Trajectory.FieldCount, horizons));
    }

    /// <summary>
    /// Errors of <paramref name="prediction"/> against <paramref name="truth"/>, both <c>[steps + 1, nodes, fields]</c>
    /// with frame 0 the start (not scored), over steps 1..h for each horizon h and the nodes in <paramref name="mask"/>.
    /// </summary>
    public static List<HorizonErrors> Errors(ReadOnlySpan<float> prediction, ReadOnlySpan<float> truth, bool[] mask, int fields, IReadOnlyList<int> horizons)
    {
        if (prediction.Length != truth.Length) throw new ArgumentException($"prediction has {prediction.Length} values, truth {truth.Length}");
        var frameSize = mask.Length * fields;
        var steps = truth.Length / frameSize - 1;
        if (horizons.Any(h => h < 1 || h > steps)) throw new ArgumentException($"horizons must lie in 1..{steps}");
        double squared = 0, absolute = 0, truthSquared = 0;
        long count = 0;
        var result = new List<HorizonErrors>();
        var next = 0;
        var ordered = horizons.Order().ToArray();
        for (var s = 1; s <= steps && next < ordered.Length; s++)
        {
            for (var n = 0; n < mask.Length; n++)
            {
                if (!mask[n]) continue;
                for (var f = 0; f < fields; f++)
                {
                    var i = s * frameSize + n * fields + f;
                    double error = prediction[i] - truth[i];
                    squared += error * error;
                    absolute += Math.Abs(error);
                    truthSquared += (double)truth[i] * truth[i];
                    count++;
                }
            }
            while (next < ordered.Length && ordered[next] == s)
            {
                var mse = count == 0 ? 0 : squared / count;
                var meanTruthSquared = count == 0 ? 0 : truthSquared / count;
                result.Add(new HorizonErrors(s, mse, Math.Sqrt(mse), count == 0 ? 0 : absolute / count,
                    meanTruthSquared > 0 ? mse / meanTruthSquared : double.NaN));
                next++;
            }
        }
        return result;
    }

    /// <summary>Mean over cases, horizon by horizon (horizons that every case reached).</summary>
    public static (List<HorizonErrors> Model, List<HorizonErrors> Persistence) Mean(IReadOnlyList<CaseMetrics> cases)
    {
        if (cases.Count == 0) throw new ArgumentException("no cases to average");
        var common = cases.Select(c => c.Model.Select(h => h.Horizon)).Aggregate((a, b) => a.Intersect(b)).Order().ToList();
        List<HorizonErrors> Average(Func<CaseMetrics, IReadOnlyList<HorizonErrors>> pick) => common.Select(h =>
        {
            var rows = cases.Select(c => pick(c).First(e => e.Horizon == h)).ToList();
            return new HorizonErrors(h, rows.Average(r => r.Mse), rows.Average(r => r.Rmse), rows.Average(r => r.Mae), rows.Average(r => r.Nmse));
        }).ToList();
        return (Average(c => c.Model), Average(c => c.Persistence));
    }
}
