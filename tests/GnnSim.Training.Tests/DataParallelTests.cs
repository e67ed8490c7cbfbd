using GnnSim.Torch;
using GnnSim.Torch.Distributed;
using GnnSim.Torch.Modules;
using GnnSim.Training.Objectives;

namespace GnnSim.Training.Tests;

/// <summary>DataParallel's pieces on two ranks (threads of this process, Gloo on loopback).</summary>
public class DataParallelTests
{
    [Fact]
    public void NormalizersOnEveryRankAccumulateTheGlobalBatch()
    {
        // Rank r normalizes its own rows; every rank must end with the statistics of all rows together.
        double[][] rows = [[1, 10], [2, 20], [3, 30], [10, -5], [11, -6]];
        var share = new[] { rows[..3], rows[3..] };
        var stats = OnRanks(2, group =>
        {
            using var scope = torch.NewDisposeScope();
            using var normalizer = new OnlineNormalizer(2);
            using var parallel = new DataParallel(group, normalizer); // hands the group to every normalizer inside
            normalizer.forward(Matrix(share[group.Rank]), accumulate: true);
            return (normalizer.Mean().to(ScalarType.Float64).ToArray<double>(), normalizer.Std().to(ScalarType.Float64).ToArray<double>(), normalizer.Accumulations);
        });
        using var scope = torch.NewDisposeScope();
        using var alone = new OnlineNormalizer(2);
        alone.forward(Matrix(rows), accumulate: true);
        var (mean, std) = (alone.Mean().to(ScalarType.Float64).ToArray<double>(), alone.Std().to(ScalarType.Float64).ToArray<double>());
        foreach (var (rankMean, rankStd, accumulations) in stats)
        {
            Close(mean, rankMean);
            Close(std, rankStd);
            Assert.Equal(1, accumulations); // one batch, as one process with the global batch counts it
        }
        Assert.Equal(5.4, mean[0], 6);
    }

    [Fact]
    public void RankZerosWeightsAreBroadcastAndGradientsAveragedBucketByBucket()
    {
        var results = OnRanks(2, group =>
        {
            using var scope = torch.NewDisposeScope();
            torch.manual_seed((ulong)(7 + group.Rank)); // different initial weights on each rank
            using var layers = new ModuleList<Linear>([new Linear(3, 4), new Linear(4, 2), new Linear(2, 2)]);
            // 16-byte buckets: every parameter is a bucket of its own, or shares one with another small one.
            using var parallel = new DataParallel(group, layers, bucketBytes: 16);
            parallel.BroadcastState();
            var x = torch.tensor(new float[] { 1, -2, 0.5f + group.Rank, 3, group.Rank, -1 }).reshape(2, 3);
            layers[1].forward(layers[0].forward(x).tanh()).square().sum().backward(); // layer 2 unused: no gradient
            var own = layers.parameters().Select(p => p.grad?.to(ScalarType.Float64).flatten().ToArray<double>()).ToArray();
            parallel.AverageGradients();
            var averaged = layers.parameters().Select(p => p.grad?.to(ScalarType.Float64).flatten().ToArray<double>()).ToArray();
            var weights = layers.parameters().Select(p => p.to(ScalarType.Float64).flatten().ToArray<double>()).ToArray();
            return (own, averaged, weights, parallel.BucketCount);
        });
        var (own0, averaged0, weights0, buckets) = results[0];
        var (own1, averaged1, weights1, _) = results[1];
        Assert.True(buckets > 2, $"{buckets} buckets");
        for (var p = 0; p < weights0.Length; p++) Assert.Equal(weights0[p], weights1[p]);
        Assert.NotEqual(own0[0], own1[0]); // the ranks' own gradients differ (different inputs) ...
        for (var p = 0; p < 4; p++)       // ... and both end with their mean
        {
            var mean = own0[p]!.Zip(own1[p]!, (a, b) => (a + b) / 2).ToArray();
            Close(mean, averaged0[p]!);
            Close(mean, averaged1[p]!);
        }
        Assert.All(averaged0.Skip(4), Assert.Null); // the unused layer still has no gradient: the optimizer skips it
    }

    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-6 * (1 + Math.Abs(expected[i])), $"[{i}]: {expected[i]} != {actual[i]}");
    }

    private static Tensor Matrix(double[][] rows) =>
        torch.tensor(rows.SelectMany(r => r).ToArray()).reshape(rows.Length, rows[0].Length);

    private static T[] OnRanks<T>(int worldSize, Func<ProcessGroup, T> body)
    {
        var port = TorchrunEnvironment.FreeLoopbackPort();
        var ranks = Enumerable.Range(0, worldSize).Select(rank => Task.Factory.StartNew(() =>
        {
            using var group = ProcessGroup.Join("gloo", "127.0.0.1", port, rank, worldSize, TimeSpan.FromSeconds(20));
            return body(group);
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(ranks);
        return ranks.Select(r => r.Result).ToArray();
    }
}
