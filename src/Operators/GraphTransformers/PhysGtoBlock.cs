using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.GraphTransformers;

/// <summary>
/// One PhysGTO mixer block: local flux message passing, then global projection attention and a
/// feed-forward layer, each pre-normalized and residual:
/// <code>
///   V_in = [V, pos_enc, V_cond];  (v, e) = FluxMP(V_in, E);  E += e;  V += v
///   V += Attn(LN_1 V);  V += FFN(LN_2 V)        FFN = Linear, SiLU, Linear
/// </code>
/// </summary>
public sealed class PhysGtoBlock : Module
{
    private readonly FluxMessagePassing messagePassing;
    private readonly LayerNorm attentionNorm;
    private readonly LayerNorm feedForwardNorm;
    private readonly ProjectionAttention attention;
    private readonly Mlp feedForward;

    public PhysGtoBlock(long width, long positionWidth, long hidden, int heads, int tokens)
    {
        messagePassing = RegisterModule("gnn", new FluxMessagePassing(2 * width + positionWidth, width, width, hidden));
        attentionNorm = RegisterModule("ln1", new LayerNorm(width));
        feedForwardNorm = RegisterModule("ln2", new LayerNorm(width));
        attention = RegisterModule("attention", new ProjectionAttention(width, heads, tokens));
        feedForward = RegisterModule("ffn", new Mlp(width, width, width, hiddenLayers: 1, layerNorm: false, Activation.SiLU));
    }

    /// <remarks>Returns new latents; the caller's stay theirs. Intermediates are disposed as soon as they are consumed (autograd keeps what backward needs).</remarks>
    public (Tensor Nodes, Tensor Edges) forward(Tensor nodes, Tensor edges, PhysGtoGraph graph)
    {
        Tensor v, e;
        using (var nodeInputs = torch.cat([nodes, graph.PositionEncoding, graph.Conditions], 1))
            (v, e) = messagePassing.forward(nodeInputs, edges, graph.Senders, graph.Receivers, graph.SenderShare, graph.ReceiverShare);
        Tensor newEdges, local;
        using (e) newEdges = edges + e;
        using (v) local = nodes + v;
        Tensor global;
        using (local)
        using (var normalized = attentionNorm.call(local))
        using (var attended = attention.forward(normalized, graph.NodeOffsets))
            global = local + attended;
        using (global)
        using (var normalized = feedForwardNorm.call(global))
        using (var fed = feedForward.call(normalized))
            return (global + fed, newEdges);
    }
}

/// <summary>What every block of one forward pass shares: the one-direction edges and their mean weights, the position encoding, the conditions, the graphs' node ranges.</summary>
public sealed record PhysGtoGraph(Tensor Senders, Tensor Receivers, Tensor SenderShare, Tensor ReceiverShare, Tensor PositionEncoding, Tensor Conditions, IReadOnlyList<int> NodeOffsets);
