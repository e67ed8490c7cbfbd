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
        var coordinates = positions.ToArray();
        return maxNeighbors is { } max
            ? BuildCapped(grid, coordinates, dimensions, radius, max, selfLoops)
            : BuildAll(grid, coordinates, dimensions, radius, selfLoops);
    }

    /// <summary>
    /// Two passes, count then fill, straight into the final arrays: the search runs twice, but
    /// nothing else is allocated, which keeps the garbage collector out of it. Receivers are
    /// visited in grid-cell order, so consecutive searches read the same few cells from cache
    /// (in index order, random points make every search a run of cache misses).
    /// </summary>
    private static SparseGraph BuildAll(PointGrid grid, double[] coordinates, int dimensions, double radius, bool selfLoops)
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
                offsets[receiver + 1] = Scan(grid, coordinates.AsSpan(receiver * dimensions, dimensions), radius, selfLoops ? -1 : receiver, []);
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
                Scan(grid, coordinates.AsSpan(receiver * dimensions, dimensions), radius, selfLoops ? -1 : receiver, senders.AsSpan(slice));
                receivers.AsSpan(slice).Fill(receiver);
            }
        });
        return new SparseGraph(count, senders, receivers);
    }

    private static SparseGraph BuildCapped(PointGrid grid, double[] coordinates, int dimensions, double radius, int max, bool selfLoops)
    {
        var count = grid.Count;
        var chunkCount = (count + ReceiversPerChunk - 1) / ReceiversPerChunk;
        var chunkSenders = new int[chunkCount][];
        var chunkReceivers = new int[chunkCount][];
        Parallel.For(0, chunkCount, chunk =>
        {
            var end = Math.Min(count, (chunk + 1) * ReceiversPerChunk);
            var senders = new List<int>(ReceiversPerChunk * max);
            var receivers = new List<int>(ReceiversPerChunk * max);
            var ids = new List<int>(64);
            var squaredDistances = new List<double>(64);
            var found = new List<(double D2, int Id)>(64);
            for (var receiver = chunk * ReceiversPerChunk; receiver < end; receiver++)
            {
                ids.Clear();
                squaredDistances.Clear();
                grid.Within(coordinates.AsSpan(receiver * dimensions, dimensions), radius, ids, squaredDistances);
                found.Clear();
                for (var i = 0; i < ids.Count; i++)
                    if (selfLoops || ids[i] != receiver) found.Add((squaredDistances[i], ids[i]));
                found.Sort();
                if (found.Count > max) found.RemoveRange(max, found.Count - max);
                foreach (var (_, sender) in found)
                {
                    senders.Add(sender);
                    receivers.Add(receiver);
                }
            }
            chunkSenders[chunk] = senders.ToArray();
            chunkReceivers[chunk] = receivers.ToArray();
        });
        return new SparseGraph(count, Flatten(chunkSenders), Flatten(chunkReceivers));
    }

    /// <summary>
    /// Counts the points within the radius of the query (except <paramref name="exclude"/>) and,
    /// when <paramref name="output"/> is not empty, writes their ids there in cell order.
    /// </summary>
    private static int Scan(PointGrid grid, ReadOnlySpan<double> query, double radius, int exclude, Span<int> output)
    {
        double qx = query[0], qy = query[1], qz = grid.Dimensions == 3 ? query[2] : 0;
        var r2 = radius * radius;
        int x0 = grid.AxisCell(qx - radius, 0), x1 = grid.AxisCell(qx + radius, 0);
        int y0 = grid.AxisCell(qy - radius, 1), y1 = grid.AxisCell(qy + radius, 1);
        int z0 = grid.AxisCell(qz - radius, 2), z1 = grid.AxisCell(qz + radius, 2);
        var positions = grid.SortedPositions.AsSpan();
        var cellStart = grid.CellStart;
        var ids = grid.PointsByCell.AsSpan();
        var write = !output.IsEmpty;
        var found = 0;
        for (var cz = z0; cz <= z1; cz++)
        for (var cy = y0; cy <= y1; cy++)
        {
            // Cells along x are contiguous, so one row of cells is one run of points.
            int first = cellStart[grid.CellIndex(x0, cy, cz)], end = cellStart[grid.CellIndex(x1, cy, cz) + 1];
            var run = positions.Slice(3 * first, 3 * (end - first));
            var runIds = ids.Slice(first, end - first);
            for (var i = 0; i < runIds.Length; i++)
            {
                double dx = run[3 * i] - qx, dy = run[3 * i + 1] - qy, dz = run[3 * i + 2] - qz;
                if (dx * dx + dy * dy + dz * dz > r2 || runIds[i] == exclude) continue;
                if (write) output[found] = runIds[i];
                found++;
            }
        }
        return found;
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
