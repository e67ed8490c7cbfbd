using GnnSim.Torch;
using GnnSim.Torch.Optimizers;
using GnnSim.Training.Experiments;

namespace GnnSim.Training;

/// <summary>The optimizer and learning-rate schedule a config's <c>optimizer:</c> section names.</summary>
public static class OptimizerSetup
{
    public static (Optimizer Optimizer, LearningRateSchedule? Schedule) Create(ExperimentConfig config, IEnumerable<Tensor> parameters)
    {
        var o = config.Optimizer;
        Optimizer optimizer = o.Name == "adamw"
            ? new AdamW(parameters, o.LearningRate, o.Betas[0], o.Betas[1], weight_decay: o.WeightDecay)
            : new Adam(parameters, o.LearningRate, o.Betas[0], o.Betas[1], weight_decay: o.WeightDecay);
        LearningRateSchedule? schedule = o.Schedule switch
        {
            "exponential" => new ExponentialLR(optimizer, ExponentialLR.GammaFor(0.1, o.DecaySteps ?? config.Training.Steps), o.FinalLearningRate),
            "cosine" => new CosineWithWarmupLR(optimizer, o.WarmupSteps, config.Training.Steps, o.FinalLearningRate),
            _ => null,
        };
        return (optimizer, schedule);
    }
}
