using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Operators.MeshGraphNets;

/// <summary>
/// One processor step of MeshGraphNets (its own weights):
/// <c>e'_ij = f_e(h_i, h_j, e_ij)</c>, <c>h'_i = f_v(h_i, sum_j e'_ij)</c>, then residuals
/// <c>e += e'</c>, <c>h += h'</c>. Messages flow sender j to receiver i.
/// </summary>
public sealed class GraphNetBlock : Module
{
    private readonly Mlp edgeMlp;
    private readonly Mlp nodeMlp;
    private readonly long latent;

    public GraphNetBlock(long latent, int hiddenLayers)
    {
        this.latent = latent;
        edgeMlp = RegisterModule("edge_mlp", new Mlp(3 * latent, latent, latent, hiddenLayers));
        nodeMlp = RegisterModule("node_mlp", new Mlp(2 * latent, latent, latent, hiddenLayers));
    }

    /// <param name="nodes">[N, L]</param>
    /// <param name="edges">[E, L]</param>
    /// <remarks>
    /// Every intermediate is disposed as soon as it is consumed: autograd keeps what backward needs
    /// by its own references, and the rest (gathered products, pre-activation sums, the new latents
    /// before the residuals), E x L each, would otherwise live until the step's dispose scope ends,
    /// half again the memory of the step at 20,000 nodes.
    /// </remarks>
    public (Tensor Nodes, Tensor Edges) forward(Tensor nodes, Tensor edges, Tensor senders, Tensor receivers)
    {
        // The concat trick: W [h_s, h_r, e] = (W_s h)[s] + (W_r h)[r] + W_e e, so the first edge layer
        // multiplies N rows of node latents instead of E rows of gathered ones, and no [E, 3L] concat exists.
        var w = edgeMlp.FirstLayer.weight;
        Tensor newEdges;
        using (var fromSenders = Gathered(nodes, w.narrow(1, 0, latent), senders))
        using (var fromReceivers = Gathered(nodes, w.narrow(1, latent, latent), receivers))
        using (var fromEdges = F.linear(edges, w.narrow(1, 2 * latent, latent), edgeMlp.FirstLayer.bias))
        using (var fromNodes = fromSenders + fromReceivers)
        using (var firstLayer = fromNodes + fromEdges)
            newEdges = edgeMlp.ForwardFromFirstLayer(firstLayer);

        using (newEdges)
        using (var received = torch.scatter_sum(newEdges, receivers, nodes.shape[0]))
        using (var newNodes = nodeMlp.ForwardConcatenated(nodes, received))
            return (nodes + newNodes, edges + newEdges);
    }

    /// <summary>(W h)[index]: a node-side product of the first edge layer, gathered onto the edges.</summary>
    private static Tensor Gathered(Tensor nodes, Tensor weight, Tensor index)
    {
        using var product = F.linear(nodes, weight);
        return product.index_select(0, index);
    }
}
