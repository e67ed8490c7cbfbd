using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.GraphTransformers;

/// <summary>
/// Multi-head self-attention masked by a graph (Garnier et al.; graph-physics' <c>Attention</c> on a
/// DGL sparse mask): node r attends to the senders of its incoming edges only,
/// <code>
///   q, k, v = W_q x, W_k x, W_v x, each split into H heads of width d      [N, d, H]
///   (optionally rotated by RoPE from the node positions)
///   a_(s->r) = softmax over the edges into r of (q_r . k_s / sqrt d)       per head
///   out_r    = W_o merge heads (sum over s->r of a_(s->r) v_s)
/// </code>
/// The masked softmax and sum are <see cref="torch.graph_attention"/> (one fused kernel on the CPU):
/// cost O(E C), memory O(E H) beyond the node tensors. Heads are split as the reference splits them: channel c of a projection
/// is component c / H of head c % H (a reshape to [N, d, H]).
/// </summary>
public sealed class MaskedAttention : Module
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly Linear projection;
    private readonly Tensor? rotaryFrequencies;

    /// <param name="rotaryPositions">the dimension of the positions RoPE rotates by; 0 for no RoPE</param>
    public MaskedAttention(long width, int heads, int rotaryPositions = 0, double rotaryBase = 10000)
    {
        if (heads < 1 || width % heads != 0) throw new ArgumentException($"{heads} heads do not divide width {width}");
        Heads = heads;
        HeadWidth = width / heads;
        query = RegisterModule("q_proj", new Linear(width, width));
        key = RegisterModule("k_proj", new Linear(width, width));
        value = RegisterModule("v_proj", new Linear(width, width));
        projection = RegisterModule("proj", new Linear(width, width));
        if (rotaryPositions > 0)
        {
            var pairs = (int)(HeadWidth / (2 * rotaryPositions));
            if (pairs < 1) throw new ArgumentException($"RoPE over {rotaryPositions}-D positions needs heads at least {2 * rotaryPositions} wide, they are {HeadWidth}");
            rotaryFrequencies = RegisterBuffer("rope_inv_freq", RotaryFrequencies(pairs, rotaryBase));
        }
    }

    public int Heads { get; }
    public long HeadWidth { get; }

    /// <param name="x">[N, C] node latents</param>
    /// <param name="senders">[E] int64: the keys of each edge</param>
    /// <param name="receivers">[E] int64: the queries of each edge (a softmax per receiver)</param>
    /// <param name="positions">[N, D] positions for RoPE (ignored without it)</param>
    public Tensor forward(Tensor x, Tensor senders, Tensor receivers, Tensor? positions = null)
    {
        long n = x.shape[0];
        var q = Split(query.call(x), n);
        var k = Split(key.call(x), n);
        using var v = Split(value.call(x), n);
        if (rotaryFrequencies is not null)
        {
            if (positions is null) throw new ArgumentException("RoPE attention needs the node positions");
            // q and k turn by the same angles: their sines and cosines are made once.
            var (cos, sin) = RotaryAngles(positions, rotaryFrequencies);
            Tensor rotatedQ, rotatedK;
            using (cos)
            using (sin)
                (rotatedQ, rotatedK) = (Turn(q, cos, sin), Turn(k, cos, sin));
            q.Dispose();
            k.Dispose();
            (q, k) = (rotatedQ, rotatedK);
        }
        Tensor merged;
        using (q)
        using (k)
        using (var attended = torch.graph_attention(q, k, v, senders, receivers, 1.0 / Math.Sqrt(HeadWidth)))   // [N, d, H]
            merged = attended.reshape(n, HeadWidth * Heads);
        using (merged) return projection.call(merged);
    }

    /// <summary>[C] projections of [N, C] as [N, d, H] (the projection's handle is consumed).</summary>
    private Tensor Split(Tensor projected, long n)
    {
        using (projected) return projected.reshape(n, HeadWidth, Heads);
    }

    /// <summary>graph-physics' RoPE frequencies: exp(-i ln(base) / m) for i &lt; m.</summary>
    public static Tensor RotaryFrequencies(int pairs, double rotaryBase)
    {
        using var i = torch.arange(0.0, pairs);
        using var exponent = i * (-Math.Log(rotaryBase) / pairs);
        return exponent.exp();
    }

    /// <summary>
    /// Rotary position encoding of <paramref name="x"/> [N, d, H] by positions [N, D]: the first
    /// 2 D m components of every head, read as D blocks of m pairs, pair i of block p turned by the
    /// angle pos_p w_i (w = <paramref name="frequencies"/>, m of them); the rest pass unchanged. The
    /// dot product of a rotated query and key then depends on the positions only through their difference.
    /// </summary>
    public static Tensor Rotate(Tensor x, Tensor positions, Tensor frequencies)
    {
        var (cos, sin) = RotaryAngles(positions, frequencies);
        using (cos)
        using (sin)
            return Turn(x, cos, sin);
    }

    /// <summary>cos and sin of the angles pos_p w_i, as [N, D, m, 1, 1] for <see cref="Turn"/>.</summary>
    public static (Tensor Cos, Tensor Sin) RotaryAngles(Tensor positions, Tensor frequencies)
    {
        long n = positions.shape[0], dims = positions.shape[1], m = frequencies.shape[0];
        using var column = positions.unsqueeze(2);
        using var row = frequencies.view(1, 1, m);
        using var angles = column * row;                                                    // [N, D, m]
        using var anglesView = angles.view(n, dims, m, 1, 1);
        return (anglesView.cos(), anglesView.sin());
    }

    /// <summary><paramref name="x"/> [N, d, H] turned by the angles whose cos and sin <see cref="RotaryAngles"/> made.</summary>
    private static Tensor Turn(Tensor x, Tensor cos, Tensor sin)
    {
        long n = x.shape[0], d = x.shape[1], h = x.shape[2], dims = cos.shape[1], m = cos.shape[2];
        var rotated = dims * 2 * m;
        if (rotated > d) throw new ArgumentException($"RoPE over {dims}-D positions with {m} frequencies needs {rotated} components per head, they have {d}");
        using var part = x.narrow(1, 0, rotated);
        using var pairs = part.reshape(n, dims, m, 2, h);
        using var even = pairs.narrow(3, 0, 1);
        using var odd = pairs.narrow(3, 1, 1);
        using var evenCos = even * cos;
        using var oddSin = odd * sin;
        using var evenSin = even * sin;
        using var oddCos = odd * cos;
        using var newEven = evenCos - oddSin;
        using var newOdd = evenSin + oddCos;
        using var joined = torch.cat([newEven, newOdd], 3);
        var turned = joined.reshape(n, rotated, h);
        if (rotated == d) return turned;
        using (turned)
        using (var rest = x.narrow(1, rotated, d - rotated))
            return torch.cat([turned, rest], 1);
    }
}
