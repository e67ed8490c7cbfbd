using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Operators.GraphTransformers;

/// <summary>
/// PhysGTO's flux-oriented message passing on one-direction edges (sender s, receiver r):
/// <code>
///   e          = f_e([V_in[s], V_in[r], E])          (GELU MLP, LayerNorm)
///   e_s, e_r   = the two halves of e
///   m_s(i)     = mean of e_s over the edges i sends, m_r(i) = mean of e_r over the edges i receives
///   v          = f_v([V_in, m_s, m_r])                (GELU MLP, LayerNorm)
/// </code>
/// Each edge carries a flux out of its sender and one into its receiver, so the update sees both
/// directions of an edge stored once. Returns <c>(v, e)</c>; the block adds them to V and E.
/// </summary>
public sealed class FluxMessagePassing : Module
{
    private readonly Mlp edgeMlp;
    private readonly Mlp nodeMlp;
    private readonly long nodeWidth;

    /// <param name="nodeWidth">width of V_in (latent, position encoding and conditions)</param>
    /// <param name="edgeWidth">width of the edge latents, and of e</param>
    public FluxMessagePassing(long nodeWidth, long edgeWidth, long outputWidth, long hidden)
    {
        this.nodeWidth = nodeWidth;
        edgeMlp = RegisterModule("f_edge", new Mlp(2 * nodeWidth + edgeWidth, hidden, edgeWidth, hiddenLayers: 1, layerNorm: true, Activation.GELU));
        nodeMlp = RegisterModule("f_node", new Mlp(nodeWidth + edgeWidth, hidden, outputWidth, hiddenLayers: 1, layerNorm: true, Activation.GELU));
    }

    /// <param name="nodes">V_in [N, nodeWidth]</param>
    /// <param name="edges">E [E, edgeWidth]</param>
    /// <param name="senderShare">[N, 1]: 1 / (edges the node sends), 0 where it sends none</param>
    /// <param name="receiverShare">[N, 1]: 1 / (edges the node receives), 0 where it receives none</param>
    /// <remarks>Intermediates are disposed as soon as they are consumed (autograd keeps what backward needs): E-row temporaries dominate the step's memory.</remarks>
    public (Tensor Nodes, Tensor Edges) forward(Tensor nodes, Tensor edges, Tensor senders, Tensor receivers, Tensor senderShare, Tensor receiverShare)
    {
        // W [V_in[s], V_in[r], E] = (W_s V_in)[s] + (W_r V_in)[r] + W_e E: N-row products gathered, no [E, 2 V_in + E] concat.
        var w = edgeMlp.FirstLayer.weight;
        Tensor messages;
        using (var fromSenders = Gathered(nodes, w.narrow(1, 0, nodeWidth), senders))
        using (var fromReceivers = Gathered(nodes, w.narrow(1, nodeWidth, nodeWidth), receivers))
        using (var fromEdges = F.linear(edges, w.narrow(1, 2 * nodeWidth, w.shape[1] - 2 * nodeWidth), edgeMlp.FirstLayer.bias))
        using (var fromNodes = fromSenders + fromReceivers)
        using (var firstLayer = fromNodes + fromEdges)
            messages = edgeMlp.ForwardFromFirstLayer(firstLayer);

        var halves = messages.chunk(2, -1);
        var count = nodes.shape[0];
        Tensor fromSenderEdges, intoReceivers;
        using (var sums = torch.scatter_sum(halves[0], senders, count)) fromSenderEdges = sums * senderShare;
        using (var sums = torch.scatter_sum(halves[1], receivers, count)) intoReceivers = sums * receiverShare;
        foreach (var half in halves) half.Dispose();
        using (fromSenderEdges)
        using (intoReceivers)
            return (nodeMlp.ForwardConcatenated(nodes, fromSenderEdges, intoReceivers), messages);
    }

    /// <summary>(W V_in)[index]: a node-side product of the first edge layer, gathered onto the edges.</summary>
    private static Tensor Gathered(Tensor nodes, Tensor weight, Tensor index)
    {
        using (weight)
        using (var product = F.linear(nodes, weight))
            return product.index_select(0, index);
    }
}
