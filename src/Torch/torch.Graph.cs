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

    /// <summary>
    /// Attention masked by a graph: with q, k, v [N, d, H] (H heads of width d) and edges s -> r,
    /// <code>
    ///   a_e   = softmax over the edges into r of (scale q_r . k_s)     per head   [E, H]
    ///   out_r = sum over the edges into r of a_e v_s                              [N, d, H]
    /// </code>
    /// a receiver without incoming edges gets 0. On the CPU in float32 or float64 it runs as one fused
    /// kernel of the shim (graph_attention.cpp: no [E, d, H] intermediate, and the gradients in two
    /// passes over the edges); elsewhere (CUDA, bf16) as <see cref="graph_attention_composed"/>, the same
    /// formula in gathers, a segment softmax and a scatter.
    /// </summary>
    public static Tensor graph_attention(Tensor q, Tensor k, Tensor v, Tensor senders, Tensor receivers, double scale) =>
        Check(gs_graph_attention_fits(q.Handle)) == 1 && k.dtype == q.dtype && v.dtype == q.dtype && k.device == q.device && v.device == q.device
            ? new(gs_graph_attention(q.Handle, k.Handle, v.Handle, senders.Handle, receivers.Handle, scale))
            : graph_attention_composed(q, k, v, senders, receivers, scale);

    /// <summary><see cref="graph_attention"/> written with libtorch's gather, scatter and segment softmax ops: any device and dtype.</summary>
    public static Tensor graph_attention_composed(Tensor q, Tensor k, Tensor v, Tensor senders, Tensor receivers, double scale)
    {
        long n = q.shape[0];
        Tensor weights;
        using (var atReceivers = q.index_select(0, receivers))
        using (var atSenders = k.index_select(0, senders))
        using (var products = atReceivers * atSenders)
        using (var dot = products.sum(1))                                                   // [E, H]
        using (var scores = dot * scale)
            weights = segment_softmax(scores, receivers, n);
        using (weights)
        using (var values = v.index_select(0, senders))                                     // [E, d, H]
        using (var perEdge = weights.unsqueeze(1))
        using (var messages = values * perEdge)
            return scatter_sum(messages, receivers, n);                                     // [N, d, H]
    }
}
