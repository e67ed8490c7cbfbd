using static GnnSim.Torch.Tests.TestSupport;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Torch.Tests;

/// <summary>Gather/scatter on a 4-node graph with edges 0->1, 2->1, 3->1, 1->0, 3->2 (node 3 receives nothing).</summary>
public class GraphPrimitiveTests
{
    private static readonly long[] Senders = [0, 2, 3, 1, 3];
    private static readonly long[] Receivers = [1, 1, 1, 0, 2];
    private static readonly double[] NodeFeatures = [1, 10, 2, 20, 3, 30, 4, 40]; // [4, 2]

    [Fact]
    public void IndexSelectGathersSenderFeaturesOntoEdges()
    {
        using var scope = torch.NewDisposeScope();
        var h = torch.tensor(NodeFeatures, 4, 2);
        var onEdges = h.index_select(0, torch.tensor(Senders));
        Close([1, 10, 3, 30, 4, 40, 2, 20, 4, 40], Values(onEdges));
    }

    [Fact]
    public void IndexAddSumsEdgeMessagesOntoReceivers()
    {
        using var scope = torch.NewDisposeScope();
        var messages = torch.tensor(new[] { 1.0, 2.0, 4.0, 8.0, 16.0 }, 5, 1);
        var summed = torch.zeros([4, 1], ScalarType.Float64).index_add(0, torch.tensor(Receivers), messages);
        Close([8, 7, 16, 0], Values(summed));
        Close([8, 7, 16, 0], Values(torch.scatter_sum(messages, torch.tensor(Receivers), 4)));
        Close([16, 14, 32, 0], Values(torch.zeros([4, 1], ScalarType.Float64).index_add(0, torch.tensor(Receivers), messages, alpha: 2)));
    }

