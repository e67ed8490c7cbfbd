using GnnSim.Operators.Layers;
using GnnSim.Operators.MeshGraphNet;
using GnnSim.Torch.Modules;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Operators.Tests;

public class LayerTests
{
    [Fact]
    public void NormalizerStatisticsMatchADirectComputation()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var normalizer = new OnlineNormalizer(3, maxAccumulations: 2);
        var batches = new[] { torch.randn(50, 3) * 4 + 2, torch.randn(30, 3) * 0.5 - 1, torch.randn(20, 3) * 100 };
        foreach (var batch in batches) normalizer.forward(batch, accumulate: true);
        Assert.Equal(2, normalizer.Accumulations); // the third batch came after the limit and was not counted

        var seen = torch.cat([batches[0], batches[1]]).@double();
        var mean = seen.mean(0);
        var std = seen.var(0, unbiased: false).sqrt();
        AssertClose(mean.ToArray<double>(), normalizer.Mean().@double().ToArray<double>(), 1e-5);
        AssertClose(std.ToArray<double>(), normalizer.Std().@double().ToArray<double>(), 1e-5);

        var x = torch.randn(7, 3);
        var roundTrip = normalizer.Inverse(normalizer.forward(x, accumulate: false));
        AssertClose(x.@double().ToArray<double>(), roundTrip.@double().ToArray<double>(), 1e-4);
    }

    [Fact]
    public void NormalizerFloorsTheStdOfAConstantFeature()
    {
        using var scope = torch.NewDisposeScope();
        using var normalizer = new OnlineNormalizer(1, stdEpsilon: 1e-8);
        normalizer.forward(torch.full([10, 1], 3.0), accumulate: true);
        Assert.Equal(1e-8, normalizer.Std().item(), 12);
        Assert.Equal(3.0, normalizer.Mean().item(), 6);
        Assert.Equal(0.0, normalizer.forward(torch.full([1, 1], 3.0), accumulate: false).item(), 6);
    }

    [Fact]
    public void ConcatTrickEqualsTheMlpOfTheConcatenation()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        using var mlp = new Mlp(7, 16, 5, hiddenLayers: 2);
        var a = torch.randn(11, 3);
        var b = torch.randn(11, 4);
        var direct = mlp.forward(torch.cat([a, b], 1));
        var piecewise = mlp.ForwardConcatenated(a, b);
        AssertClose(direct.@double().ToArray<double>(), piecewise.@double().ToArray<double>(), 1e-5);
    }

    [Fact]
    public void GraphNetBlockIsTheEquationsOfTheMeshGraphNetsPaper()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        using var block = new GraphNetBlock(latent: 4, hiddenLayers: 1);
        var nodes = torch.randn(3, 4);
        var edges = torch.randn(4, 4);
        var senders = torch.tensor(new long[] { 0, 1, 2, 2 }, 4);
        var receivers = torch.tensor(new long[] { 1, 0, 0, 1 }, 4);
        var (newNodes, newEdges) = block.forward(nodes, edges, senders, receivers);

        // e' = f_e([h_s, h_r, e]); h' = f_v([h, sum of e' over incoming edges]); residuals.
        var parameters = block.state_dict();
        Tensor Mlp(string prefix, Tensor x)
        {
            var hidden = F.linear(x, parameters[$"{prefix}.linear0.weight"], parameters[$"{prefix}.linear0.bias"]).relu();
            var output = F.linear(hidden, parameters[$"{prefix}.linear1.weight"], parameters[$"{prefix}.linear1.bias"]);
            return F.layer_norm(output, [4], parameters[$"{prefix}.norm.weight"], parameters[$"{prefix}.norm.bias"]);
        }
        var messages = Mlp("edge_mlp", torch.cat([nodes.index_select(0, senders), nodes.index_select(0, receivers), edges], 1));
        var sums = torch.zeros(3, 4).index_add(0, receivers, messages);
        var expectedNodes = nodes + Mlp("node_mlp", torch.cat([nodes, sums], 1));
        AssertClose((edges + messages).@double().ToArray<double>(), newEdges.@double().ToArray<double>(), 1e-5);
        AssertClose(expectedNodes.@double().ToArray<double>(), newNodes.@double().ToArray<double>(), 1e-5);
    }

    [Fact]
    public void StaticFeaturesAreOneHotTypesAndParametersAndEdgesAreRelativePositions()
    {
        using var scope = torch.NewDisposeScope();
        // Two triangles: 0 (0,0) NORMAL, 1 (1,0) WALL, 2 (0,1) INFLOW, 3 (1,1) OUTFLOW.
        var graph = MeshEdges.FromCells([0, 1, 2, 1, 3, 2], 3, 4);
        var trajectory = new SimulationTrajectory("square", graph, [0, 0, 1, 0, 0, 1, 1, 1],
            [(int)NodeType.Normal, (int)NodeType.WallBoundary, (int)NodeType.Inflow, (int)NodeType.Outflow],
            ["u"], [0, 0, 0, 0, 1, 1, 1, 1], [2.5f, -1f], 0.1);
        using var tensors = TrajectoryTensors.Create(trajectory);

        var features = tensors.StaticNodeFeatures.ToArray<float>();
        Assert.Equal([4L, 11L], tensors.StaticNodeFeatures.shape);
        int[] expectedType = [0, 6, 4, 5];
        for (var node = 0; node < 4; node++)
        {
            for (var code = 0; code < 9; code++) Assert.Equal(code == expectedType[node] ? 1f : 0f, features[node * 11 + code]);
            Assert.Equal(2.5f, features[node * 11 + 9]);
            Assert.Equal(-1f, features[node * 11 + 10]);
        }
        Assert.Equal([true, false, false, true], tensors.PredictedMask.ToArray<bool>());

        // 5 undirected sides, both directions; every edge carries x_s - x_r and its length.
        Assert.Equal(10, graph.EdgeCount);
        var edgeFeatures = tensors.EdgeFeatures.ToArray<float>();
        for (var e = 0; e < graph.EdgeCount; e++)
        {
            int s = graph.Senders[e], r = graph.Receivers[e];
            float dx = trajectory.Positions[2 * s] - trajectory.Positions[2 * r], dy = trajectory.Positions[2 * s + 1] - trajectory.Positions[2 * r + 1];
            Assert.Equal(dx, edgeFeatures[3 * e], 6);
            Assert.Equal(dy, edgeFeatures[3 * e + 1], 6);
            Assert.Equal(MathF.Sqrt(dx * dx + dy * dy), edgeFeatures[3 * e + 2], 6);
        }
    }

    internal static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
