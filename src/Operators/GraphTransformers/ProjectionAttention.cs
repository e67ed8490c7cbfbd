using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.GraphTransformers;

/// <summary>
/// PhysGTO's projection attention, per graph, in O(N M): M learned queries per head read the graph's
/// nodes into M tokens, and every node then attends to those tokens. With <c>K = kv_1(x)</c> split
/// into heads of width d (used as keys and values alike, as the reference code does):
/// <code>
///   A1     = softmax over the graph's nodes (Q K^T / sqrt d)      [H, M, n]
///   tokens = A1 K                                                [H, M, d]
///   k, v   = qkv_2(tokens) in halves                             [H, M, d] each
///   A2     = softmax over the tokens (q_3(x) k^T / sqrt d)       [H, n, M]
///   out    = proj(merge heads (A2 v))                            [n, C]
/// </code>
/// The softmax over nodes runs over each graph of the batch alone, never across graphs.
/// </summary>
public sealed class ProjectionAttention : Module
{
    private readonly Tensor queries;
    private readonly Linear keysValues;
    private readonly Linear tokenKeysValues;
    private readonly Linear nodeQueries;
    private readonly Linear projection;
    private readonly int heads;
    private readonly long headWidth;

    public ProjectionAttention(long width, int heads, int tokens)
    {
        if (width % heads != 0) throw new ArgumentException($"{heads} heads do not divide width {width}");
        this.heads = heads;
        headWidth = width / heads;
        // Xavier-uniform over [H, M, d] as torch.nn.init computes its fans for 3-D tensors: in = M d, out = H d.
        var bound = Math.Sqrt(6.0 / (tokens * headWidth + heads * headWidth));
        queries = RegisterParameter("Q", torch.empty([heads, tokens, headWidth]).uniform_(-bound, bound));
        keysValues = RegisterModule("kv_1", new Linear(width, width));
        tokenKeysValues = RegisterModule("qkv_2", new Linear(headWidth, 2 * headWidth, hasBias: false));
        nodeQueries = RegisterModule("q_3", new Linear(width, width));
        projection = RegisterModule("proj", new Linear(width, width));
    }

    /// <param name="x">[N, C] node latents of the whole batch</param>
    /// <param name="nodeOffsets">where each graph's nodes start (the batch's node offsets, one more than the graphs)</param>
    public Tensor forward(Tensor x, IReadOnlyList<int> nodeOffsets)
    {
        var keys = keysValues.forward(x);
        var nodeQuery = nodeQueries.forward(x);
        var scale = 1.0 / Math.Sqrt(headWidth);
        var parts = new List<Tensor>(nodeOffsets.Count - 1);
        for (var g = 0; g + 1 < nodeOffsets.Count; g++)
        {
            long start = nodeOffsets[g], n = nodeOffsets[g + 1] - nodeOffsets[g];
            var k = Heads(keys.narrow(0, start, n), n);                            // [H, n, d]
            var projectionWeights = (queries.matmul(k.transpose(1, 2)) * scale).softmax(-1); // [H, M, n]
            var graphTokens = projectionWeights.matmul(k);                          // [H, M, d]
            var tokenParts = tokenKeysValues.forward(graphTokens).chunk(2, -1);      // k, v: [H, M, d]
            var q = Heads(nodeQuery.narrow(0, start, n), n);                        // [H, n, d]
            var readWeights = (q.matmul(tokenParts[0].transpose(1, 2)) * scale).softmax(-1); // [H, n, M]
            parts.Add(readWeights.matmul(tokenParts[1]).permute(1, 0, 2).reshape(n, heads * headWidth));
        }
        var merged = parts.Count == 1 ? parts[0] : torch.cat(parts);
        return projection.forward(merged);
    }

    /// <summary>[n, C] as [H, n, d].</summary>
    private Tensor Heads(Tensor rows, long n) => rows.reshape(n, heads, headWidth).permute(1, 0, 2);
}
