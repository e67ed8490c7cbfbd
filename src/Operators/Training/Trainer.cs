using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GnnSim.Datasets;
using GnnSim.Operators.Data;
using GnnSim.Torch;
using GnnSim.Torch.Optimizers;

namespace GnnSim.Operators.Training;

/// <summary>What the loop reports after every step.</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double LearningRate, double StepsPerSecond, double ElapsedSeconds);

/// <summary>
/// Autoregressive one-step training as MeshGraphNets trains: pick (trajectory, frame) pairs, add
/// noise to the state of NORMAL nodes, optionally push the state forward a few steps without
/// gradient, and regress the normalized change to the true next frame on NORMAL and OUTFLOW nodes.
/// All randomness comes from libtorch's generator, seeded once and saved in every checkpoint, so a
/// resumed run draws what the uninterrupted run would have drawn.
/// </summary>
public sealed class Trainer : IDisposable
{
    public const string MetricsCsv = "metrics.csv";
    public const string MetricsJsonLines = "metrics.jsonl";

    // A diverged run logs its NaN loss instead of dying on it.
    private static readonly JsonSerializerOptions LogJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly ExperimentConfig config;
    private readonly string runDirectory;
    private readonly List<TrajectoryTensors> trajectories;
    private readonly Optimizer optimizer;
    private readonly LearningRateSchedule? schedule;
    private readonly long[] pairOffsets;
    private int step;
    private double elapsedBefore;

