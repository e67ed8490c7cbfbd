using GnnSim.Operators.MeshGraphNets;

namespace GnnSim.Operators.Tests;

public class MeshGraphNetTests
{
    private static readonly OperatorWidths Widths = new(5, new Dictionary<string, int> { [OperatorBatch.MeshEdges] = 3 }, 2);

    /// <summary>A graph of <paramref name="n"/> nodes on a ring plus chords, with random inputs and edge features.</summary>
    internal static OperatorGraph RandomGraph(int n, int nodeInputs = 5, int edgeInputs = 3)
    {
        var senders = new List<int>();
        var receivers = new List<int>();
        for (var i = 0; i < n; i++)
        {
            senders.AddRange([i, (i + 1) % n, i]);
            receivers.AddRange([(i + 1) % n, i, (i + n / 2) % n]);
        }
        var topology = new SparseGraph(n, senders.ToArray(), receivers.ToArray());
        var (s, r) = topology.ToTensors();
        return new OperatorGraph(torch.randn(n, nodeInputs), torch.rand(n, 2),
            new Dictionary<string, OperatorGraph.Edges> { [OperatorBatch.MeshEdges] = new(topology, s, r, torch.randn(topology.EdgeCount, edgeInputs)) });
    }

    [Fact]
    public void ABatchOfTwoGraphsGivesWhatEachGivesAlone()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        using var model = new MeshGraphNet(Widths, new MeshGraphNetOptions { Latent = 16, MessagePassingSteps = 3, HiddenLayers = 1 });
        OperatorGraph a = RandomGraph(7), b = RandomGraph(10);
        var batch = OperatorBatch.Combine([a, b]);
        Assert.Equal(2, batch.GraphCount);
        Assert.Equal([0, 7, 17], batch.NodeOffsets);
        Assert.Equal([0, 21, 51], batch.Edges(OperatorBatch.MeshEdges).Offsets);
        Assert.Equal(Enumerable.Repeat(0L, 7).Concat(Enumerable.Repeat(1L, 10)), batch.BatchVector.ToArray<long>());

        var together = model.forward(batch).ToArray<float>();
        var alone = model.forward(OperatorBatch.Combine([a])).ToArray<float>().Concat(model.forward(OperatorBatch.Combine([b])).ToArray<float>()).ToArray();
        LayerTests.AssertClose(alone.Select(x => (double)x).ToArray(), together.Select(x => (double)x).ToArray(), 1e-6);
    }

    [Fact]
    public void StateDictKeysAreThoseOfThePyTorchTwin()
    {
        using var model = new MeshGraphNet(Widths, new MeshGraphNetOptions { Latent = 8, MessagePassingSteps = 2, HiddenLayers = 2 });
        var keys = model.state_dict().Keys.ToHashSet();
        // nn.Sequential(Linear, ReLU, Linear, ReLU, Linear, LayerNorm) and nn.ModuleList, as bench/mgn_bench.py builds them.
        foreach (var key in new[] { "node_encoder.0.weight", "node_encoder.4.bias", "node_encoder.5.weight", "edge_encoder.2.weight",
                     "blocks.0.edge_mlp.0.weight", "blocks.1.node_mlp.5.bias", "decoder.4.weight" })
            Assert.Contains(key, keys);
        Assert.DoesNotContain("decoder.5.weight", keys); // the decoder has no LayerNorm
        Assert.Equal(2 * (3 * 2 + 2) * 2 + (3 * 2 + 2) * 2 + 3 * 2, keys.Count);
    }

    [Fact]
    public void MissingEdgeSetsAndBadOptionsAreNamed()
    {
        using var scope = torch.NewDisposeScope();
        var noMesh = new OperatorWidths(5, new Dictionary<string, int> { ["khop"] = 3 }, 2);
        Assert.Contains("'mesh'", Assert.Throws<ArgumentException>(() => new MeshGraphNet(noMesh, new MeshGraphNetOptions())).Message);
        Assert.Contains("latent", Assert.Throws<ArgumentException>(() => new MeshGraphNet(Widths, new MeshGraphNetOptions { Latent = 0 })).Message);
        var problems = new MeshGraphNetOptions { MessagePassingSteps = 0, HiddenLayers = -1 }.Check().Select(p => p.Key).ToList();
        Assert.Equal(["message_passing_steps", "hidden_layers"], problems);
    }
}
