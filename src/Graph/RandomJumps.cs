namespace GnnSim.Graph;

/// <summary>
/// Random long-range edges added to a graph (both directions, never a self loop or an edge the
/// graph already has), so information crosses a large mesh in fewer message-passing steps.
/// </summary>
public static class RandomJumps
{
    /// <param name="fraction">new undirected edges as a fraction of the graph's undirected edge count (EdgeCount / 2)</param>
    public static SparseGraph Add(SparseGraph graph, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!(fraction >= 0) || double.IsInfinity(fraction)) throw new ArgumentException($"fraction must be >= 0 and finite, got {fraction}");
        graph.RequireNoEdgeFeatures(nameof(RandomJumps));
        var wanted = (long)Math.Round(fraction * graph.EdgeCount / 2.0);
        var present = new HashSet<long>(graph.EdgeCount + 2 * (int)Math.Min(wanted, int.MaxValue / 4));
        for (var e = 0; e < graph.EdgeCount; e++)
        {
            int s = graph.Senders[e], r = graph.Receivers[e];
            if (s != r) present.Add(SparseGraph.EdgeKey(Math.Min(s, r), Math.Max(s, r)));
        }
        var n = (long)graph.NodeCount;
        var free = n * (n - 1) / 2 - present.Count;
        if (wanted > free) throw new ArgumentException($"cannot add {wanted} random edges: only {free} node pairs are not connected yet");

        var random = new Random(seed);
        var senders = new int[graph.EdgeCount + 2 * wanted];
        var receivers = new int[senders.Length];
        graph.Senders.CopyTo(senders, 0);
        graph.Receivers.CopyTo(receivers, 0);
        var at = graph.EdgeCount;
        while (at < senders.Length)
        {
            int a = random.Next(graph.NodeCount), b = random.Next(graph.NodeCount);
            if (a == b || !present.Add(SparseGraph.EdgeKey(Math.Min(a, b), Math.Max(a, b)))) continue;
            (senders[at], receivers[at]) = (a, b);
            (senders[at + 1], receivers[at + 1]) = (b, a);
            at += 2;
        }
        return new SparseGraph(graph.NodeCount, senders, receivers, graph.NodeFeatures);
    }
}
