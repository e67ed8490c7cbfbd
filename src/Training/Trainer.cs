using System.Diagnostics;
using GnnSim.Datasets;
using GnnSim.Torch;
using GnnSim.Torch.Optimizers;
using GnnSim.Training.Experiments;
using GnnSim.Training.Objectives;

namespace GnnSim.Training;

/// <summary>What the loop reports after every step.</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double LearningRate, double StepsPerSecond, double ElapsedSeconds);

/// <summary>
/// The training loop, and only the loop: draw a batch of samples, ask the objective's training set
/// for its loss, step the optimizer (with gradient clipping and the schedule), log, checkpoint.
/// What a sample is and what its loss means are the objective's. All randomness comes from
/// libtorch's generator, seeded once and saved in every checkpoint, so a resumed run draws what the
/// uninterrupted run would have drawn.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly ExperimentConfig config;
    private readonly string runDirectory;
    private readonly ITrainingSet data;
    private readonly Optimizer optimizer;
    private readonly LearningRateSchedule? schedule;
    private int step;
    private double elapsedBefore;

    /// <summary>
    /// Sets up a run in <paramref name="runDirectory"/>: writes the effective config, or with
    /// <paramref name="resume"/> restores the last checkpoint there.
    /// </summary>
    public Trainer(ExperimentConfig config, LearnedSimulator simulator, ITrainingSet data, string runDirectory, bool resume)
    {
        this.config = config;
        this.runDirectory = runDirectory;
        this.data = data;
        Simulator = simulator;
        if (data.Count < 1) throw new ArgumentException("the training set has no samples");
        if (!resume && Checkpoint.Exists(runDirectory))
            throw new IOException($"{runDirectory} already holds a trained run (checkpoint.pt): resume it, or train into another directory");
        Directory.CreateDirectory(runDirectory);
        (optimizer, schedule) = OptimizerSetup.Create(config, simulator.parameters());
        if (resume && Checkpoint.Exists(runDirectory))
        {
            (step, elapsedBefore) = Checkpoint.Restore(runDirectory, simulator, optimizer);
            TrainingLog.TrimAfter(runDirectory, step);
        }
        else
        {
            torch.manual_seed(config.Training.Seed);
            TrainingLog.Clear(runDirectory);
        }
        schedule?.Restore(step);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, Experiment.ConfigFileName), config.ToYaml());
    }

    public LearnedSimulator Simulator { get; }
    public int Step => step;

    /// <summary>
    /// Trains up to training.steps (from wherever a resumed run stood), or until training.max_minutes of
    /// training time (resumed runs included) have passed, then checkpoints; returns the losses of the steps it ran.
    /// </summary>
    public List<double> Run(Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var t = config.Training;
        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        int firstStep = step, loggedSince = step;
        double lossSinceLog = 0;
        Simulator.train();
        var budget = t.MaxMinutes is { } minutes ? minutes * 60 : double.PositiveInfinity;
        while (step < t.Steps && !cancel.IsCancellationRequested && elapsedBefore + clock.Elapsed.TotalSeconds < budget)
        {
            // Before the normalizer warm-up ends a step only accumulates statistics.
            var loss = TrainStep(optimizerStep: step >= t.NormalizerWarmupSteps);
            losses.Add(loss);
            lossSinceLog += loss;
            step++;
            schedule?.Restore(step);
            var elapsed = elapsedBefore + clock.Elapsed.TotalSeconds;
            var rate = (step - firstStep) / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
            progress?.Invoke(new TrainingProgress(step, t.Steps, loss, optimizer.LearningRate, rate, elapsed));
            var last = step == t.Steps || elapsed >= budget;
            if (step % t.LogEvery == 0 || last)
            {
                TrainingLog.Append(runDirectory, new TrainingLogEntry(step, lossSinceLog / (step - loggedSince), optimizer.LearningRate, rate, elapsed));
                lossSinceLog = 0;
                loggedSince = step;
            }
            if (step % t.CheckpointEvery == 0 || last)
                Checkpoint.Save(runDirectory, Simulator, optimizer, step, elapsed, loss);
        }
        if (cancel.IsCancellationRequested && step > firstStep)
            Checkpoint.Save(runDirectory, Simulator, optimizer, step, elapsedBefore + clock.Elapsed.TotalSeconds, losses[^1]);
        return losses;
    }

    private double TrainStep(bool optimizerStep)
    {
        using var scope = torch.NewDisposeScope();
        var loss = data.Loss(Simulator.Model, DrawSamples(config.Training.BatchSize));
        if (optimizerStep)
        {
            optimizer.zero_grad();
            loss.backward();
            if (config.Optimizer.GradientClip > 0) torch.nn.utils.clip_grad_norm_(Simulator.parameters(), config.Optimizer.GradientClip);
            optimizer.step();
        }
        return loss.item();
    }

    /// <summary>Uniform over the training set's samples, from libtorch's generator.</summary>
    private long[] DrawSamples(int count)
    {
        var total = data.Count;
        return torch.rand(count).ToArray<float>().Select(u => Math.Min(total - 1, (long)(u * total))).ToArray();
    }

    public void Dispose() => optimizer.Dispose();
}