    [Fact]
    public void GatherAndScatterAddFollowTheIndexElementwise()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(new[] { 1.0, 2.0, 3.0, 4.0 }, 2, 2);
        var index = torch.tensor(new long[] { 1, 0, 0, 0 }, 2, 2);
        Close([3, 2, 1, 2], Values(t.gather(0, index)));
        var scattered = torch.zeros([2, 2], ScalarType.Float64).scatter_add(0, index, t);
        // out[index[i][j]][j] += t[i][j]: row 0 gets 3 (col 0) and 2 + 4 (col 1), row 1 gets 1
        Close([3, 6, 1, 0], Values(scattered));
    }

    [Fact]
    public void ScatterReduceSumsAveragesAndTakesMaxima()
    {
        using var scope = torch.NewDisposeScope();
        var index = torch.tensor(Receivers);
        var values = torch.tensor(new[] { 1.0, 2.0, 6.0, -3.0, 5.0 });
        var zero = torch.zeros([4], ScalarType.Float64);
        Close([-3, 9, 5, 0], Values(zero.scatter_reduce(0, index, values, ScatterReduction.Sum)));
        Close([-3, 3, 5, 0], Values(zero.scatter_reduce(0, index, values, ScatterReduction.Mean, includeSelf: false)));
        Close([-3, 6, 5, 0], Values(zero.scatter_reduce(0, index, values, ScatterReduction.Amax, includeSelf: false)));
        Close([0, 6, 5, 0], Values(zero.scatter_reduce(0, index, values, ScatterReduction.Amax, includeSelf: true)));
        Close([-3, 1, 5, 0], Values(zero.scatter_reduce(0, index, values, ScatterReduction.Amin, includeSelf: false)));
    }

    [Fact]
    public void OneHotEncodesNodeTypes()
    {
        using var scope = torch.NewDisposeScope();
        var encoded = torch.one_hot(torch.tensor(new long[] { 0, 6, 4 }), 9);
        Assert.Equal([3L, 9L], encoded.shape);
        Assert.Equal(new long[] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 }, encoded.ToArray<long>());
    }

    [Fact]
    public void SegmentSoftmaxNormalizesOverEachReceiversEdges()
    {
        using var scope = torch.NewDisposeScope();
        double[] scores = [1, 2, 3, 0.5, 100];
        var alpha = torch.segment_softmax(torch.tensor(scores), torch.tensor(Receivers), 4);
        var z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        // receiver 1 has three edges, receivers 0 and 2 one each (weight 1, even for a large score)
        Close([Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z, 1, 1], Values(alpha));

        // multi-head scores [E, H]: each head normalizes separately
        var heads = torch.tensor(new[] { 1.0, 0.0, 2.0, 0.0, 3.0, 0.0, 0.5, 0.0, 100.0, 0.0 }, 5, 2);
        var perHead = Values(torch.segment_softmax(heads, torch.tensor(Receivers), 4));
        Close([Math.Exp(1) / z, 1 / 3.0, Math.Exp(2) / z, 1 / 3.0, Math.Exp(3) / z, 1 / 3.0, 1, 1, 1, 1], perHead);
    }

    // ---- gradients against finite differences (float64) ----

    [Fact]
    public void IndexAddGradientIsRight()
    {
        var index = torch.tensor(Receivers);
        GradientMatchesFiniteDifferences(NodeFeatures.Concat([5.0, 50.0]).ToArray(), [5, 2],
            messages => torch.zeros([4, 2], ScalarType.Float64).index_add(0, index, messages.square()));
    }

    [Fact]
    public void GatherGradientIsRight()
    {
        var index = torch.tensor(new long[] { 1, 0, 0, 0, 1, 1 }, 3, 2);
        GradientMatchesFiniteDifferences([1, 2, 3, 4], [2, 2], t => t.exp().gather(0, index));
    }

    [Fact]
    public void IndexSelectGradientIsRight()
    {
        var index = torch.tensor(Senders);
        GradientMatchesFiniteDifferences(NodeFeatures, [4, 2], h => h.index_select(0, index).tanh());
    }

    [Theory]
    [InlineData(ScatterReduction.Sum, true)]
    [InlineData(ScatterReduction.Mean, false)]
    [InlineData(ScatterReduction.Amax, false)]
    public void ScatterReduceGradientIsRight(ScatterReduction reduce, bool includeSelf)
    {
        var index = torch.tensor(Receivers);
        // distinct values so that the maximum is unique and differentiable
        GradientMatchesFiniteDifferences([0.3, 1.7, -0.4, 2.2, 0.9], [5],
            v => torch.zeros([4], ScalarType.Float64).scatter_reduce(0, index, v * 2.0, reduce, includeSelf));
    }

    [Fact]
    public void SegmentSoftmaxGradientIsRight()
    {
        var receivers = torch.tensor(Receivers);
        GradientMatchesFiniteDifferences([0.3, 1.7, -0.4, 2.2, 0.9, -1.1, 0.2, 0.8, 1.5, -0.6], [5, 2],
            s => torch.segment_softmax(s, receivers, 4));
    }

    [Fact]
    public void LayerNormGradientIsRightForInputWeightAndBias()
    {
        double[] x = [0.3, 1.7, -0.4, 2.2, 0.9, -1.1, 0.2, 0.8];
        using var weight = torch.tensor(new[] { 1.5, -0.5, 2.0, 0.7 });
        using var bias = torch.tensor(new[] { 0.1, 0.2, -0.3, 0.0 });
        GradientMatchesFiniteDifferences(x, [2, 4], t => F.layer_norm(t, [4], weight, bias));
        GradientMatchesFiniteDifferences([1.5, -0.5, 2.0, 0.7], [4], w => F.layer_norm(torch.tensor(x, 2, 4), [4], w, bias));
        GradientMatchesFiniteDifferences([0.1, 0.2, -0.3, 0.0], [4], b => F.layer_norm(torch.tensor(x, 2, 4), [4], weight, b));
    }
}