    /// <summary>
    /// Sets up a run in <paramref name="runDirectory"/>: writes the effective config, or with
    /// <paramref name="resume"/> restores the last checkpoint there.
    /// </summary>
    public Trainer(ExperimentConfig config, GraphSimulator model, IReadOnlyList<SimulationTrajectory> training, string runDirectory, bool resume, Device? device = null)
    {
        this.config = config;
        this.runDirectory = runDirectory;
        Model = model;
        var t = config.Training;
        var rolled = t.PushforwardSteps + 1;
        foreach (var trajectory in training)
        {
            model.CheckFits(trajectory);
            if (!trajectory.PredictedNodes().Contains(true))
                throw new InvalidDataException($"{trajectory.Name}: no NORMAL or OUTFLOW node: nothing to train on");
            if (trajectory.FrameCount < rolled + 1)
                throw new InvalidDataException($"{trajectory.Name}: {trajectory.FrameCount} frames, training with {t.PushforwardSteps} push-forward steps needs at least {rolled + 1}");
        }
        // Pair p of trajectory i is frame p - pairOffsets[i]; every frame with a target rolled steps later counts once.
        pairOffsets = new long[training.Count + 1];
        for (var i = 0; i < training.Count; i++) pairOffsets[i + 1] = pairOffsets[i] + training[i].FrameCount - rolled;

        if (!resume && Checkpoint.Exists(runDirectory))
            throw new IOException($"{runDirectory} already holds a trained run (checkpoint.pt): resume it, or train into another directory");
        Directory.CreateDirectory(runDirectory);
        trajectories = training.Select(tr => TrajectoryTensors.Create(tr, device)).ToList();
        var o = config.Optimizer;
        optimizer = o.Name == "adamw"
            ? new AdamW(model.parameters(), o.LearningRate, weight_decay: o.WeightDecay)
            : new Adam(model.parameters(), o.LearningRate, weight_decay: o.WeightDecay);
        schedule = o.Schedule switch
        {
            "exponential" => new ExponentialLR(optimizer, ExponentialLR.GammaFor(0.1, o.DecaySteps ?? t.Steps), o.FinalLearningRate),
            "cosine" => new CosineWithWarmupLR(optimizer, o.WarmupSteps, t.Steps, o.FinalLearningRate),
            _ => null,
        };

        if (resume && Checkpoint.Exists(runDirectory))
        {
            (step, elapsedBefore) = Checkpoint.Restore(runDirectory, model, optimizer);
            TrimLogsAfter(step);
        }
        else
        {
            torch.manual_seed(t.Seed);
            foreach (var log in new[] { MetricsCsv, MetricsJsonLines }) File.Delete(Path.Combine(runDirectory, log));
        }
        schedule?.Restore(step);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, Experiment.ConfigFileName), config.ToYaml());
    }

    public GraphSimulator Model { get; }
    public int Step => step;

    /// <summary>Trains up to training.steps (from wherever a resumed run stood); returns the losses of the steps it ran.</summary>
    public List<double> Run(Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var t = config.Training;
        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        int firstStep = step, loggedSince = step;
        double lossSinceLog = 0;
        Model.train();
        while (step < t.Steps && !cancel.IsCancellationRequested)
        {
            var loss = TrainStep(optimizerStep: step >= t.NormalizerWarmupSteps);
            losses.Add(loss);
            lossSinceLog += loss;
            step++;
            schedule?.Restore(step);
            var elapsed = elapsedBefore + clock.Elapsed.TotalSeconds;
            var rate = (step - firstStep) / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
            progress?.Invoke(new TrainingProgress(step, t.Steps, loss, optimizer.LearningRate, rate, elapsed));
            if (step % t.LogEvery == 0 || step == t.Steps)
            {
                AppendLog(step, lossSinceLog / (step - loggedSince), optimizer.LearningRate, rate, elapsed);
                lossSinceLog = 0;
                loggedSince = step;
            }
            if (step % t.CheckpointEvery == 0 || step == t.Steps)
                Checkpoint.Save(runDirectory, Model, optimizer, step, elapsed, loss);
        }
        if (cancel.IsCancellationRequested && step > firstStep)
            Checkpoint.Save(runDirectory, Model, optimizer, step, elapsedBefore + clock.Elapsed.TotalSeconds, losses[^1]);
        return losses;
    }

    /// <summary>One step; returns the loss. Before the normalizer warm-up ends it only accumulates statistics.</summary>
    private double TrainStep(bool optimizerStep)
    {
        var t = config.Training;
        using var scope = torch.NewDisposeScope();
        var samples = DrawSamples(t.BatchSize);
        var inputs = GraphInputs.Batch(samples.Select(s => (trajectories[s.Trajectory], trajectories[s.Trajectory].State(s.Frame))).ToList());
        var normalNodes = samples.Count == 1
            ? trajectories[samples[0].Trajectory].NoiseMask
            : torch.cat(samples.Select(s => trajectories[s.Trajectory].NoiseMask).ToList());
        // Training noise (MeshGraphNets): the model learns to pull a perturbed state back, which keeps rollouts stable.
        var state = inputs.State + torch.randn_like(inputs.State) * t.NoiseStd * normalNodes;
        for (var k = 1; k <= t.PushforwardSteps; k++)
        {
            using var noGrad = torch.no_grad();
            var next = Model.NextState(inputs.WithState(state));
            state = torch.where(inputs.PredictedMask.unsqueeze(1), next, TruthAt(samples, k)).detach();
        }
        var target = TruthAt(samples, t.PushforwardSteps + 1);
        var normalizedTarget = Model.TargetNormalizer.forward(target - state, accumulate: true);
        var prediction = Model.forward(inputs.WithState(state), accumulate: true);
        var loss = MaskedLoss(prediction, normalizedTarget, inputs.PredictedMask);
        if (optimizerStep)
        {
            optimizer.zero_grad();
            loss.backward();
            if (config.Optimizer.GradientClip > 0) torch.nn.utils.clip_grad_norm_(Model.parameters(), config.Optimizer.GradientClip);
            optimizer.step();
        }
        return loss.item();
    }

    /// <summary>
    /// Mean over the predicted nodes of the squared error summed over fields (DeepMind's loss). The
    /// trainer has checked that every trajectory has predicted nodes, so the count is never zero.
    /// </summary>
    public static Tensor MaskedLoss(Tensor prediction, Tensor target, Tensor predictedMask)
    {
        var mask = predictedMask.@float();
        return ((prediction - target).square().sum(1) * mask).sum() / mask.sum();
    }

    private Tensor TruthAt(IReadOnlyList<(int Trajectory, int Frame)> samples, int offset) =>
        samples.Count == 1
            ? trajectories[samples[0].Trajectory].State(samples[0].Frame + offset)
            : torch.cat(samples.Select(s => trajectories[s.Trajectory].State(s.Frame + offset)).ToList());

    /// <summary>Uniform over every (trajectory, frame) pair, from libtorch's generator.</summary>
    private List<(int Trajectory, int Frame)> DrawSamples(int count)
    {
        var total = pairOffsets[^1];
        var draws = torch.rand(count).ToArray<float>();
        var samples = new List<(int, int)>(count);
        foreach (var u in draws)
        {
            var pair = Math.Min(total - 1, (long)(u * total));
            // Offsets strictly increase (every trajectory has at least one pair, checked above).
            var trajectory = Array.BinarySearch(pairOffsets, pair);
            trajectory = trajectory >= 0 ? trajectory : ~trajectory - 1;
            samples.Add((trajectory, (int)(pair - pairOffsets[trajectory])));
        }
        return samples;
    }

    private void AppendLog(int atStep, double loss, double learningRate, double stepsPerSecond, double elapsed)
    {
        var csv = Path.Combine(runDirectory, MetricsCsv);
        if (!File.Exists(csv)) File.WriteAllText(csv, "step,loss,learning_rate,steps_per_second,elapsed_seconds\n");
        var c = CultureInfo.InvariantCulture;
        File.AppendAllText(csv, string.Create(c, $"{atStep},{loss:G9},{learningRate:G6},{stepsPerSecond:F3},{elapsed:F2}\n"));
        var json = JsonSerializer.Serialize(new { step = atStep, loss, learning_rate = learningRate, steps_per_second = Math.Round(stepsPerSecond, 3), elapsed_seconds = Math.Round(elapsed, 2) }, LogJson);
        File.AppendAllText(Path.Combine(runDirectory, MetricsJsonLines), json + "\n");
    }

    /// <summary>A resumed run repeats the steps after its checkpoint: their old log lines go.</summary>
    private void TrimLogsAfter(int lastStep)
    {
        var csv = Path.Combine(runDirectory, MetricsCsv);
        if (File.Exists(csv))
        {
            var lines = File.ReadAllLines(csv);
            var kept = lines.Take(1).Concat(lines.Skip(1).Where(l => int.TryParse(l.Split(',')[0], CultureInfo.InvariantCulture, out var s) && s <= lastStep));
            File.WriteAllLines(csv, kept);
        }
        var jsonl = Path.Combine(runDirectory, MetricsJsonLines);
        if (File.Exists(jsonl))
        {
            var kept = File.ReadAllLines(jsonl).Where(l =>
            {
                try { return JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt32() <= lastStep; }
                catch (JsonException) { return false; }
            });
            File.WriteAllLines(jsonl, kept);
        }
    }

    public void Dispose()
    {
        foreach (var t in trajectories) t.Dispose();
        optimizer.Dispose();
    }
}
