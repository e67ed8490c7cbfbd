using GnnSim.Operators.GraphTransformers;
using GnnSim.Operators.Layers;
using GnnSim.Operators.MeshGraphNets;

namespace GnnSim.Operators.Tests;

public class MeshTransformerTests
{
    private static readonly OperatorWidths Widths = new(5, new Dictionary<string, int> { [OperatorBatch.MeshEdges] = 3 }, 2);

    /// <summary>The graph with the edge sets the operator derives, built as the data side builds them.</summary>
    private static OperatorGraph WithDerivedSets(OperatorGraph graph, GraphOperator model, int seed = 0)
    {
        var mesh = graph.EdgeSets[OperatorBatch.MeshEdges].Topology;
        var sets = new Dictionary<string, OperatorGraph.Edges>(graph.EdgeSets);
        foreach (var derived in model.DerivedEdgeSets)
        {
            var topology = derived.Build(mesh, new Random(seed));
            var (s, r) = topology.ToTensors();
            sets[derived.Name] = new(topology, s, r, null);
        }
        return graph with { EdgeSets = sets };
    }

    /// <summary>A path 0 - 1 - ... - (n - 1), both directions.</summary>
    private static SparseGraph Path(int n)
    {
        var senders = Enumerable.Range(0, n - 1).SelectMany(i => new[] { i, i + 1 }).ToArray();
        var receivers = Enumerable.Range(0, n - 1).SelectMany(i => new[] { i + 1, i }).ToArray();
        return new SparseGraph(n, senders, receivers);
    }

    private static HashSet<int> SendersTo(SparseGraph graph, int receiver) =>
        Enumerable.Range(0, graph.EdgeCount).Where(e => graph.Receivers[e] == receiver).Select(e => graph.Senders[e]).ToHashSet();

    [Fact]
    public void MaskedAttentionIsDenseAttentionWithMinusInfinityOutsideTheMask()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        const int n = 5, c = 6, heads = 2, d = c / heads;
        using var attention = new MaskedAttention(c, heads);
        // A small directed mask; node 4 receives nothing (its output is the projection's bias).
        int[] from = [0, 1, 2, 3, 0, 2, 1], to = [1, 0, 1, 2, 3, 3, 2];
        var x = torch.randn(n, c);
        var actual = attention.forward(x, torch.tensor(from.Select(v => (long)v).ToArray(), from.Length), torch.tensor(to.Select(v => (long)v).ToArray(), to.Length))
            .@double().ToArray<double>();

