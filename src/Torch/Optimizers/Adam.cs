using static GnnSim.Torch.Native;

namespace GnnSim.Torch.Optimizers;

/// <summary>
/// Adam (Kingma and Ba, 2015) with bias-corrected moments; weight decay is added to the gradient
/// (L2). The whole update of all parameters is one native call.
/// </summary>
public class Adam : Optimizer
{
    private readonly Tensor[] expAvg;
    private readonly Tensor[] expAvgSq;
    private readonly long[] steps;

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0)
        : base(parameters, lr)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), $"betas ({beta1}, {beta2}) must lie in [0, 1)");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weight_decay;
        using (torch.no_grad())
        {
            expAvg = Parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
            expAvgSq = Parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
        }
        steps = new long[Parameters.Length];
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }

    /// <summary>AdamW: decay the weights directly instead of through the gradient.</summary>
    protected virtual bool DecoupledWeightDecay => false;

    public override unsafe void step()
    {
        var p = Handles(Parameters);
        var m = Handles(expAvg);
        var v = Handles(expAvgSq);
        fixed (IntPtr* pp = p)
        fixed (IntPtr* mp = m)
        fixed (IntPtr* vp = v)
        fixed (long* sp = steps)
            Check(gs_adam_step(pp, mp, vp, sp, p.Length, LearningRate, Beta1, Beta2, Eps, WeightDecay, DecoupledWeightDecay ? 1 : 0));
    }

    private static IntPtr[] Handles(Tensor[] tensors)
    {
        var handles = new IntPtr[tensors.Length];
        for (var i = 0; i < tensors.Length; i++) handles[i] = tensors[i].Handle;
        return handles;
    }

    public override Dictionary<string, Tensor> state_dict()
    {
        var state = new Dictionary<string, Tensor>();
        for (var i = 0; i < Parameters.Length; i++)
        {
            state[$"exp_avg.{i}"] = expAvg[i];
            state[$"exp_avg_sq.{i}"] = expAvgSq[i];
        }
        state["step"] = torch.tensor(steps); // a fresh copy of the counts, unlike the moments
        return state;
    }

    public override void load_state_dict(IReadOnlyDictionary<string, Tensor> state)
    {
        if (!state.TryGetValue("step", out var stepTensor) || stepTensor.numel() != Parameters.Length)
            throw new ArgumentException($"optimizer state has no step counts for {Parameters.Length} parameters");
        using var noGrad = torch.no_grad();
        for (var i = 0; i < Parameters.Length; i++)
        {
            expAvg[i].copy_(Entry(state, $"exp_avg.{i}", expAvg[i]));
            expAvgSq[i].copy_(Entry(state, $"exp_avg_sq.{i}", expAvgSq[i]));
        }
        stepTensor.ToArray<long>().CopyTo(steps, 0);
    }

    private static Tensor Entry(IReadOnlyDictionary<string, Tensor> state, string name, Tensor like)
    {
        if (!state.TryGetValue(name, out var value)) throw new ArgumentException($"optimizer state has no '{name}'");
        if (!value.shape.SequenceEqual(like.shape))
            throw new ArgumentException($"optimizer state '{name}' has shape [{string.Join(", ", value.shape)}], expected [{string.Join(", ", like.shape)}]");
        return value;
    }

    public override void Dispose()
    {
        foreach (var t in expAvg.Concat(expAvgSq)) t.Dispose();
        base.Dispose();
    }
}
