namespace GnnSim.Graph.Tests;

public class BatchAndFeatureTests
{
    private static SparseGraph RandomGraph(Random random, int nodeFeatureWidth, int edgeFeatureWidth)
    {
        var n = random.Next(1, 30);
        var e = random.Next(0, 60);
        var senders = Enumerable.Range(0, e).Select(_ => random.Next(n)).ToArray();
        var receivers = Enumerable.Range(0, e).Select(_ => random.Next(n)).ToArray();
        var nodeFeatures = new FeatureMatrix(Enumerable.Range(0, n * nodeFeatureWidth).Select(_ => (float)random.NextDouble()).ToArray(), n, nodeFeatureWidth);
        var edgeFeatures = new FeatureMatrix(Enumerable.Range(0, e * edgeFeatureWidth).Select(_ => (float)random.NextDouble()).ToArray(), e, edgeFeatureWidth);
        return new SparseGraph(n, senders, receivers, nodeFeatures, edgeFeatures);
    }

    [Fact]
    public void BatchingAndSplittingRoundTrips()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 20; trial++)
        {
            var graphs = Enumerable.Range(0, random.Next(1, 6)).Select(_ => RandomGraph(random, 3, 2)).ToList();
            var batch = GraphBatch.Combine(graphs);
            Assert.Equal(graphs.Sum(g => g.NodeCount), batch.Graph.NodeCount);
            Assert.Equal(graphs.Sum(g => g.EdgeCount), batch.Graph.EdgeCount);
            for (var g = 0; g < graphs.Count; g++)
            {
                for (var i = batch.NodeOffsets[g]; i < batch.NodeOffsets[g + 1]; i++) Assert.Equal(g, batch.BatchVector[i]);
                // No edge crosses from one graph into another.
                for (var e = batch.EdgeOffsets[g]; e < batch.EdgeOffsets[g + 1]; e++)
                {
                    Assert.Equal(g, batch.BatchVector[batch.Graph.Senders[e]]);
                    Assert.Equal(g, batch.BatchVector[batch.Graph.Receivers[e]]);
                }
            }
            var split = batch.Split();
            Assert.Equal(graphs.Count, split.Length);
            for (var g = 0; g < graphs.Count; g++)
            {
                Assert.Equal(graphs[g].NodeCount, split[g].NodeCount);
                Assert.Equal(graphs[g].Senders, split[g].Senders);
                Assert.Equal(graphs[g].Receivers, split[g].Receivers);
                Assert.Equal(graphs[g].NodeFeatures!.Values, split[g].NodeFeatures!.Values);
                Assert.Equal(graphs[g].EdgeFeatures!.Values, split[g].EdgeFeatures!.Values);
            }
        }
    }

    [Fact]
    public void RelativePositionsAreSenderMinusReceiverWithNorm()
    {
        var graph = new SparseGraph(3, [0, 2], [1, 0]);
        var features = GraphFeatures.RelativePositions(graph, [0.0, 0.0, 3.0, 4.0, 1.0, -1.0], 2);
        Assert.Equal(3, features.Columns);
        Assert.Equal([-3f, -4f, 5f, 1f, -1f, MathF.Sqrt(2)], features.Values);
    }

    [Fact]
    public void NodeTypesBecomeNineWideOneHots()
    {
        var features = GraphFeatures.OneHotNodeTypes([(int)NodeType.Normal, (int)NodeType.WallBoundary, (int)NodeType.Inflow]);
        Assert.Equal(9, features.Columns);
        Assert.Equal(1f, features[0, 0]);
        Assert.Equal(1f, features[1, 6]);
        Assert.Equal(1f, features[2, 4]);
        Assert.Equal(3f, features.Values.Sum());
        Assert.Throws<ArgumentException>(() => GraphFeatures.OneHotNodeTypes([9]));
    }

    [Fact]
    public void GraphsBecomeLongIndexTensorsAndFeatureTensors()
    {
        using var scope = torch.NewDisposeScope();
        var graph = new SparseGraph(3, [0, 2], [1, 0], new FeatureMatrix([1, 2, 3, 4, 5, 6], 3, 2));
        var (senders, receivers) = graph.ToTensors();
        Assert.Equal(ScalarType.Int64, senders.dtype);
        Assert.Equal([0L, 2L], senders.ToArray<long>());
        Assert.Equal([1L, 0L], receivers.ToArray<long>());
        var nodes = graph.NodeFeatures!.ToTensor();
        Assert.Equal([3L, 2L], nodes.shape);
        // Gathering sender features by index gives rows 0 and 2.
        Assert.Equal([1f, 2f, 5f, 6f], nodes.index_select(0, senders).ToArray<float>());
    }
}
