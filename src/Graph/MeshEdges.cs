namespace GnnSim.Graph;

/// <summary>
/// The edge graph of a mesh: every side of every cell once, in both directions (DeepMind's
/// <c>triangles_to_edges</c>, extended to quads, whose diagonals are not edges).
/// </summary>
public static class MeshEdges
{
    /// <param name="cells">cell vertex indices, <paramref name="verticesPerCell"/> per cell, in order around the cell</param>
    public static SparseGraph FromCells(ReadOnlySpan<int> cells, int verticesPerCell, int nodeCount)
    {
        if (verticesPerCell is < 3 or > 4) throw new ArgumentException($"cells must be triangles (3) or quads (4), got {verticesPerCell} vertices per cell");
        if (cells.Length % verticesPerCell != 0)
            throw new ArgumentException($"{cells.Length} cell indices is not a whole number of {verticesPerCell}-vertex cells");
        var sides = new long[cells.Length];
        for (var c = 0; c < cells.Length; c += verticesPerCell)
        {
            for (var k = 0; k < verticesPerCell; k++)
            {
                int a = cells[c + k], b = cells[c + (k + 1) % verticesPerCell];
                if ((uint)a >= (uint)nodeCount || (uint)b >= (uint)nodeCount)
                    throw new ArgumentException($"cell {c / verticesPerCell} names vertex {((uint)a >= (uint)nodeCount ? a : b)} outside 0..{nodeCount - 1}");
                if (a == b) throw new ArgumentException($"cell {c / verticesPerCell} repeats vertex {a}");
                sides[c + k] = SparseGraph.EdgeKey(Math.Min(a, b), Math.Max(a, b));
            }
        }
        return BothDirections(sides, nodeCount);
    }

    /// <summary>A graph with edges <c>a -> b</c> and <c>b -> a</c> for each distinct key <c>(a, b)</c>, sorted by receiver, then sender.</summary>
    internal static SparseGraph BothDirections(long[] undirectedKeys, int nodeCount)
    {
        Array.Sort(undirectedKeys);
        var unique = 0;
        for (var i = 0; i < undirectedKeys.Length; i++)
            if (i == 0 || undirectedKeys[i] != undirectedKeys[i - 1]) undirectedKeys[unique++] = undirectedKeys[i];
        var directed = new long[2 * unique];
        for (var i = 0; i < unique; i++)
        {
            int a = (int)(undirectedKeys[i] >> 32), b = (int)undirectedKeys[i];
            directed[2 * i] = SparseGraph.EdgeKey(b, a); // key = (receiver, sender)
            directed[2 * i + 1] = SparseGraph.EdgeKey(a, b);
        }
        return FromReceiverSenderKeys(directed, nodeCount);
    }

    /// <summary>Edges from keys packed as (receiver, sender); sorts them, so the result is grouped by receiver.</summary>
    internal static SparseGraph FromReceiverSenderKeys(long[] keys, int nodeCount)
    {
        Array.Sort(keys);
        var senders = new int[keys.Length];
        var receivers = new int[keys.Length];
        for (var e = 0; e < keys.Length; e++)
        {
            receivers[e] = (int)(keys[e] >> 32);
            senders[e] = (int)keys[e];
        }
        return new SparseGraph(nodeCount, senders, receivers);
    }
}
