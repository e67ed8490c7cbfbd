using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.MeshMovers;

/// <summary>
/// One layer of UM2N's deformer: GATv2 attention over the mesh edges (self loops included) whose
/// weights also move the nodes,
/// <code>
///   e_(s->r) = a . LeakyReLU_0.2(W_l z_s + W_r z_r)        per head
///   alpha_(s->r) = softmax over the edges into r of e      per head
///   h_r  = mean over heads of (sum over s of alpha W_l z_s) + b
///   x'_r = sum over s of mean-over-heads(alpha) x_s
/// </code>
/// so every new position is a convex combination of the node's own and its neighbours' positions:
/// a node cannot leave its neighbours' hull.
/// </summary>
public sealed class ConvexGraphAttention : Module
{
    readonly Linear source, target;
    readonly Tensor attention, bias;

    public ConvexGraphAttention(long input, long hidden, int heads)
    {
        if (heads < 1) throw new ArgumentException($"at least one attention head, got {heads}");
        Heads = heads;
        Hidden = hidden;
        source = RegisterModule("lin_l", new Linear(input, heads * hidden));
        target = RegisterModule("lin_r", new Linear(input, heads * hidden));
        // Glorot-uniform over [1, K, H] as PyG initialises GATv2's attention vector.
        var bound = Math.Sqrt(6.0 / (heads + hidden));
        attention = RegisterParameter("att", torch.empty([1, heads, hidden]).uniform_(-bound, bound));
        bias = RegisterParameter("bias", torch.zeros([hidden]));
    }

    public int Heads { get; }
    public long Hidden { get; }

    /// <param name="z">[N, input] node inputs</param>
    /// <param name="positions">[N, 2] the positions the weights combine</param>
    /// <param name="senders">[E] with a self loop on every node, so each receiver has an edge</param>
    /// <returns>the new positions [N, 2] and hidden features [N, hidden] (before any activation)</returns>
    public (Tensor Positions, Tensor Hidden) forward(Tensor z, Tensor positions, Tensor senders, Tensor receivers)
    {
        long n = z.shape[0];
        using var fromSources = source.call(z);
        using var sources = fromSources.view(n, Heads, Hidden);
        using var fromTargets = target.call(z);
        using var targets = fromTargets.view(n, Heads, Hidden);
        using var atSenders = sources.index_select(0, senders);                  // [E, K, H]
        using var atReceivers = targets.index_select(0, receivers);
        using var joined = atSenders + atReceivers;
        using var activated = joined.leaky_relu(0.2);
        using var weighted = activated * attention;
        using var scores = weighted.sum(2);                                        // [E, K]
        using var alpha = torch.segment_softmax(scores, receivers, n);

        using var perHead = alpha.unsqueeze(2);
        using var messages = atSenders * perHead;
        using var summed = torch.scatter_sum(messages, receivers, n);             // [N, K, H]
        using var averaged = summed.mean(1);
        var hidden = averaged + bias;

        using var convex = alpha.mean(1, keepdim: true);                           // [E, 1]
        using var neighbours = positions.index_select(0, senders);
        using var pulled = neighbours * convex;
        return (torch.scatter_sum(pulled, receivers, n), hidden);
    }
}
