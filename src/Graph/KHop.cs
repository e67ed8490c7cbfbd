namespace GnnSim.Graph;

/// <summary>
/// The k-hop graph: an edge <c>s -> r</c> wherever <c>r</c> can be reached from <c>s</c> in 1 to k
/// hops, without self loops (multi-scale message passing widens its reach this way): the dilated
/// windows of dilation 1 and window k.
/// </summary>
public static class KHop
{
    public static SparseGraph Build(SparseGraph graph, int hops)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (hops < 1) throw new ArgumentException($"hops must be at least 1, got {hops}");
        graph.RequireNoEdgeFeatures(nameof(KHop));
        return DilatedWindows.Build(graph, dilation: 1, window: hops);
    }
}
