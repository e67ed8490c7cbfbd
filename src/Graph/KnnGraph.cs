namespace GnnSim.Graph;

/// <summary>
/// Every point receives edges from its k nearest other points (ties: lower index first). The
/// search walks rings of grid cells outward until no unseen point can be nearer than the k-th
/// found. Sorted by receiver, then sender.
/// </summary>
public static class KnnGraph
{
    private const int ReceiversPerChunk = 1024;
    private static readonly Comparer<(double D2, int Id)> ById = Comparer<(double D2, int Id)>.Create((a, b) => a.Id.CompareTo(b.Id));

    /// <param name="selfLoops">count each point as its own nearest neighbour (PyG's <c>loop=True</c>)</param>
    public static SparseGraph Build(ReadOnlySpan<double> positions, int dimensions, int k, bool selfLoops = false)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        // Cells sized for about k points each, so the first ring or two usually suffices.
        var grid = PointGrid.WithPointsPerCell(positions, dimensions, k);
        var count = grid.Count;
        var available = selfLoops ? count : count - 1;
        if (count > 0 && k > available) throw new ArgumentException($"k = {k} but each point has only {available} candidate neighbours");
        var coordinates = positions.ToArray();
        var chunkCount = (count + ReceiversPerChunk - 1) / ReceiversPerChunk;
        var chunkSenders = new int[chunkCount][];
        Parallel.For(0, chunkCount, chunk =>
        {
            var end = Math.Min(count, (chunk + 1) * ReceiversPerChunk);
            var start = chunk * ReceiversPerChunk;
            var senders = new int[(end - start) * k];
            var best = new (double D2, int Id)[k];
            for (var receiver = start; receiver < end; receiver++)
            {
                var found = Nearest(grid, coordinates.AsSpan(receiver * dimensions, dimensions), k, selfLoops ? -1 : receiver, best);
                Array.Sort(best, 0, found, ById);
                for (var j = 0; j < k; j++) senders[(receiver - start) * k + j] = best[j].Id;
            }
            chunkSenders[chunk] = senders;
        });
        var receivers = new int[count * k];
        for (var i = 0; i < receivers.Length; i++) receivers[i] = i / k;
        return new SparseGraph(count, RadiusGraph.Flatten(chunkSenders), receivers);
    }

    /// <summary>Fills <paramref name="best"/> with the k nearest points (sorted by distance, then index); returns k.</summary>
    private static int Nearest(PointGrid grid, ReadOnlySpan<double> query, int k, int exclude, (double D2, int Id)[] best)
    {
        double qx = query[0], qy = query[1], qz = grid.Dimensions == 3 ? query[2] : 0;
        var cx = grid.RawAxisCell(qx, 0);
        var cy = grid.RawAxisCell(qy, 1);
        var cz = grid.Dimensions == 3 ? grid.RawAxisCell(qz, 2) : 0;
        var found = 0;
        var maxRing = Math.Max(grid.CellsAlong(0), Math.Max(grid.CellsAlong(1), grid.CellsAlong(2))) + Math.Abs(cx) + Math.Abs(cy) + Math.Abs(cz);
        for (long ring = 0; ring <= maxRing; ring++)
        {
            var zRing = grid.Dimensions == 3 ? ring : 0;
            for (var z = cz - zRing; z <= cz + zRing; z++)
            for (var y = cy - ring; y <= cy + ring; y++)
            {
                if (y < 0 || y >= grid.CellsAlong(1) || z < 0 || z >= grid.CellsAlong(2)) continue;
                var onShell = Math.Abs(y - cy) == ring || Math.Abs(z - cz) == ring;
                // Inside the shell only the two x-ends are new; on its faces the whole row is.
                for (var x = cx - ring; x <= cx + ring; x += onShell || ring == 0 ? 1 : 2 * ring)
                {
                    if (x < 0 || x >= grid.CellsAlong(0)) continue;
                    var cell = grid.CellIndex((int)x, (int)y, (int)z);
                    for (var at = grid.CellStart[cell]; at < grid.CellStart[cell + 1]; at++)
                    {
                        var id = grid.PointsByCell[at];
                        if (id == exclude) continue;
                        double dx = grid.SortedX[at] - qx, dy = grid.SortedY[at] - qy, dz = grid.SortedZ[at] - qz;
                        var candidate = (D2: dx * dx + dy * dy + dz * dz, Id: id);
                        if (found == k && candidate.CompareTo(best[k - 1]) >= 0) continue;
                        var slot = found < k ? found++ : k - 1;
                        while (slot > 0 && candidate.CompareTo(best[slot - 1]) < 0)
                        {
                            best[slot] = best[slot - 1];
                            slot--;
                        }
                        best[slot] = candidate;
                    }
                }
            }
            // Unvisited cells are at least `ring` whole cells away from the query's cell.
            var reach = ring * grid.CellSize;
            if (found == k && best[k - 1].D2 < reach * reach) break;
        }
        return found;
    }
}
