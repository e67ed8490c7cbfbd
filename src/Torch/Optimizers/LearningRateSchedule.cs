namespace GnnSim.Torch.Optimizers;

/// <summary>
/// Sets the optimizer's learning rate from the step count alone, so a resumed run gets the same
/// rates: <see cref="RateAt"/> is a pure function, <see cref="step"/> advances the count.
/// </summary>
public abstract class LearningRateSchedule
{
    private readonly Optimizer optimizer;

    protected LearningRateSchedule(Optimizer optimizer)
    {
        this.optimizer = optimizer;
        BaseRate = optimizer.LearningRate;
    }

    /// <summary>The optimizer's rate when the schedule was made.</summary>
    public double BaseRate { get; }

    public int StepCount { get; private set; }

    public abstract double RateAt(int step);

    public void step() => Restore(StepCount + 1);

    /// <summary>Jumps to a step count (a resumed run) and sets the rate for it.</summary>
    public void Restore(int stepCount)
    {
        StepCount = stepCount;
        optimizer.LearningRate = RateAt(stepCount);
    }
}

/// <summary>
/// Exponential decay toward a floor, as DeepMind's MeshGraphNets trains:
/// lr(t) = floor + (base - floor) * gamma^t (the floor defaults to 0, PyTorch's ExponentialLR).
/// </summary>
public sealed class ExponentialLR(Optimizer optimizer, double gamma, double floor = 0) : LearningRateSchedule(optimizer)
{
    public override double RateAt(int step) => floor + (BaseRate - floor) * Math.Pow(gamma, step);

    /// <summary>The gamma that decays by <paramref name="factor"/> every <paramref name="steps"/> steps (0.1 per 5e6 in MeshGraphNets).</summary>
    public static double GammaFor(double factor, double steps) => Math.Pow(factor, 1.0 / steps);
}

/// <summary>Linear warm-up from 0 to the base rate, then a half cosine down to <c>floor</c> at totalSteps.</summary>
public sealed class CosineWithWarmupLR : LearningRateSchedule
{
    private readonly int warmupSteps;
    private readonly int totalSteps;
    private readonly double floor;

    public CosineWithWarmupLR(Optimizer optimizer, int warmupSteps, int totalSteps, double floor = 0) : base(optimizer)
    {
        if (warmupSteps < 0 || totalSteps <= warmupSteps)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), $"need 0 <= warmup ({warmupSteps}) < total ({totalSteps})");
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.floor = floor;
        Restore(0);
    }

    public override double RateAt(int step)
    {
        if (step < warmupSteps) return BaseRate * step / warmupSteps;
        var progress = Math.Min(1.0, (double)(step - warmupSteps) / (totalSteps - warmupSteps));
        return floor + (BaseRate - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}

/// <summary>lr(t) = base * factor(t).</summary>
public sealed class LambdaLR(Optimizer optimizer, Func<int, double> factor) : LearningRateSchedule(optimizer)
{
    public override double RateAt(int step) => BaseRate * factor(step);
}
