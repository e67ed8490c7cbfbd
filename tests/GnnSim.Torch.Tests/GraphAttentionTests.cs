using static GnnSim.Torch.Tests.TestSupport;

namespace GnnSim.Torch.Tests;

/// <summary>
/// The fused graph attention kernel against its formula: the same attention written with libtorch's
/// gathers, segment softmax and scatter (autograd's gradients), and against finite differences.
/// </summary>
public class GraphAttentionTests
{
    /// <summary>A random graph of <paramref name="nodes"/> nodes: repeated edges, self loops, and every fifth node receives nothing.</summary>
    private static (Tensor Senders, Tensor Receivers) RandomGraph(int nodes, int edges, int seed)
    {
        var random = new Random(seed);
        var receiving = Enumerable.Range(0, nodes).Where(n => n % 5 != 4).ToArray();
        var senders = Enumerable.Range(0, edges).Select(_ => (long)random.Next(nodes)).ToArray();
        var receivers = Enumerable.Range(0, edges).Select(_ => (long)receiving[random.Next(receiving.Length)]).ToArray();
        return (torch.tensor(senders), torch.tensor(receivers));
    }

    private static (double[] Out, double[] Dq, double[] Dk, double[] Dv) AttendAndDifferentiate(
        Func<Tensor, Tensor, Tensor, Tensor> attention, Tensor q0, Tensor k0, Tensor v0, Tensor upstream)
    {
        using var scope = torch.NewDisposeScope();
        var (q, k, v) = (q0.clone().requires_grad_(), k0.clone().requires_grad_(), v0.clone().requires_grad_());
        var output = attention(q, k, v);
        (output * upstream).sum().backward();
        return (Values(output), Values(q.grad!), Values(k.grad!), Values(v.grad!));
    }

    [Theory]
    [InlineData(ScalarType.Float64, 1e-12)]
    [InlineData(ScalarType.Float32, 2e-5)]
    public void TheFusedKernelEqualsTheComposedFormulaAndItsGradients(ScalarType dtype, double tolerance)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        const int nodes = 300, width = 3, heads = 4;
        var (senders, receivers) = RandomGraph(nodes, 2000, seed: 1);
        // Scores of order 10 (scale 2 on unit vectors of width 3): the softmax must subtract its maximum.
        var q = torch.randn([nodes, width, heads], dtype) * 3.0;
        var k = torch.randn([nodes, width, heads], dtype);
        var v = torch.randn([nodes, width, heads], dtype);
        var upstream = torch.randn([nodes, width, heads], dtype);
        var composed = AttendAndDifferentiate((a, b, c) => torch.graph_attention_composed(a, b, c, senders, receivers, 2.0), q, k, v, upstream);
        var fused = AttendAndDifferentiate((a, b, c) => torch.graph_attention(a, b, c, senders, receivers, 2.0), q, k, v, upstream);
        Close(composed.Out, fused.Out, tolerance);
        Close(composed.Dq, fused.Dq, tolerance);
        Close(composed.Dk, fused.Dk, tolerance);
        Close(composed.Dv, fused.Dv, tolerance);
        // Receivers without edges get 0 (node 4 receives nothing).
        Assert.All(fused.Out.Skip(4 * width * heads).Take(width * heads), x => Assert.Equal(0.0, x));

        // Each thread writes its own nodes' rows: the result is the same on one thread as on several.
        var threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            var single = AttendAndDifferentiate((a, b, c) => torch.graph_attention(a, b, c, senders, receivers, 2.0), q, k, v, upstream);
            Assert.Equal(fused.Out, single.Out);
            Assert.Equal(fused.Dk, single.Dk);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    [Fact]
    public void TheFusedGradientsMatchFiniteDifferences()
    {
        // Edges 0->1, 2->1, 3->1, 1->0, 3->2 (node 3 receives nothing), one head of width 2 and two of width 1.
        var senders = torch.tensor(new long[] { 0, 2, 3, 1, 3 });
        var receivers = torch.tensor(new long[] { 1, 1, 1, 0, 2 });
        double[] q0 = [0.3, 1.7, -0.4, 2.2, 0.9, -1.1, 0.2, 0.8], k0 = [1.5, -0.5, 2.0, 0.7, 0.1, 0.2, -0.3, 1.0], v0 = [1, -2, 3, 0.5, -1, 2, 0.25, 4];
        foreach (long[] shape in new[] { new long[] { 4, 2, 1 }, [4, 1, 2] })
        {
            Tensor Fixed(double[] x) => torch.tensor(x, shape);
            GradientMatchesFiniteDifferences(q0, shape, q => torch.graph_attention(q, Fixed(k0), Fixed(v0), senders, receivers, 0.7));
            GradientMatchesFiniteDifferences(k0, shape, k => torch.graph_attention(Fixed(q0), k, Fixed(v0), senders, receivers, 0.7));
            GradientMatchesFiniteDifferences(v0, shape, v => torch.graph_attention(Fixed(q0), Fixed(k0), v, senders, receivers, 0.7));
        }
    }

    [Fact]
    public void AnEdgeOutsideTheGraphIsAnErrorThatNamesIt()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([3, 2, 1]);
        var error = Assert.Throws<TorchException>(() => torch.graph_attention(x, x, x, torch.tensor(new long[] { 0, 7 }), torch.tensor(new long[] { 1, 2 }), 1.0));
        Assert.Contains("edge 1 has node 7, outside 0..2", error.Message);
        Assert.Throws<TorchException>(() => torch.graph_attention(x, x, torch.randn([3, 1, 2]), torch.tensor(new long[] { 0 }), torch.tensor(new long[] { 1 }), 1.0));
    }
}
