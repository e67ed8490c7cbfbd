using GnnSim.Operators.Layers;
using GnnSim.Operators.Particles;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Operators.Tests;

public class ParticleOperatorTests
{
    /// <summary>The MLP of a kernel (Linear, GELU, Linear, GELU, Linear) from its state dict, written out.</summary>
    static Tensor Kernel(IReadOnlyDictionary<string, Tensor> p, string prefix, Tensor x)
    {
        var h = F.linear(x, p[$"{prefix}.0.weight"], p[$"{prefix}.0.bias"]).gelu();
        h = F.linear(h, p[$"{prefix}.2.weight"], p[$"{prefix}.2.bias"]).gelu();
        return F.linear(h, p[$"{prefix}.4.weight"], p[$"{prefix}.4.bias"]);
    }

    [Fact]
    public void TheKernelIntegralIsItsEquation()
    {
        // v(x) = 1/|N(x)| sum over y in N(x) of kappa((y - x) / r) * W f(y); target 2 has no source and gets 0.
        torch.manual_seed(3);
        using var integral = new KernelIntegral(dimension: 2, inputs: 3, outputs: 4, kernelHidden: 5);
        using var scope = torch.NewDisposeScope();
        var features = torch.randn(3, 3);
        var offsets = torch.randn(4, 2);
        long[] sources = [0, 2, 1, 2], targets = [0, 0, 1, 1];
        var actual = integral.forward(offsets, features, torch.tensor(sources, 4), torch.tensor(targets, 4), 3).ToArray<float>();
        var p = integral.state_dict();
        var values = F.linear(features, p["value.weight"], p["value.bias"]);
        for (var t = 0; t < 3; t++)
        {
            var pairs = Enumerable.Range(0, 4).Where(k => targets[k] == t).ToList();
            var expected = new double[4];
            foreach (var k in pairs)
            {
                var weight = Kernel(p, "kernel", offsets.narrow(0, k, 1)).ToArray<float>();
                var value = values.narrow(0, sources[k], 1).ToArray<float>();
                for (var c = 0; c < 4; c++) expected[c] += weight[c] * value[c] / pairs.Count;
            }
            for (var c = 0; c < 4; c++) Assert.Equal(expected[c], actual[t * 4 + c], 1e-5);
        }
    }

    [Fact]
    public void TheNeuralFieldCarriesACommonTranslationThroughItsInterpolation()
    {
        // u_bar = sum of softmax(a(rho)) u_j is a convex combination: with every particle displaced by the same t it is t,
        // and u(q) = t + sum w_j c(rho_j, 0). Written out for one query with three neighbours.
        torch.manual_seed(4);
        using var field = new NeuralField(2, hidden: 6);
        using var scope = torch.NewDisposeScope();
        var offsets = torch.randn(3, 2);
        var shift = torch.tensor(new float[] { 0.3f, -0.2f }, 1, 2);
        var features = torch.cat([offsets, torch.cat([shift, shift, shift])], 1);
        var actual = field.forward(features, torch.zeros([3], ScalarType.Int64), 1).ToArray<float>();
        var p = field.state_dict();
        var logits = Kernel(p, "weight", offsets).ToArray<float>();
        var w = logits.Select(l => Math.Exp(l - logits.Max())).ToArray();
        var total = w.Sum();
        var corrections = Kernel(p, "correction", torch.cat([offsets, torch.zeros(3, 2)], 1)).ToArray<float>();
        for (var c = 0; c < 2; c++)
        {
            var expected = (c == 0 ? 0.3 : -0.2) + Enumerable.Range(0, 3).Sum(j => w[j] / total * corrections[j * 2 + c]);
            Assert.Equal(expected, actual[c], 1e-5);
        }
    }

    [Fact]
    public void TheLatentGridSpansEachGraphsParticlesWithItsOwnPairs()
    {
        // Two graphs: particles in [0.2, 0.6] x [0.3, 0.5] and in [0, 1] x [0, 0.5]; G = 3: spacing 0.2 and 0.5.
        using var scope = torch.NewDisposeScope();
        var positions = torch.tensor(new float[] { 0.2f, 0.3f, 0.6f, 0.5f, 0.4f, 0.4f, 0f, 0f, 1f, 0.5f }, 5, 2);
        using var grid = LatentGrid.For(positions, [0, 3, 5], side: 3, radiusCells: 1.01);
        Assert.Equal([0, 9, 18], grid.NodeOffsets);
        var points = grid.Points.ToArray<float>();
        // Graph 0: a cube of side 0.4 centred on (0.4, 0.4): x 0.2, 0.4, 0.6 and y 0.2, 0.4, 0.6.
        Assert.Equal(0.2, points[0], 1e-6);
        Assert.Equal(0.2, points[1], 1e-6);
        Assert.Equal(0.6, points[2 * 8], 1e-6);
        Assert.Equal(0.6, points[2 * 8 + 1], 1e-6);
        Assert.Equal(0.202, grid.Radii.ToArray<float>()[0], 1e-6);
        Assert.Equal(0.505, grid.Radii.ToArray<float>()[9], 1e-6);
        var particles = grid.Particles.ToArray<long>();
        var nodes = grid.Nodes.ToArray<long>();
        // Every pair stays within its graph and within the radius.
        var r = grid.Radii.ToArray<float>();
        var p = positions.ToArray<float>();
        for (var k = 0; k < particles.Length; k++)
        {
            Assert.Equal(particles[k] < 3, nodes[k] < 9);
            var d = Math.Sqrt(Math.Pow(p[2 * particles[k]] - points[2 * nodes[k]], 2) + Math.Pow(p[2 * particles[k] + 1] - points[2 * nodes[k] + 1], 2));
            Assert.True(d <= r[nodes[k]] + 1e-6, $"pair {k} is {d} apart, radius {r[nodes[k]]}");
        }
        // The centre particle of graph 0 (0.4, 0.4) sits on a node and is 0.2 from four more (the diagonal ones are 0.28 away).
        Assert.Equal(5, particles.Count(i => i == 2));
    }
}
