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
        var jumps = new Sampler(graph).Draw((long)Math.Round(fraction * graph.EdgeCount / 2.0), seed);
        return new SparseGraph(graph.NodeCount, [.. graph.Senders, .. jumps.Senders], [.. graph.Receivers, .. jumps.Receivers], graph.NodeFeatures);
    }

    /// <summary>
    /// Draws jumps against one graph again and again (a new set every training step): the graph's
    /// edges are hashed once, not at every draw.
    /// </summary>
    public sealed class Sampler
    {
        private readonly HashSet<long> present;
        private readonly int nodeCount;

        public Sampler(SparseGraph graph)
        {
            ArgumentNullException.ThrowIfNull(graph);
            nodeCount = graph.NodeCount;
            present = new HashSet<long>(graph.EdgeCount);
            for (var e = 0; e < graph.EdgeCount; e++)
            {
                int s = graph.Senders[e], r = graph.Receivers[e];
                if (s != r) present.Add(SparseGraph.EdgeKey(Math.Min(s, r), Math.Max(s, r)));
            }
        }

        /// <summary><paramref name="pairs"/> new node pairs, none in the graph, as edges both ways (the graph's own edges are not in the result).</summary>
        public SparseGraph Draw(long pairs, int seed)
        {
            var n = (long)nodeCount;
            var free = n * (n - 1) / 2 - present.Count;
            if (pairs > free) throw new ArgumentException($"cannot add {pairs} random edges: only {free} node pairs are not connected yet");
            var drawn = new HashSet<long>((int)Math.Min(pairs, int.MaxValue / 4));
            var random = new Random(seed);
            var senders = new int[2 * pairs];
            var receivers = new int[senders.Length];
            var at = 0;
            while (at < senders.Length)
            {
                int a = random.Next(nodeCount), b = random.Next(nodeCount);
                var key = SparseGraph.EdgeKey(Math.Min(a, b), Math.Max(a, b));
                if (a == b || present.Contains(key) || !drawn.Add(key)) continue;
                (senders[at], receivers[at]) = (a, b);
                (senders[at + 1], receivers[at + 1]) = (b, a);
                at += 2;
            }
            return new SparseGraph(nodeCount, senders, receivers);
        }
    }
}
