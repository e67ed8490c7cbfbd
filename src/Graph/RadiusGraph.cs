namespace GnnSim.Graph;

/// <summary>
/// Edges between points closer than a radius (inclusive), in both directions, as particle
/// simulators and GIOROM connect their nodes. Built on a <see cref="PointGrid"/> cell list in
/// expected O(N) time, in parallel over receivers; the result is grouped by receiver (senders in
/// grid-cell order) and is the same on every run.
/// </summary>
public static class RadiusGraph
{
    private const int ReceiversPerChunk = 2048;

    /// <param name="positions">point coordinates, <paramref name="dimensions"/> (2 or 3) per point</param>
    /// <param name="maxNeighbors">keep at most this many senders per receiver, the nearest ones (ties: lower index first), sorted by distance</param>
    /// <param name="selfLoops">also connect every point to itself</param>
    public static SparseGraph Build(ReadOnlySpan<double> positions, int dimensions, double radius, int? maxNeighbors = null, bool selfLoops = false)
    {
        if (!(radius >= 0) || double.IsInfinity(radius)) throw new ArgumentException($"radius must be >= 0 and finite, got {radius}");
        if (maxNeighbors is < 1) throw new ArgumentException($"maxNeighbors must be at least 1, got {maxNeighbors}");
        var grid = new PointGrid(positions, dimensions, radius > 0 ? radius : 1.0);
        return maxNeighbors is { } max ? BuildCapped(grid, radius, max, selfLoops) : BuildAll(grid, radius, selfLoops);
    }

    /// <summary>
    /// Two passes, count then fill, straight into the final arrays: the search runs twice, but
    /// nothing else is allocated, which keeps the garbage collector out of it. Receivers are
    /// visited in grid-cell order, so consecutive searches read the same few cells from cache
    /// (in index order, random points make every search a run of cache misses).
    /// </summary>
    private static SparseGraph BuildAll(PointGrid grid, double radius, bool selfLoops)
    {
        var count = grid.Count;
        var chunkCount = (count + ReceiversPerChunk - 1) / ReceiversPerChunk;
        var byCell = grid.PointsByCell;
        var offsets = new int[count + 1];
        Parallel.For(0, chunkCount, chunk =>
        {
            for (var at = chunk * ReceiversPerChunk; at < Math.Min(count, (chunk + 1) * ReceiversPerChunk); at++)
            {
                var receiver = byCell[at];
                offsets[receiver + 1] = grid.WithinOfSorted(at, radius, [], selfLoops ? -1 : receiver);
            }
        });
        for (var i = 0; i < count; i++) offsets[i + 1] = checked(offsets[i + 1] + offsets[i]);
        // Every slot is written below; skipping the zeroing leaves the first touch of these pages to the parallel fill.
        var senders = GC.AllocateUninitializedArray<int>(offsets[count]);
        var receivers = GC.AllocateUninitializedArray<int>(offsets[count]);
        Parallel.For(0, chunkCount, chunk =>
        {
            for (var at = chunk * ReceiversPerChunk; at < Math.Min(count, (chunk + 1) * ReceiversPerChunk); at++)
            {
                var receiver = byCell[at];
                var slice = offsets[receiver]..offsets[receiver + 1];
                grid.WithinOfSorted(at, radius, senders.AsSpan(slice), selfLoops ? -1 : receiver);
                receivers.AsSpan(slice).Fill(receiver);
            }
        });
        return new SparseGraph(count, senders, receivers);
    }

    private static SparseGraph BuildCapped(PointGrid grid, double radius, int max, bool selfLoops)
    {
        var count = grid.Count;
        var byCell = grid.PointsByCell;
        var slotOf = new int[count]; // where each point sits in the grid's sorted coordinates
        for (var at = 0; at < count; at++) slotOf[byCell[at]] = at;
        var chunkCount = (count + ReceiversPerChunk - 1) / ReceiversPerChunk;
        var chunkSenders = new int[chunkCount][];
        var chunkReceivers = new int[chunkCount][];
        Parallel.For(0, chunkCount, chunk =>
        {
            var end = Math.Min(count, (chunk + 1) * ReceiversPerChunk);
            var senders = new List<int>(ReceiversPerChunk * max);
            var receivers = new List<int>(ReceiversPerChunk * max);
            var ids = new int[64];
            var found = new List<(double D2, int Id)>(64);
            for (var receiver = chunk * ReceiversPerChunk; receiver < end; receiver++)
            {
                var at = slotOf[receiver];
                var exclude = selfLoops ? -1 : receiver;
                var n = grid.WithinOfSorted(at, radius, ids, exclude);
                if (n > ids.Length)
                {
                    ids = new int[2 * n];
                    grid.WithinOfSorted(at, radius, ids, exclude);
                }
                found.Clear();
                foreach (var id in ids.AsSpan(0, n)) found.Add((grid.SquaredDistance(at, slotOf[id]), id));
                found.Sort();
                for (var i = 0; i < Math.Min(max, found.Count); i++)
                {
                    senders.Add(found[i].Id);
                    receivers.Add(receiver);
                }
            }
            chunkSenders[chunk] = senders.ToArray();
            chunkReceivers[chunk] = receivers.ToArray();
        });
        return new SparseGraph(count, Flatten(chunkSenders), Flatten(chunkReceivers));
    }

    /// <summary>
    /// The pairs of a source and a target point closer than <paramref name="radius"/> (inclusive),
    /// between two point sets (particles and the nodes of a latent grid, a sparse cloud and dense
    /// query points), grouped by target in target order; the same on every run.
    /// </summary>
    /// <returns>the source and the target index of every pair</returns>
    public static (int[] Sources, int[] Targets) Between(ReadOnlySpan<double> sources, ReadOnlySpan<double> targets, int dimensions, double radius)
    {
        if (!(radius > 0) || double.IsInfinity(radius)) throw new ArgumentException($"radius must be > 0 and finite, got {radius}");
        if (targets.Length % dimensions != 0) throw new ArgumentException($"{targets.Length} target coordinates are not points of {dimensions} dimensions");
        var grid = new PointGrid(sources, dimensions, radius);
        var count = targets.Length / dimensions;
        var chunkCount = (count + ReceiversPerChunk - 1) / ReceiversPerChunk;
        var chunkSources = new int[chunkCount][];
        var chunkTargets = new int[chunkCount][];
        var targetArray = targets.ToArray();
        Parallel.For(0, chunkCount, chunk =>
        {
            var found = new List<int>();
            var owners = new List<int>();
            var ids = new int[64];
            for (var t = chunk * ReceiversPerChunk; t < Math.Min(count, (chunk + 1) * ReceiversPerChunk); t++)
            {
                var query = targetArray.AsSpan(t * dimensions, dimensions);
                var n = grid.Within(query, radius, ids);
                if (n > ids.Length)
                {
                    ids = new int[2 * n];
                    grid.Within(query, radius, ids);
                }
                var hits = ids.AsSpan(0, n).ToArray();
                Array.Sort(hits);
                found.AddRange(hits);
                for (var k = 0; k < n; k++) owners.Add(t);
            }
            chunkSources[chunk] = found.ToArray();
            chunkTargets[chunk] = owners.ToArray();
        });
        return (Flatten(chunkSources), Flatten(chunkTargets));
    }

    internal static int[] Flatten(int[][] chunks)
    {
        var total = 0;
        foreach (var chunk in chunks) total += chunk.Length;
        var flat = new int[total];
        var at = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(flat, at);
            at += chunk.Length;
        }
        return flat;
    }
}
