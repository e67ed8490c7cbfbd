namespace GnnSim.Graph;

/// <summary>
/// Edges grouped by one endpoint (compressed sparse rows): the edges of node <c>i</c> are
/// positions <c>Offsets[i] .. Offsets[i+1]-1</c>; <c>Neighbors</c> holds the other endpoint and
/// <c>EdgeIds</c> the edge's index in the original arrays. Within a node, edges keep their
/// original order (the grouping is a stable counting sort).
/// </summary>
public sealed class CsrAdjacency
{
    private CsrAdjacency(int[] offsets, int[] neighbors, int[] edgeIds)
    {
        Offsets = offsets;
        Neighbors = neighbors;
        EdgeIds = edgeIds;
    }

    public int[] Offsets { get; }
    public int[] Neighbors { get; }
    public int[] EdgeIds { get; }
    public int NodeCount => Offsets.Length - 1;

    public ReadOnlySpan<int> NeighborsOf(int node) => Neighbors.AsSpan(Offsets[node], Offsets[node + 1] - Offsets[node]);

    public ReadOnlySpan<int> EdgesOf(int node) => EdgeIds.AsSpan(Offsets[node], Offsets[node + 1] - Offsets[node]);

    public int Degree(int node) => Offsets[node + 1] - Offsets[node];

    /// <summary>Groups edges by <paramref name="keys"/>; <paramref name="others"/> become the neighbours.</summary>
    public static CsrAdjacency Group(int nodeCount, int[] keys, int[] others)
    {
        var offsets = new int[nodeCount + 1];
        foreach (var key in keys) offsets[key + 1]++;
        for (var i = 0; i < nodeCount; i++) offsets[i + 1] += offsets[i];
        var cursor = offsets[..^1].ToArray();
        var neighbors = new int[keys.Length];
        var edgeIds = new int[keys.Length];
        for (var e = 0; e < keys.Length; e++)
        {
            var at = cursor[keys[e]]++;
            neighbors[at] = others[e];
            edgeIds[at] = e;
        }
        return new CsrAdjacency(offsets, neighbors, edgeIds);
    }
}
