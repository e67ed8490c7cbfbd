namespace GnnSim.Graph;

/// <summary>
/// The k-hop graph: an edge <c>s -> r</c> wherever <c>r</c> can be reached from <c>s</c> in 1 to k
/// hops, without self loops (multi-scale message passing widens its reach this way).
/// </summary>
public static class KHop
{
    private const int ReceiversPerChunk = 1024;

    public static SparseGraph Build(SparseGraph graph, int hops)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (hops < 1) throw new ArgumentException($"hops must be at least 1, got {hops}");
        graph.RequireNoEdgeFeatures(nameof(KHop));
        var incoming = graph.ByReceiver();
        var count = graph.NodeCount;
        var chunkCount = (count + ReceiversPerChunk - 1) / ReceiversPerChunk;
        var chunkSenders = new int[chunkCount][];
        var chunkReceivers = new int[chunkCount][];
        Parallel.For(0, chunkCount, chunk =>
        {
            var seenAt = new int[count]; // stamp = receiver + 1 marks "already reached from this receiver"
            var frontier = new List<int>();
            var next = new List<int>();
            var reached = new List<int>();
            var senders = new List<int>();
            var receivers = new List<int>();
            var end = Math.Min(count, (chunk + 1) * ReceiversPerChunk);
            for (var receiver = chunk * ReceiversPerChunk; receiver < end; receiver++)
            {
                var stamp = receiver + 1;
                seenAt[receiver] = stamp;
                frontier.Clear();
                frontier.Add(receiver);
                reached.Clear();
                // Walk edges backwards: a node reached in h steps sends to the receiver in h hops.
                for (var hop = 0; hop < hops && frontier.Count > 0; hop++)
                {
                    next.Clear();
                    foreach (var node in frontier)
                    {
                        foreach (var sender in incoming.NeighborsOf(node))
                        {
                            if (seenAt[sender] == stamp) continue;
                            seenAt[sender] = stamp;
                            next.Add(sender);
                            reached.Add(sender);
                        }
                    }
                    (frontier, next) = (next, frontier);
                }
                reached.Sort();
                foreach (var sender in reached)
                {
                    senders.Add(sender);
                    receivers.Add(receiver);
                }
            }
            chunkSenders[chunk] = senders.ToArray();
            chunkReceivers[chunk] = receivers.ToArray();
        });
        return new SparseGraph(count, RadiusGraph.Flatten(chunkSenders), RadiusGraph.Flatten(chunkReceivers), graph.NodeFeatures);
    }
}
