using System.Diagnostics;
using GnnSim.Datasets;
using GnnSim.Torch;
using GnnSim.Torch.Distributed;
using GnnSim.Torch.Modules;
using GnnSim.Torch.Optimizers;
using GnnSim.Training.Experiments;
using GnnSim.Training.Objectives;

namespace GnnSim.Training;

/// <summary>What the loop reports after every step.</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double LearningRate, double StepsPerSecond, double ElapsedSeconds, int SkippedSteps = 0);

/// <summary>
/// The training loop, and only the loop: draw a batch of samples, ask the objective's training set
/// for its loss, step the optimizer (with gradient clipping and the schedule), log, checkpoint.
/// What a sample is and what its loss means are the objective's. The samples of a step are a
/// function of the seed and the step (<see cref="BatchSampler"/>); all other randomness (noise,
/// random edges) comes from libtorch's generator, seeded once and saved in every checkpoint, so a
/// resumed run draws what the uninterrupted run would have drawn.
/// <para>
/// Given a process group of more than one rank, the loop is data-parallel (<see cref="DataParallel"/>):
/// training.batch_size is each rank's share of a global batch of batch_size x ranks, the ranks'
/// gradients are averaged before clipping, and rank 0 alone writes the config, the log and the
/// checkpoints. The checkpoint holds nothing per rank, so a run resumes on any number of processes.
/// </para>
/// <para>
/// A step whose loss or gradient norm is NaN or infinite changes nothing (no optimizer step; the
/// normalizer statistics it fed are put back) and, past training.skip_nonfinite_steps such steps,
/// stops the run with a <see cref="TrainingDivergedException"/> that names the step and what went
/// bad; the failing step writes nothing, so the last checkpoint stays the last good one.
/// </para>
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly ExperimentConfig config;
    private readonly string runDirectory;
    private readonly ITrainingSet data;
    private readonly Optimizer optimizer;
    private readonly LearningRateSchedule? schedule;
    private readonly ProcessGroup? group;
    private readonly DataParallel? parallel;
    private readonly Device device;
    private int step;
    private double elapsedBefore;
    private int? lastCheckpoint;
    private int skippedSteps;
    private List<(Tensor Buffer, Tensor Saved)>? savedBuffers;

    /// <summary>
    /// Sets up a run in <paramref name="runDirectory"/>: writes the effective config, or with
    /// <paramref name="resume"/> restores the last checkpoint there. With a <paramref name="group"/> of
    /// several ranks every rank constructs one: rank 0's weights are broadcast to the others.
    /// </summary>
    public Trainer(ExperimentConfig config, LearnedSimulator simulator, ITrainingSet data, string runDirectory, bool resume, ProcessGroup? group = null)
    {
        this.group = group;
        this.config = config;
        this.runDirectory = runDirectory;
        this.data = data;
        Simulator = simulator;
        device = simulator.parameters().FirstOrDefault()?.device ?? Device.CPU;
        if (data.Count < 1) throw new ArgumentException("the training set has no samples");
        if (!resume && Checkpoint.Exists(runDirectory))
            throw new IOException($"{runDirectory} already holds a trained run (checkpoint.pt): resume it, or train into another directory");
        if (IsLeader) Directory.CreateDirectory(runDirectory);
        (optimizer, schedule) = OptimizerSetup.Create(config, simulator.parameters());
        if (resume && Checkpoint.Exists(runDirectory))
        {
            (step, elapsedBefore) = Checkpoint.Restore(runDirectory, simulator, optimizer);
            lastCheckpoint = step;
            if (IsLeader) TrainingLog.TrimAfter(runDirectory, step);
        }
        else
        {
            torch.manual_seed(config.Training.Seed);
            if (IsLeader) TrainingLog.Clear(runDirectory);
        }
        if (group is { WorldSize: > 1 })
        {
            parallel = new DataParallel(group, simulator);
            parallel.BroadcastState();
            // Rank 0 keeps the run's generator (the one checkpoints save); the others draw their own noise.
            if (group.Rank > 0) torch.manual_seed(BatchSampler.Mix(config.Training.Seed, group.Rank, step));
        }
        schedule?.Restore(step);
        if (IsLeader) AtomicFile.WriteAllText(Path.Combine(runDirectory, Experiment.ConfigFileName), config.ToYaml());
    }

    public LearnedSimulator Simulator { get; }
    public int Step => step;

    /// <summary>Seconds this process has spent averaging gradients with the other ranks (0 alone).</summary>
    public double GradientReduceSeconds => parallel?.GradientReduceSeconds ?? 0;

    /// <summary>Steps of this session skipped for a NaN or infinite loss or gradient norm (training.skip_nonfinite_steps).</summary>
    public int SkippedSteps => skippedSteps;

    /// <summary>Whether this process writes the run's files: the only one, or rank 0 of a group.</summary>
    public bool IsLeader => group is null || group.Rank == 0;

    /// <summary>
    /// Trains up to training.steps (from wherever a resumed run stood), or until training.max_minutes of
    /// training time (resumed runs included) have passed, then checkpoints; returns the losses of the steps it ran.
    /// </summary>
    public List<double> Run(Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var t = config.Training;
        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        int firstStep = step, loggedSince = step, skippedAtLog = skippedSteps;
        double lossSinceLog = 0;
        Simulator.train();
        var budget = t.MaxMinutes is { } minutes ? minutes * 60 : double.PositiveInfinity;
        var stop = cancel.IsCancellationRequested || elapsedBefore >= budget;
        while (step < t.Steps && !stop)
        {
            // Before the normalizer warm-up ends a step only accumulates statistics.
            var warmUp = step < t.NormalizerWarmupSteps;
            var (loss, nonFinite) = TrainStep(optimizerStep: !warmUp);
            step++;
            if (nonFinite is not null)
            {
                // During the warm-up no weight has changed yet: the data itself is not finite, and skipping cannot help.
                if (warmUp || ++skippedSteps > t.SkipNonfiniteSteps) throw Diverged(nonFinite, warmUp, loss);
            }
            stop = cancel.IsCancellationRequested || elapsedBefore + clock.Elapsed.TotalSeconds >= budget;
            // The ranks agree to stop together (a rank alone in a collective would wait for the others in vain).
            if (parallel is not null) (loss, stop) = parallel.Agree(loss, stop);
            if (nonFinite is null)
            {
                losses.Add(loss);
                lossSinceLog += loss;
            }
            schedule?.Restore(step);
            var elapsed = elapsedBefore + clock.Elapsed.TotalSeconds;
            var rate = (step - firstStep) / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
            if (!IsLeader) continue;
            progress?.Invoke(new TrainingProgress(step, t.Steps, loss, optimizer.LearningRate, rate, elapsed, skippedSteps));
            var last = step == t.Steps || stop;
            if (step % t.LogEvery == 0 || last)
            {
                // The interval's mean over the steps that counted (NaN if every one was skipped).
                var counted = step - loggedSince - (skippedSteps - skippedAtLog);
                TrainingLog.Append(runDirectory, new TrainingLogEntry(step, counted > 0 ? lossSinceLog / counted : double.NaN, optimizer.LearningRate, rate, elapsed));
                lossSinceLog = 0;
                loggedSince = step;
                skippedAtLog = skippedSteps;
            }
            if (step % t.CheckpointEvery == 0 || last)
            {
                Checkpoint.Save(runDirectory, Simulator, optimizer, step, elapsed, loss);
                lastCheckpoint = step;
            }
        }
        return losses;
    }

    /// <summary>One step: the loss, and what was not finite (the loss, or the gradient norm) when the step was skipped.</summary>
    private (double Loss, string? NonFinite) TrainStep(bool optimizerStep)
    {
        using var scope = torch.NewDisposeScope();
        if (parallel is not null) group!.MarkProgress(step);
        // A skipped step leaves nothing behind: the normalizer statistics its forward pass feeds are saved
        // first (into copies made once), to be put back.
        if (config.Training.SkipNonfiniteSteps > 0)
        {
            savedBuffers ??= Simulator.named_buffers().Select(b => (b.buffer, Saved: b.buffer.clone().DetachFromDisposeScope())).ToList();
            foreach (var (buffer, saved) in savedBuffers) saved.copy_(buffer);
        }
        Tensor loss;
        // Mixed precision covers the forward pass and the loss; the backward runs outside, as torch.autocast asks.
        using (config.Training.Precision == "bf16" ? torch.autocast(device, ScalarType.BFloat16) : (IDisposable?)null)
            loss = data.Loss(Simulator.Model, DrawSamples(step));
        var value = loss.item();
        var nonFinite = double.IsFinite(value) ? null : $"the loss is {value}";
        if (optimizerStep)
        {
            optimizer.zero_grad();
            loss.backward();
            parallel?.AverageGradients();
            // The global norm (clipped or not) says whether any gradient is NaN or infinite.
            var clip = config.Optimizer.GradientClip > 0 ? config.Optimizer.GradientClip : double.PositiveInfinity;
            var norm = torch.nn.utils.clip_grad_norm_(Simulator.parameters(), clip);
            if (nonFinite is null && !double.IsFinite(norm))
                nonFinite = $"the gradient norm is {norm} (the first parameter whose gradient is not finite: {FirstNonFiniteGradient() ?? "none on this rank"})";
        }
        // Every rank skips the step if any rank's went bad, so that all stay in step.
        if (parallel is not null && parallel.AnyRank(nonFinite is not null)) nonFinite ??= "another rank's loss or gradient norm is not finite";
        if (nonFinite is null)
        {
            if (optimizerStep) optimizer.step();
        }
        else if (savedBuffers is not null)
            foreach (var (buffer, saved) in savedBuffers) buffer.copy_(saved);
        return (value, nonFinite);
    }

    private string? FirstNonFiniteGradient()
    {
        foreach (var (name, parameter) in Simulator.named_parameters())
        {
            using var gradient = parameter.grad;
            if (gradient is null) continue;
            using var largest = gradient.abs().amax();
            if (!double.IsFinite(largest.item())) return name;
        }
        return null;
    }

    private TrainingDivergedException Diverged(string what, bool warmUp, double loss)
    {
        var t = config.Training;
        // The samples are a function of seed and step: the failing step's (step counts it already) are drawn again.
        if (!double.IsFinite(loss))
            what += FirstNonFiniteOutput(DrawSamples(step - 1)) is { } layer ? $" (the first layer whose output is not finite: {layer})" : " (every layer's output is finite: the loss itself is not)";
        var kept = lastCheckpoint is { } saved
            ? $"the failing step wrote nothing, and the checkpoint of step {saved} is the run's last good state (--resume with a changed --set continues from it)"
            : "the failing step wrote nothing, and no checkpoint had been written yet";
        var advice = warmUp
            ? "this was during the normalizer warm-up, before any weight changed: the training data holds NaN or infinite values"
            : t.SkipNonfiniteSteps > 0
                ? $"{t.SkipNonfiniteSteps} such steps were skipped before it (training.skip_nonfinite_steps); lower optimizer.learning_rate or clip harder (optimizer.gradient_clip)"
                : "lower optimizer.learning_rate or clip harder (optimizer.gradient_clip), or let training.skip_nonfinite_steps: k skip up to k such steps";
        return new TrainingDivergedException(step, what, $"{runDirectory}: training diverged at step {step}: {what}; {kept}; {advice}");
    }

    /// <summary>
    /// The first layer, in the order they ran, whose output holds a NaN or an infinity, in a forward pass
    /// of the failing step's samples without gradients. The pass changes nothing: the normalizers' statistics
    /// are put back after it, and it stays on this rank (their all-reduce is off, as the other ranks do not
    /// join it). Null when every layer's output is finite.
    /// </summary>
    private string? FirstNonFiniteOutput(long[] samples)
    {
        var modules = Simulator.named_modules().ToList();
        var names = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in modules) names.TryAdd(module, name);
        var normalizers = modules.Select(m => m.module).OfType<OnlineNormalizer>().Select(n => (Normalizer: n, n.Group)).ToList();
        string? first = null;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var buffers = Simulator.named_buffers().Select(b => (b.buffer, Saved: b.buffer.clone())).ToList();
        foreach (var (normalizer, _) in normalizers) normalizer.Group = null;
        try
        {
            using (Module.WatchOutputs((module, output) =>
            {
                if (first is null && output is Tensor { } tensor && tensor.is_floating_point() && tensor.numel() > 0 && !double.IsFinite(tensor.abs().amax().item()))
                    first = $"{names.GetValueOrDefault(module, "?")} ({module.GetType().Name})";
            }))
                data.Loss(Simulator.Model, samples);
        }
        catch (TorchException) { return null; } // a diagnosis that fails must not hide the divergence it was to explain
        finally
        {
            foreach (var (buffer, saved) in buffers) buffer.copy_(saved);
            foreach (var (normalizer, group) in normalizers) normalizer.Group = group;
        }
        return first;
    }

    /// <summary>This rank's share of the global batch of step <paramref name="atStep"/> (0-based; the whole batch in one process).</summary>
    private long[] DrawSamples(int atStep)
    {
        var share = config.Training.BatchSize;
        var ranks = group?.WorldSize ?? 1;
        var rank = group?.Rank ?? 0;
        return BatchSampler.Draw(config.Training.Seed, atStep, share * ranks, data.Count).AsSpan(rank * share, share).ToArray();
    }

    public void Dispose()
    {
        foreach (var (_, saved) in savedBuffers ?? []) saved.Dispose();
        optimizer.Dispose();
        parallel?.Dispose();
    }
}
