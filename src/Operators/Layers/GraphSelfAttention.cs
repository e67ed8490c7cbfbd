using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.Layers;

/// <summary>
/// A pre-LN transformer encoder layer (UM2N's encoder, GIOROM's latent-grid transformer): <c>x += MHA(LN x)</c>, <c>x += FFN(LN x)</c> with
/// full multi-head attention of every node to every node of its own graph (never across graphs of
/// a batch: graphs are contiguous node ranges, attended one at a time), FFN
/// <c>Linear(h, 4h) GELU Linear(4h, h)</c>. Queries go in chunks so that a 20,000-node mesh needs
/// [H, chunk, N] scores at a time, not [H, N, N].
/// </summary>
public sealed class GraphSelfAttention : Module
{
    const long QueryChunk = 2048;

    readonly LayerNorm attentionNorm, feedForwardNorm;
    readonly Linear query, key, value, output, expand, contract;

    public GraphSelfAttention(long width, int heads)
    {
        if (heads < 1 || width % heads != 0) throw new ArgumentException($"{heads} heads do not divide width {width}");
        Heads = heads;
        HeadWidth = width / heads;
        attentionNorm = RegisterModule("norm1", new LayerNorm(width));
        query = RegisterModule("q_proj", new Linear(width, width));
        key = RegisterModule("k_proj", new Linear(width, width));
        value = RegisterModule("v_proj", new Linear(width, width));
        output = RegisterModule("out_proj", new Linear(width, width));
        feedForwardNorm = RegisterModule("norm2", new LayerNorm(width));
        expand = RegisterModule("linear1", new Linear(width, 4 * width));
        contract = RegisterModule("linear2", new Linear(4 * width, width));
    }

    public int Heads { get; }
    public long HeadWidth { get; }

    /// <param name="x">[N, h]</param>
    /// <param name="nodeOffsets">[B + 1]: graph g owns nodes offsets[g] .. offsets[g + 1] - 1</param>
    public Tensor forward(Tensor x, int[] nodeOffsets)
    {
        Tensor attended;
        using (var normed = attentionNorm.call(x))
        using (var mixed = Attend(normed, nodeOffsets))
            attended = x + mixed;
        using (attended)
        using (var normed = feedForwardNorm.call(attended))
        using (var wide = expand.call(normed))
        using (var activated = wide.gelu())
        using (var back = contract.call(activated))
            return attended + back;
    }

    Tensor Attend(Tensor x, int[] nodeOffsets)
    {
        long n = x.shape[0];
        // [N, h] -> [H, N, d]
        using var q = Heads3(query.call(x), n);
        using var k = Heads3(key.call(x), n);
        using var v = Heads3(value.call(x), n);
        var scale = 1.0 / Math.Sqrt(HeadWidth);
        var parts = new List<Tensor>();
        try
        {
            for (var g = 0; g + 1 < nodeOffsets.Length; g++)
            {
                long first = nodeOffsets[g], count = nodeOffsets[g + 1] - nodeOffsets[g];
                using var kg = k.narrow(1, first, count);
                using var keysT = kg.transpose(1, 2);                          // [H, d, n]
                using var vg = v.narrow(1, first, count);
                for (long start = 0; start < count; start += QueryChunk)
                {
                    var rows = Math.Min(QueryChunk, count - start);
                    using var qc = q.narrow(1, first + start, rows);           // [H, r, d]
                    using var scores = qc.matmul(keysT);                        // [H, r, n]
                    using var scaled = scores * scale;
                    using var weights = scaled.softmax(2);
                    parts.Add(weights.matmul(vg));                              // [H, r, d]
                }
            }
            using var joined = parts.Count == 1 ? parts[0].alias() : torch.cat(parts, 1); // [H, N, d]
            using var nodesFirst = joined.transpose(0, 1);                     // [N, H, d]
            using var merged = nodesFirst.reshape(n, Heads * HeadWidth);
            return output.call(merged);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }

    Tensor Heads3(Tensor projected, long n)
    {
        using (projected)
        using (var split = projected.view(n, Heads, HeadWidth))
            return split.transpose(0, 1);
    }
}