        var p = attention.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.@double().ToArray<double>());
        var input = x.@double().ToArray<double>();
        double[] Project(string name, double[] row)
        {
            var result = new double[c];
            for (var o = 0; o < c; o++)
            {
                result[o] = p[name + ".bias"][o];
                for (var k = 0; k < c; k++) result[o] += p[name + ".weight"][o * c + k] * row[k];
            }
            return result;
        }
        var rows = Enumerable.Range(0, n).Select(i => input.Skip(i * c).Take(c).ToArray()).ToArray();
        var q = rows.Select(r => Project("q_proj", r)).ToArray();
        var k = rows.Select(r => Project("k_proj", r)).ToArray();
        var v = rows.Select(r => Project("v_proj", r)).ToArray();
        var expected = new List<double>();
        for (var r = 0; r < n; r++)
        {
            var merged = new double[c];
            for (var h = 0; h < heads; h++)
            {
                // Channel j * H + h is component j of head h.
                var scores = new double[n];
                for (var s = 0; s < n; s++)
                {
                    var inMask = Enumerable.Range(0, from.Length).Any(e => from[e] == s && to[e] == r);
                    double dot = 0;
                    for (var j = 0; j < d; j++) dot += q[r][j * heads + h] * k[s][j * heads + h];
                    scores[s] = inMask ? dot / Math.Sqrt(d) : double.NegativeInfinity;
                }
                if (scores.All(double.IsNegativeInfinity)) continue;
                var max = scores.Max();
                var weights = scores.Select(sc => Math.Exp(sc - max)).ToArray();
                var total = weights.Sum();
                for (var s = 0; s < n; s++)
                    for (var j = 0; j < d; j++) merged[j * heads + h] += weights[s] / total * v[s][j * heads + h];
            }
            expected.AddRange(Project("proj", merged));
        }
        LayerTests.AssertClose(expected.ToArray(), actual, 1e-5);
    }

    [Fact]
    public void AttentionWeightsSumToOneOverEachReceiversNeighbours()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        const int c = 4;
        using var attention = new MaskedAttention(c, heads: 2);
        // Values all 1 and an identity projection: the output is the sum of a node's attention weights.
        var p = attention.state_dict();
        using (torch.no_grad())
        {
            p["v_proj.weight"].zero_();
            p["v_proj.bias"].fill_(1.0);
            p["proj.weight"].copy_(torch.tensor(Enumerable.Range(0, c * c).Select(i => i % (c + 1) == 0 ? 1f : 0f).ToArray(), c, c));
            p["proj.bias"].zero_();
        }
        var graph = MeshGraphNetTests.RandomGraph(9).EdgeSets[OperatorBatch.MeshEdges];
        var sums = attention.forward(torch.randn(9, c) * 5, graph.Senders, graph.Receivers).@double().ToArray<double>();
        Assert.All(sums, sum => Assert.Equal(1.0, sum, 5));
    }

    [Fact]
    public void RopeTurnsEachPairByItsPositionSoThatScoresSeeOnlyDifferences()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var frequencies = MaskedAttention.RotaryFrequencies(2, 10000);
        var w = frequencies.@double().ToArray<double>();
        Assert.Equal(1.0, w[0], 6);
        Assert.Equal(Math.Exp(-Math.Log(10000) / 2), w[1], 6);

        // One head of 10 components over 2-D positions: 2 blocks of 2 pairs turned, 2 components left alone.
        var positions = torch.tensor(new float[] { 0.3f, -1.2f }, 1, 2);
        var unit = torch.zeros(1, 10, 1);
        using (torch.no_grad()) unit.view(10).narrow(0, 6, 1).fill_(1.0); // block 1 (y), pair 1, even component
        var turned = MaskedAttention.Rotate(unit, positions, frequencies).view(10).@double().ToArray<double>();
        var angle = -1.2 * w[1];
        Assert.Equal(Math.Cos(angle), turned[6], 5);
        Assert.Equal(Math.Sin(angle), turned[7], 5);
        Assert.Equal(8, turned.Count(t => Math.Abs(t) < 1e-7)); // the other components stay 0

        // q(p) . k(p') is unchanged when both positions move by the same offset; the last two components are never turned.
        var q = torch.randn(1, 10, 1);
        var k = torch.randn(1, 10, 1);
        double Score(Tensor pq, Tensor pk) => (MaskedAttention.Rotate(q, pq, frequencies) * MaskedAttention.Rotate(k, pk, frequencies)).sum().item();
        var p1 = torch.tensor(new float[] { 0.1f, 0.7f }, 1, 2);
        var p2 = torch.tensor(new float[] { -0.4f, 0.2f }, 1, 2);
        var shift = torch.tensor(new float[] { 2.5f, -3.0f }, 1, 2);
        Assert.Equal(Score(p1, p2), Score(p1 + shift, p2 + shift), 4);
        Assert.NotEqual(Score(p1, p2), Score(p1, p2 + shift), 2);
        var rest = MaskedAttention.Rotate(q, p1, frequencies).view(10).narrow(0, 8, 2).ToArray<float>();
        Assert.Equal(q.view(10).narrow(0, 8, 2).ToArray<float>(), rest);
    }

    [Fact]
    public void KHopDilatedAndSelfSetsAreDisjointRingsOfAPath()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new MeshTransformer(Widths, new MeshTransformerOptions { Width = 8, Blocks = 1, Heads = 2, KHop = 2, Dilation = 3, Window = 2, SelfLoops = true });
        var path = Path(12);
        var sets = model.DerivedEdgeSets.ToDictionary(s => s.Name, s => s.Build(path, new Random(0)));
        Assert.Equal([MeshTransformer.KHopEdges, MeshTransformer.DilatedEdges, MeshTransformer.SelfEdges], sets.Keys);
        // Node 5: the mesh gives 4 and 6; k-hop adds distance 2 only; dilated windows the rings 3 and 6 hops away.
        Assert.Equal([4, 6], SendersTo(path, 5).Order());
        Assert.Equal([3, 7], SendersTo(sets[MeshTransformer.KHopEdges], 5).Order());
        Assert.Equal([2, 8, 11], SendersTo(sets[MeshTransformer.DilatedEdges], 5).Order());
        Assert.Equal([5], SendersTo(sets[MeshTransformer.SelfEdges], 5));
        Assert.Empty(SendersTo(sets[MeshTransformer.DilatedEdges], 5).Intersect(SendersTo(sets[MeshTransformer.KHopEdges], 5)));
    }

    [Fact]
    public void RandomJumpsAreNewFarEdgesBothWaysRedrawnEachTime()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new MeshTransformer(Widths, new MeshTransformerOptions { Width = 8, Blocks = 1, Heads = 2, KHop = 2, RandomJumps = 2 });
        var path = Path(40);
        var jumps = Assert.Single(model.DerivedEdgeSets, s => s.Name == MeshTransformer.JumpEdges);
        Assert.True(jumps.Redrawn);
        var khop = model.DerivedEdgeSets.Single(s => s.Name == MeshTransformer.KHopEdges).Build(path, new Random(0));
        var first = jumps.Build(path, new Random(1));
        var second = jumps.Build(path, new Random(2));
        Assert.Equal(2 * 40, first.EdgeCount);           // two per node on average, both directions
        Assert.True(first.IsUndirected());
        var near = Enumerable.Range(0, path.EdgeCount).Select(e => (path.Senders[e], path.Receivers[e]))
            .Concat(Enumerable.Range(0, khop.EdgeCount).Select(e => (khop.Senders[e], khop.Receivers[e]))).ToHashSet();
        Assert.All(Enumerable.Range(0, first.EdgeCount), e => Assert.DoesNotContain((first.Senders[e], first.Receivers[e]), near));
        Assert.NotEqual(first.Senders, second.Senders);
    }

    [Fact]
    public void GlobalTokensAreLinkedToTheNodesOfTheirOwnGraphOnly()
    {
        using var scope = torch.NewDisposeScope();
        var (nodes, tokens) = MeshTransformer.TokenEdges([0, 3, 5], tokensPerGraph: 2, Device.CPU);
        var pairs = nodes.ToArray<long>().Zip(tokens.ToArray<long>()).ToList();
        // Nodes 0-2 (graph 0) with tokens 5, 6; nodes 3-4 (graph 1) with tokens 7, 8.
        Assert.Equal(5 * 2, pairs.Count);
        Assert.All(pairs, pair => Assert.Contains(pair.Second, pair.First < 3 ? new[] { 5L, 6L } : [7L, 8L]));
        Assert.Equal(Enumerable.Range(0, 5).SelectMany(n => new[] { (long)n, n }), pairs.Select(p => p.First));
    }

    [Fact]
    public void ABatchOfTwoGraphsGivesWhatEachGivesAloneWithEveryFixedAugmentation()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        using var model = new MeshTransformer(Widths, new MeshTransformerOptions
        {
            Width = 8, Blocks = 2, Heads = 2, Rope = true, KHop = 2, Dilation = 2, Window = 2, GlobalTokens = 2, SelfLoops = true,
        });
        OperatorGraph a = WithDerivedSets(MeshGraphNetTests.RandomGraph(7), model), b = WithDerivedSets(MeshGraphNetTests.RandomGraph(10), model);
        var together = model.forward(OperatorBatch.Combine([a, b])).@double().ToArray<double>();
        var alone = model.forward(OperatorBatch.Combine([a])).@double().ToArray<double>().Concat(model.forward(OperatorBatch.Combine([b])).@double().ToArray<double>()).ToArray();
        LayerTests.AssertClose(alone, together, 1e-5);
    }

    [Fact]
    public void TheGlobalTokensCarryInformationAcrossTheGraph()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        // Two blocks on a 20-node path: without tokens a node hears nodes two hops away; with them every
        // node (the tokens gather the graph in the first block, the nodes read them in the second).
        var options = new MeshTransformerOptions { Width = 8, Blocks = 2, Heads = 2 };
        var path = Path(20);
        var (s, r) = path.ToTensors();
        var inputs = torch.randn(20, 5);
        var positions = torch.rand(20, 2);
        OperatorGraph Graph(Tensor x) => new(x, positions, new Dictionary<string, OperatorGraph.Edges> { [OperatorBatch.MeshEdges] = new(path, s, r, torch.zeros(path.EdgeCount, 3)) });
        var bump = torch.zeros(20, 5);
        bump.narrow(0, 19, 1).fill_(1.0);
        var changed = inputs + bump;
        double Reach(MeshTransformerOptions o)
        {
            using var model = new MeshTransformer(Widths, o);
            using var noGrad = torch.no_grad();
            var before = model.forward(OperatorBatch.Combine([Graph(inputs)]));
            var after = model.forward(OperatorBatch.Combine([Graph(changed)]));
            return (after - before).narrow(0, 0, 1).abs().max().item();
        }
        Assert.Equal(0.0, Reach(options));
        Assert.True(Reach(new MeshTransformerOptions { Width = 8, Blocks = 2, Heads = 2, GlobalTokens = 1 }) > 1e-6);
    }

    [Fact]
    public void StateDictKeysAreGraphPhysicsAndTheSmallModelIsASixthOfMeshGraphNet()
    {
        var cylinder = new OperatorWidths(2 + 9, new Dictionary<string, int> { [OperatorBatch.MeshEdges] = 3 }, 2);
        using var small = new MeshTransformer(cylinder, new MeshTransformerOptions());
        using var mgn = new MeshGraphNet(cylinder, new MeshGraphNetOptions());
        var keys = small.state_dict().Keys.ToHashSet();
        foreach (var key in new[] { "nodes_encoder.0.weight", "nodes_encoder.6.bias", "nodes_encoder.7.scale", "processor_list.3.attention.q_proj.weight",
                     "processor_list.0.attention.proj.bias", "processor_list.0.norm1.scale", "processor_list.0.gated_mlp.0.scale",
                     "processor_list.0.gated_mlp.1.linear1.weight", "processor_list.0.gated_mlp.1.linear2.bias", "processor_list.0.gated_mlp.2.weight", "decode_module.6.weight" })
            Assert.Contains(key, keys);
        Assert.DoesNotContain("decode_module.7.scale", keys);
        Assert.True(6 * small.parameter_count() <= mgn.parameter_count(), $"{small.parameter_count()} parameters against MeshGraphNet's {mgn.parameter_count()}");
        Assert.Throws<ArgumentException>(() => new MeshTransformer(cylinder, new MeshTransformerOptions { Heads = 3 }));
        Assert.Contains("k_hop", Assert.Throws<ArgumentException>(() => new MeshTransformer(cylinder, new MeshTransformerOptions { KHop = 0 })).Message);
    }

    [Fact]
    public void RmsNormIsGraphPhysicsFormula()
    {
        using var scope = torch.NewDisposeScope();
        using var norm = new RmsNorm(3);
        var x = torch.tensor(new float[] { 3, 0, 4, 0, 0, 0 }, 2, 3);
        var y = norm.forward(x).@double().ToArray<double>();
        // rms of (3, 0, 4) is 5 / sqrt 3; a zero row stays zero (eps, not a division by zero).
        var rms = 5 / Math.Sqrt(3);
        LayerTests.AssertClose([3 / rms, 0, 4 / rms, 0, 0, 0], y, 1e-6);
    }
}
