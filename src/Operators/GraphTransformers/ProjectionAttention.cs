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
        using var keys = keysValues.call(x);
        using var nodeQuery = nodeQueries.call(x);
        var scale = 1.0 / Math.Sqrt(headWidth);
        var parts = new List<Tensor>(nodeOffsets.Count - 1);
        // Each graph's temporaries ([H, M, n] and [H, n, M] weights among them) are freed before the next graph's.
        for (var g = 0; g + 1 < nodeOffsets.Count; g++)
        {
            long start = nodeOffsets[g], n = nodeOffsets[g + 1] - nodeOffsets[g];
            using var k = Heads(keys.narrow(0, start, n), n);                                   // [H, n, d]
            using var kT = k.transpose(1, 2);
            using var scores = queries.matmul(kT);
            using var scaled = scores * scale;
            using var projectionWeights = scaled.softmax(-1);                                   // [H, M, n]: over the graph's nodes
            using var graphTokens = projectionWeights.matmul(k);                                // [H, M, d]
            using var tokenKeysValuesOut = tokenKeysValues.call(graphTokens);
            var tokenParts = tokenKeysValuesOut.chunk(2, -1);                                   // k, v: [H, M, d]
            using var tokenKeys = tokenParts[0];
            using var tokenValues = tokenParts[1];
            using var q = Heads(nodeQuery.narrow(0, start, n), n);                              // [H, n, d]
            using var tokenKeysT = tokenKeys.transpose(1, 2);
            using var readScores = q.matmul(tokenKeysT);
            using var readScaled = readScores * scale;
            using var readWeights = readScaled.softmax(-1);                                     // [H, n, M]: over the tokens
            using var read = readWeights.matmul(tokenValues);                                   // [H, n, d]
            using var nodeMajor = read.permute(1, 0, 2);
            parts.Add(nodeMajor.reshape(n, heads * headWidth));
        }
        if (parts.Count == 1)
            using (parts[0]) return projection.call(parts[0]);
        using var merged = torch.cat(parts);
        foreach (var part in parts) part.Dispose();
        return projection.call(merged);
    }

    /// <summary>[n, C] as [H, n, d] (the rows' handle is consumed).</summary>
    private Tensor Heads(Tensor rows, long n)
    {
        using (rows)
        using (var split = rows.reshape(n, heads, headWidth))
            return split.permute(1, 0, 2);
    }
}
