using GnnSim.Operators.GraphTransformers;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Operators.Tests;

public class PhysGtoTests
{
    // 2 state columns, then 3 node-condition columns (a node type one-hot, say).
    private static readonly OperatorWidths Widths = new(5, new Dictionary<string, int> { [OperatorBatch.MeshEdges] = 3 }, 2, StateInputs: 2);

    private static PhysGtoOptions Small => new() { Width = 8, Blocks = 2, Heads = 2, Tokens = 3, Frequencies = 2, Hidden = 12 };

    private static OperatorGraph Timed(OperatorGraph graph, float time) => graph with { Time = torch.tensor([time], 1) };

    [Fact]
    public void ProjectionAttentionIsItsFormulaWrittenOutWithLoops()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        const int n = 5, c = 4, heads = 2, tokens = 3, d = c / heads;
        using var attention = new ProjectionAttention(c, heads, tokens);
        var x = torch.randn(n, c);
        var actual = attention.forward(x, [0, n]).@double().ToArray<double>();

        var p = attention.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.@double().ToArray<double>());
        var input = x.@double().ToArray<double>();
        double[,] Linear(string name, int inputs, int outputs, double[,] rows, bool bias = true)
        {
            var w = p[name + ".weight"];
            var result = new double[rows.GetLength(0), outputs];
            for (var i = 0; i < rows.GetLength(0); i++)
            for (var o = 0; o < outputs; o++)
            {
                var sum = bias ? p[name + ".bias"][o] : 0;
                for (var k = 0; k < inputs; k++) sum += w[o * inputs + k] * rows[i, k];
                result[i, o] = sum;
            }
            return result;
        }
        var xs = new double[n, c];
        for (var i = 0; i < n; i++) for (var k = 0; k < c; k++) xs[i, k] = input[i * c + k];
        var keys = Linear("kv_1", c, c, xs);
        var queries = Linear("q_3", c, c, xs);
        var merged = new double[n, c];
        var scale = 1 / Math.Sqrt(d);
        for (var h = 0; h < heads; h++)
        {
            // A1 = softmax over nodes of Q K^T / sqrt d; tokens = A1 K.
            var token = new double[tokens, d];
            for (var m = 0; m < tokens; m++)
            {
                var scores = new double[n];
                for (var j = 0; j < n; j++)
                    for (var k = 0; k < d; k++) scores[j] += p["Q"][(h * tokens + m) * d + k] * keys[j, h * d + k] * scale;
                var weights = Softmax(scores);
                for (var j = 0; j < n; j++) for (var k = 0; k < d; k++) token[m, k] += weights[j] * keys[j, h * d + k];
            }
            var kv = Linear("qkv_2", d, 2 * d, token, bias: false); // [M, 2d]: keys then values
            // A2 = softmax over tokens of q k^T / sqrt d; the node reads A2 v.
            for (var i = 0; i < n; i++)
            {
                var scores = new double[tokens];
                for (var m = 0; m < tokens; m++) for (var k = 0; k < d; k++) scores[m] += queries[i, h * d + k] * kv[m, k] * scale;
                var weights = Softmax(scores);
                for (var m = 0; m < tokens; m++) for (var k = 0; k < d; k++) merged[i, h * d + k] += weights[m] * kv[m, d + k];
            }
        }
        var expected = Linear("proj", c, c, merged);
        LayerTests.AssertClose(expected.Cast<double>().ToArray(), actual, 1e-5);
    }

    private static double[] Softmax(double[] scores)
    {
        var max = scores.Max();
        var exp = scores.Select(s => Math.Exp(s - max)).ToArray();
        return exp.Select(e => e / exp.Sum()).ToArray();
    }

    [Fact]
    public void ProjectionAttentionSoftmaxesOverEachGraphAlone()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        using var attention = new ProjectionAttention(8, 2, 4);
        var x = torch.randn(9, 8);
        var together = attention.forward(x, [0, 4, 9]).@double().ToArray<double>();
        var alone = attention.forward(x.narrow(0, 0, 4), [0, 4]).@double().ToArray<double>()
            .Concat(attention.forward(x.narrow(0, 4, 5), [0, 5]).@double().ToArray<double>()).ToArray();
        LayerTests.AssertClose(alone, together, 1e-6);
        // Across graphs it would differ: the second graph's nodes would share the first's tokens.
        var mixed = attention.forward(x, [0, 9]).@double().ToArray<double>();
        Assert.True(mixed.Zip(together).Max(t => Math.Abs(t.First - t.Second)) > 1e-3);
    }

    [Fact]
    public void FluxMessagePassingIsItsEquations()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        const int nodeWidth = 6, edgeWidth = 4;
        using var flux = new FluxMessagePassing(nodeWidth, edgeWidth, 5, hidden: 7);
        var nodes = torch.randn(4, nodeWidth);
        var edges = torch.randn(5, edgeWidth);
        long[] s = [1, 2, 3, 3, 2], r = [0, 0, 1, 2, 1];
        var senders = torch.tensor(s, 5);
        var receivers = torch.tensor(r, 5);
        double[] ShareOf(long[] index) => Enumerable.Range(0, 4).Select(i => index.Count(j => j == i) is var k and > 0 ? 1.0 / k : 0).ToArray();
        var (v, e) = flux.forward(nodes, edges, senders, receivers, torch.tensor(ShareOf(s).Select(x => (float)x).ToArray(), 4, 1),
            torch.tensor(ShareOf(r).Select(x => (float)x).ToArray(), 4, 1));

        var p = flux.state_dict();
        Tensor Mlp(string prefix, Tensor x, long width) =>
            F.layer_norm(F.linear(F.linear(x, p[$"{prefix}.0.weight"], p[$"{prefix}.0.bias"]).gelu(), p[$"{prefix}.2.weight"], p[$"{prefix}.2.bias"]),
                [width], p[$"{prefix}.3.weight"], p[$"{prefix}.3.bias"]);
        // e = f_e([V[s], V[r], E]); the first half's mean goes to the senders, the second half's to the receivers.
        var messages = Mlp("f_edge", torch.cat([nodes.index_select(0, senders), nodes.index_select(0, receivers), edges], 1), edgeWidth);
        var m = messages.@double().ToArray<double>();
        var means = new double[4 * edgeWidth];
        for (var k = 0; k < 5; k++)
            for (var c = 0; c < edgeWidth / 2; c++)
            {
                means[s[k] * edgeWidth + c] += m[k * edgeWidth + c] / s.Count(j => j == s[k]);
                means[r[k] * edgeWidth + edgeWidth / 2 + c] += m[k * edgeWidth + edgeWidth / 2 + c] / r.Count(j => j == r[k]);
            }
        Assert.Equal(0, means[0]); // node 0 sends nothing: its sender mean is zero
        var expected = Mlp("f_node", torch.cat([nodes, torch.tensor(means.Select(x => (float)x).ToArray(), 4, edgeWidth)], 1), 5);
        LayerTests.AssertClose(m, e.@double().ToArray<double>(), 1e-5);
        LayerTests.AssertClose(expected.@double().ToArray<double>(), v.@double().ToArray<double>(), 1e-5);
    }

    [Fact]
    public void FourierFeaturesOfKnownPoints()
    {
        using var scope = torch.NewDisposeScope();
        var features = PhysGto.FourierFeatures(torch.tensor(new[] { 0.25f, 0.5f }, 1, 2), torch.tensor(new[] { MathF.PI, 2 * MathF.PI }, 2)).ToArray<float>();
        // x: cos(pi/4), cos(pi/2), sin(pi/4), sin(pi/2); y: cos(pi/2), cos(pi), sin(pi/2), sin(pi); then x and y.
        double[] expected = [Math.Sqrt(0.5), 0, Math.Sqrt(0.5), 1, 0, -1, 1, 0, 0.25, 0.5];
        LayerTests.AssertClose(expected, features.Select(f => (double)f).ToArray(), 1e-6);
    }

    [Fact]
    public void PositionsAreScaledByEachGraphsOwnBox()
    {
        using var scope = torch.NewDisposeScope();
        var positions = torch.tensor(new[] { 1f, 10, 3, 20, 2, 15, -1, 0, 1, 4 }, 5, 2);
        var scaled = PhysGto.ScaledPositions(positions, [0, 3, 5]).ToArray<float>();
        Assert.Equal([0f, 0, 1, 1, 0.5f, 0.5f, 0, 0, 1, 1], scaled);
    }

    [Fact]
    public void TheDecoderGateStartsAtSiluOfOneThirtieth()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(8);
        using var model = new PhysGto(Widths, Small);
        var alpha = model.state_dict()["alpha"];
        Assert.Equal(1.0 / 30, alpha.item(), 6);
        var batch = OperatorBatch.Combine([Timed(MeshGraphNetTests.RandomGraph(6), 0.3f)]);
        var start = model.forward(batch).@double().ToArray<double>();
        using (torch.no_grad()) alpha.fill_(2.0);
        var later = model.forward(batch).@double().ToArray<double>();
        static double Silu(double x) => x / (1 + Math.Exp(-x));
        // The output is the decoder MLP's times SiLU(alpha): the ratio is the gates' ratio everywhere.
        Assert.All(start.Zip(later), pair => Assert.Equal(Silu(2) / Silu(1.0 / 30), pair.Second / pair.First, 3));
    }

    [Fact]
    public void ABatchOfTwoGraphsGivesWhatEachGivesAlone()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(9);
        using var model = new PhysGto(Widths, Small);
        OperatorGraph a = Timed(MeshGraphNetTests.RandomGraph(7), 0.1f), b = Timed(MeshGraphNetTests.RandomGraph(10), 0.7f);
        var together = model.forward(OperatorBatch.Combine([a, b])).@double().ToArray<double>();
        var alone = model.forward(OperatorBatch.Combine([a])).@double().ToArray<double>().Concat(model.forward(OperatorBatch.Combine([b])).@double().ToArray<double>()).ToArray();
        LayerTests.AssertClose(alone, together, 1e-5);
    }

    [Fact]
    public void CheckpointedBlocksGiveTheSameOutputsAndGradients()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(13);
        using var model = new PhysGto(Widths, Small);
        var batch = OperatorBatch.Combine([Timed(MeshGraphNetTests.RandomGraph(9), 0.3f), Timed(MeshGraphNetTests.RandomGraph(6), 0.5f)]);
        (double[] Output, double[] Gradients) Differentiate()
        {
            using var inner = torch.NewDisposeScope();
            foreach (var p in model.parameters()) p.grad?.zero_();
            var output = model.forward(batch);
            using var steps = torch.arange(0.0, output.numel());
            using var weights = (steps * 0.37).sin().reshape(output.shape);
            (output * weights).sum().backward();
            return (output.@double().ToArray<double>(), model.parameters().SelectMany(p => p.grad!.@double().ToArray<double>()).ToArray());
        }
        var plain = Differentiate();
        model.Options.CheckpointBlocks = true;
        var pending = torch.pending_checkpoint_segments();
        var checkpointed = Differentiate();
        LayerTests.AssertClose(plain.Output, checkpointed.Output, 1e-6);
        // Every parameter's gradient, the encoders' included (they are reached through the blocks' inputs).
        LayerTests.AssertClose(plain.Gradients, checkpointed.Gradients, 1e-5);
        Assert.Equal(pending, torch.pending_checkpoint_segments());
    }

    [Fact]
    public void EdgeSamplingKeepsAShareInTrainingAndAveragesDisjointPartsInEvaluation()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(10);
        var options = Small;
        options.EdgeSampleRatio = 0.5;
        using var model = new PhysGto(Widths, options);
        var batch = OperatorBatch.Combine([Timed(MeshGraphNetTests.RandomGraph(12), 0.2f)]);
        var mesh = batch.Edges(OperatorBatch.MeshEdges);
        var once = mesh.Senders.gt(mesh.Receivers).nonzero().squeeze(1);

        // The parts are disjoint and hold every one-direction edge once.
        var parts = PhysGto.EdgeParts(once, 3);
        Assert.Equal(once.ToArray<long>().Order(), parts.SelectMany(p => p.ToArray<long>()).Order());

        // Evaluation: the mean of the model on each of round(1 / 0.5) = 2 random parts (the same draw under the same seed).
        model.eval();
        torch.manual_seed(11);
        var averaged = model.forward(batch).@double().ToArray<double>();
        torch.manual_seed(11);
        var halves = PhysGto.EdgeParts(once, 2);
        var expected = ((model.Forward(batch, halves[0]) + model.Forward(batch, halves[1])) / 2).@double().ToArray<double>();
        LayerTests.AssertClose(expected, averaged, 1e-6);
        Assert.NotEqual(0, halves[0].shape[0]);
        Assert.NotEqual(0, halves[1].shape[0]);

        // Training: one random share of the edges per step.
        model.train();
        torch.manual_seed(12);
        var sampled = model.forward(batch).@double().ToArray<double>();
        torch.manual_seed(12);
        var kept = PhysGto.Sample(once, 0.5);
        LayerTests.AssertClose(model.Forward(batch, kept).@double().ToArray<double>(), sampled, 1e-6);
        Assert.InRange(kept.shape[0], 1, once.shape[0] - 1);
        Assert.Equal(["edge_sample_ratio"], new PhysGtoOptions { EdgeSampleRatio = 0 }.Check().Select(p => p.Key));
    }

    [Fact]
    public void TimeStatesAndOptionsAreChecked()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new PhysGto(Widths, Small);
        Assert.Contains("carries none", Assert.Throws<ArgumentException>(() => model.forward(OperatorBatch.Combine([MeshGraphNetTests.RandomGraph(5)]))).Message);
        using var timeless = new PhysGto(Widths, new PhysGtoOptions { Width = 8, Blocks = 1, Heads = 2, Tokens = 3, Hidden = 8, UseTime = false });
        Assert.Equal([5L, 2], timeless.forward(OperatorBatch.Combine([MeshGraphNetTests.RandomGraph(5)])).shape);
        Assert.Contains("which of the 5 node inputs are the state", Assert.Throws<ArgumentException>(() => new PhysGto(Widths with { StateInputs = 0 }, Small)).Message);
        Assert.Equal(["width", "heads"], new PhysGtoOptions { Width = 7, Heads = 3 }.Check().Select(p => p.Key));
    }

    [Fact]
    public void StateDictKeysAreThoseOfThePyTorchTwin()
    {
        using var model = new PhysGto(Widths, new PhysGtoOptions());
        var keys = model.state_dict();
        foreach (var key in new[] { "fv1.0.weight", "fv1.4.bias", "fv_type.0.weight", "enc_t.2.weight", "fv2.4.weight", "fe.2.bias",
                     "blocks.0.gnn.f_edge.0.weight", "blocks.0.gnn.f_edge.3.weight", "blocks.3.gnn.f_node.3.bias", "blocks.1.ln1.weight",
                     "blocks.2.attention.Q", "blocks.2.attention.kv_1.weight", "blocks.2.attention.qkv_2.weight", "blocks.0.ffn.2.weight",
                     "state_out.1.weight", "state_out.5.bias", "alpha", "frequencies" })
            Assert.Contains(key, keys.Keys);
        Assert.DoesNotContain("blocks.2.attention.qkv_2.bias", keys.Keys);
        // The reference's default sizes (4 state fields, 7 node-type columns): its modules as written hold
        // encoder 498,816 + 4 blocks x 453,504 + decoder 50,181 parameters. (A comment in its model file
        // says 2,379,269, 16,256 more, apparently from an earlier version.)
        using var reference = new PhysGto(new OperatorWidths(11, Widths.EdgeInputs, 4, StateInputs: 4), new PhysGtoOptions());
        Assert.Equal(498_816 + 4 * 453_504 + 50_181, reference.parameters().Sum(p => p.numel()));
    }
}
