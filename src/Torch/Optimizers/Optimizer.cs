namespace GnnSim.Torch.Optimizers;

/// <summary>Updates a fixed list of parameters from their gradients; its state (moments, step counts) is saved with a checkpoint.</summary>
public abstract class Optimizer : IDisposable
{
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        Parameters = parameters.ToArray();
        if (Parameters.Length == 0) throw new ArgumentException("the optimizer got no parameters");
        if (!(learningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), $"learning rate {learningRate} must be >= 0");
        LearningRate = learningRate;
    }

    protected Tensor[] Parameters { get; }

    /// <summary>The rate the next <see cref="step"/> uses; schedules write it.</summary>
    public double LearningRate { get; set; }

    /// <summary>Clears every parameter's gradient (sets it to none, as PyTorch 2 does).</summary>
    public void zero_grad()
    {
        foreach (var p in Parameters) p.grad = null;
    }

    public abstract void step();

    /// <summary>The optimizer's state as named tensors: its own moment tensors (do not dispose them) and fresh copies of its counters.</summary>
    public abstract Dictionary<string, Tensor> state_dict();

    public abstract void load_state_dict(IReadOnlyDictionary<string, Tensor> state);

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
