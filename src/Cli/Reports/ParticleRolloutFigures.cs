using GnnSim.Training.Evaluation;
using GnnSim.Viz.Fields;
using GnnSim.Viz.Plotting;

namespace GnnSim.Cli.Reports;

/// <summary>A stored particle rollout's pictures (plot and report draw them): truth beside prediction coloured by speed, an animation, the error curve.</summary>
internal static class ParticleRolloutFigures
{
    /// <summary>The rollout's box as its case parameters carry it; an error names the file.</summary>
    public static (double MinX, double MinY, double MaxX, double MaxY) Box(StoredRollout rollout, string source)
    {
        var p = rollout.CaseParameters;
        var names = ParticleRollout.BoxParameters;
        if (!names.All(p.ContainsKey)) throw new InvalidDataException($"{source}: case {rollout.Case} does not record its box ({string.Join(", ", names)})");
        return (p[names[0]], p[names[2]], p[names[1]], p[names[3]]);
    }

    /// <summary>[N, 2] per frame asked for (every frame when none is named).</summary>
    static List<double[]> Frames(StoredRollout rollout, float[] values, params int[] steps)
    {
        var size = rollout.NodeCount * 2;
        var chosen = steps.Length > 0 ? steps : Enumerable.Range(0, rollout.Steps + 1).ToArray();
        return chosen.Select(s => Array.ConvertAll(values.AsSpan(s * size, size).ToArray(), v => (double)v)).ToList();
    }

    static string Heading(StoredRollout rollout) => $"case {rollout.Case}: {rollout.NodeCount:N0} particles, {rollout.Steps} steps from frame {rollout.StartFrame}";

    public static Figure Snapshot(StoredRollout rollout, int step, string source, int width = 420)
    {
        if (step < 0 || step > rollout.Steps) throw new ArgumentException($"--step {step} is outside the rollout's 0..{rollout.Steps}");
        // The speed at a step is over the frame before (step 0: the frame after): only those two frames are needed.
        var other = step == 0 ? 1 : step - 1;
        var truth = Frames(rollout, rollout.TruthPositions!, step, other);
        var prediction = Frames(rollout, rollout.PredictedPositions!, step, other);
        float[] SpeedAt(List<double[]> pair) => ParticleFigure.Speeds(pair, rollout.Dt)[0]; // the first frame's speed over the second
        return ParticleFigure.Render(truth[0], prediction[0], Box(rollout, source), values: (SpeedAt(truth), SpeedAt(prediction), "speed (m/s)"),
            heading: $"{Heading(rollout)}; step {step}", width: width);
    }

    public static byte[] Animation(StoredRollout rollout, string source, int maxFrames = 60, int width = 420) =>
        ParticleFigure.RolloutAnimation(Frames(rollout, rollout.TruthPositions!), Frames(rollout, rollout.PredictedPositions!), rollout.Dt, Box(rollout, source),
            Heading(rollout), Math.Max(2, maxFrames), width: width);

    /// <summary>Position RMSE of the moving particles at each step 1..steps, the model's and persistence's (particles held at the start).</summary>
    public static (double[] Model, double[] Persistence) RmseByStep(StoredRollout rollout)
    {
        var moving = rollout.NodeTypes.Select(Training.Data.SimulationTrajectory.IsPredicted).ToArray();
        var count = Math.Max(1, 2 * moving.Count(m => m));
        var size = rollout.NodeCount * 2;
        double[] model = new double[rollout.Steps], persistence = new double[rollout.Steps];
        for (var s = 1; s <= rollout.Steps; s++)
        {
            double m = 0, p = 0;
            for (var k = 0; k < size; k++)
            {
                if (!moving[k / 2]) continue;
                var truth = rollout.Truth[s * size + k];
                m += Math.Pow(rollout.Prediction[s * size + k] - truth, 2);
                p += Math.Pow(rollout.Truth[k] - truth, 2);
            }
            model[s - 1] = Math.Sqrt(m / count);
            persistence[s - 1] = Math.Sqrt(p / count);
        }
        return (model, persistence);
    }
}
