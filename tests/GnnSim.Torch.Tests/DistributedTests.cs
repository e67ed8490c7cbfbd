using System.Diagnostics;
using GnnSim.Torch.Distributed;
using static GnnSim.Torch.Tests.TestSupport;

namespace GnnSim.Torch.Tests;

/// <summary>c10d through the shim: ranks are threads of this process on loopback (Gloo), as PyTorch's own c10d tests run them.</summary>
public class DistributedTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public void TwoRanksAllReduceBroadcastAndGatherOverGloo()
    {
        Assert.True(ProcessGroup.HasBackend("gloo"), "the shim was built without Gloo (Debian: libgloo-dev)");
        var results = OnRanks(2, Timeout, group =>
        {
            using var scope = torch.NewDisposeScope();
            var rank = group.Rank;
            var sum = torch.tensor(new[] { 1.0f + rank, 10f * (rank + 1) });
            group.AllReduce(sum);
            var max = torch.tensor(new[] { (float)rank, -rank });
            group.AllReduce(max, ReduceOp.Max);
            var broadcast = torch.tensor(new[] { 7f * (rank + 1), rank });
            group.Broadcast(broadcast, root: 1);
            var gathered = group.AllGather(torch.tensor(new[] { rank * 100.0 }));
            group.Barrier();
            var gatheredValues = gathered.SelectMany(Values).ToArray();
            foreach (var g in gathered) g.Dispose();
            return (Values(sum), Values(max), Values(broadcast), gatheredValues);
        });
        foreach (var (sum, max, broadcast, gathered) in results)
        {
            Close([3, 30], sum);
            Close([1, 0], max);
            Close([14, 1], broadcast);
            Close([0, 100], gathered);
        }
    }

    [Fact]
    public void ARankThatNeverJoinsIsNamedWithinTheTimeout()
    {
        var port = TorchrunEnvironment.FreeLoopbackPort();
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<DistributedException>(() =>
            ProcessGroup.Join("gloo", "127.0.0.1", port, rank: 0, worldSize: 2, TimeSpan.FromSeconds(1.5)));
        Assert.Contains("rank 1 of 2 did not join", error.Message);
        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.4, 15);
    }

    [Fact]
    public void AWorkerWithNoStoreToReachSaysSo()
    {
        var error = Assert.Throws<DistributedException>(() =>
            ProcessGroup.Join("gloo", "127.0.0.1", TorchrunEnvironment.FreeLoopbackPort(), rank: 1, worldSize: 2, TimeSpan.FromSeconds(1)));
        Assert.Contains("rank 1 could not reach rank 0's store", error.Message);
    }

    [Fact]
    public void ACollectiveARankNeverEntersTimesOutNamingThatRank()
    {
        var results = OnRanks(2, TimeSpan.FromSeconds(2), group =>
        {
            using var scope = torch.NewDisposeScope();
            if (group.Rank == 1)
            {
                group.MarkProgress(4);
                Thread.Sleep(4000); // stays at step 4: never enters step 5's all-reduce
                return null;
            }
            Thread.Sleep(200);
            group.MarkProgress(5);
            var clock = Stopwatch.StartNew();
            var error = Assert.Throws<DistributedException>(() => group.AllReduce(torch.ones([3])));
            return (error.Message, clock.Elapsed.TotalSeconds) as (string, double)?;
        });
        var (message, seconds) = results[0]!.Value;
        Assert.Contains("all_reduce failed on rank 0 of 2", message);
        Assert.Contains("at step 5, rank 1 (last at step 4) did not answer", message);
        Assert.InRange(seconds, 1.5, 10);
    }

    [Fact]
    public void UnderTorchrunsAgentEveryRankIsAClientOfTheAgentsStore()
    {
        // The agent's store, as torchrun hosts it before it starts the workers.
        var port = TorchrunEnvironment.FreeLoopbackPort();
        using var agent = ProcessGroup.Join("gloo", "127.0.0.1", port, rank: 0, worldSize: 1, Timeout);
        var sums = OnRanks(2, Timeout, group =>
        {
            using var scope = torch.NewDisposeScope();
            var t = torch.tensor(new[] { 1.0f + group.Rank });
            group.AllReduce(t);
            return t.item();
        }, port, agentHostsStore: true);
        Assert.All(sums, s => Assert.Equal(3.0, s));
    }

    [Fact]
    public void TheTorchrunVariablesAreReadAndCheckedByName()
    {
        Assert.Null(TorchrunEnvironment.From(_ => null));
        var variables = new Dictionary<string, string> { ["WORLD_SIZE"] = "4", ["RANK"] = "3", ["MASTER_ADDR"] = "node0", ["MASTER_PORT"] = "29400" };
        var environment = TorchrunEnvironment.From(variables.GetValueOrDefault)!;
        Assert.Equal(new TorchrunEnvironment("node0", 29400, 3, 4, 3), environment);
        Assert.Equal(environment, TorchrunEnvironment.From(environment.ToVariables().GetValueOrDefault));
        variables["RANK"] = "4";
        Assert.Contains("RANK=4 is not within WORLD_SIZE=4", Assert.Throws<ArgumentException>(() => TorchrunEnvironment.From(variables.GetValueOrDefault)).Message);
        variables.Remove("RANK");
        Assert.Contains("RANK must be too", Assert.Throws<ArgumentException>(() => TorchrunEnvironment.From(variables.GetValueOrDefault)).Message);
        variables["RANK"] = "3";
        variables["TORCHELASTIC_USE_AGENT_STORE"] = "True";
        variables["TORCHELASTIC_RESTART_COUNT"] = "2";
        Assert.Equal(new TorchrunEnvironment("node0", 29400, 3, 4, 3, AgentHostsStore: true, RestartCount: 2), TorchrunEnvironment.From(variables.GetValueOrDefault));
        variables["RANK"] = "x";
        Assert.Contains("RANK=x is not an integer", Assert.Throws<ArgumentException>(() => TorchrunEnvironment.From(variables.GetValueOrDefault)).Message);
    }

    /// <summary>Runs <paramref name="body"/> on <paramref name="worldSize"/> ranks (threads) of one group; the results in rank order.</summary>
    internal static T[] OnRanks<T>(int worldSize, TimeSpan timeout, Func<ProcessGroup, T> body, int? port = null, bool agentHostsStore = false)
    {
        var storePort = port ?? TorchrunEnvironment.FreeLoopbackPort();
        var ranks = Enumerable.Range(0, worldSize).Select(rank => Task.Factory.StartNew(() =>
        {
            using var group = ProcessGroup.Join("gloo", "127.0.0.1", storePort, rank, worldSize, timeout, agentHostsStore, agentHostsStore ? "/worker/attempt_0/" : "");
            return body(group);
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(ranks);
        return ranks.Select(r => r.Result).ToArray();
    }

}
