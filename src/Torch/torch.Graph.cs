using static GnnSim.Torch.Native;

namespace GnnSim.Torch;

/// <summary>Graph helpers built from the gather/scatter primitives.</summary>
public static partial class torch
{
    /// <summary>[N] int64 class indices to [N, numClasses] int64 one-hot rows.</summary>
    public static Tensor one_hot(Tensor index, long numClasses) => new(gs_one_hot(index.Handle, numClasses));

    /// <summary>Sums rows of <paramref name="source"/> [E, ...] onto rows index[e] of a zero [numSegments, ...] tensor.</summary>
    public static Tensor scatter_sum(Tensor source, Tensor index, long numSegments)
    {
        var shape = source.shape;
        shape[0] = numSegments;
        using var zero = zeros(shape, source.dtype, source.device);
        return zero.index_add(0, index, source);
    }

    /// <summary>
    /// Softmax over the edges that share a receiver: for scores [E] or [E, H] and receivers [E],
    /// alpha_e = exp(s_e - m_r) / sum_{e' -> r} exp(s_e' - m_r), with m_r the largest score at r
    /// (a constant per receiver, so it is taken without gradient: the result does not depend on it).
    /// </summary>
    public static Tensor segment_softmax(Tensor scores, Tensor receivers, long numNodes)
    {
        using var scope = NewDisposeScope();
        var shape = scores.shape;
        shape[0] = numNodes;
        Tensor perEdgeMax;
        using (no_grad())
        {
            var index = scores.dim() == 1 ? receivers : receivers.view(-1, 1).expand(scores.shape);
            var nodeMax = full(shape, double.NegativeInfinity, scores.dtype, scores.device)
                .scatter_reduce(0, index, scores, ScatterReduction.Amax, includeSelf: true);
            perEdgeMax = nodeMax.index_select(0, receivers);
        }
        var weights = (scores - perEdgeMax).exp();
        var denominator = scatter_sum(weights, receivers, numNodes).index_select(0, receivers);
        return (weights / denominator).MoveToOuterDisposeScope();
    }
}
