using GnnSim.Operators.Layers;
using GnnSim.Operators.MeshGraphNets;
using GnnSim.Torch.Modules;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Operators.Tests;

public class LayerTests
{
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
            var hidden = F.linear(x, parameters[$"{prefix}.0.weight"], parameters[$"{prefix}.0.bias"]).relu();
            var output = F.linear(hidden, parameters[$"{prefix}.2.weight"], parameters[$"{prefix}.2.bias"]);
            return F.layer_norm(output, [4], parameters[$"{prefix}.3.weight"], parameters[$"{prefix}.3.bias"]);
        }
        var messages = Mlp("edge_mlp", torch.cat([nodes.index_select(0, senders), nodes.index_select(0, receivers), edges], 1));
        var sums = torch.zeros(3, 4).index_add(0, receivers, messages);
        var expectedNodes = nodes + Mlp("node_mlp", torch.cat([nodes, sums], 1));
        AssertClose((edges + messages).@double().ToArray<double>(), newEdges.@double().ToArray<double>(), 1e-5);
        AssertClose(expectedNodes.@double().ToArray<double>(), newNodes.@double().ToArray<double>(), 1e-5);
    }

    internal static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
