using GnnSim.Graph;

namespace GnnSim.Meshing;

/// <summary>
/// DeepMind node types from geometry, for data that carries none: the triangles' boundary edges
/// (edges of one triangle) form loops; the loop with the largest extent is the outer boundary and
/// the others are holes. Outer-boundary nodes on the sides of the bounding box (left, right, top,
/// bottom, within 1e-6 of its diagonal) and hole nodes take the types a spec names
/// (<c>left=inflow,right=outflow,top=wall,bottom=wall,holes=obstacle</c>); outer-boundary nodes on
/// no named side are walls; a node on two sides takes the stronger type (<see cref="NodeTypePriority"/>);
/// interior nodes are NORMAL.
/// </summary>
public static class BoundaryClassifier
{
    private static readonly string[] Parts = ["left", "right", "top", "bottom", "holes"];
    /// <summary>The spec's parts and their types; an <see cref="ArgumentException"/> names a malformed entry.</summary>
    public static Dictionary<string, NodeType> ParseSpec(string spec)
    {
        var named = new Dictionary<string, NodeType>();
        foreach (var entry in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = entry.Split('=', StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !Parts.Contains(kv[0].ToLowerInvariant()))
                throw new ArgumentException($"boundary entry '{entry}' is not PART=TYPE with PART one of {string.Join(", ", Parts)}");
            named[kv[0].ToLowerInvariant()] = NodeTypeNames.Parse(kv[1], $"boundary entry {entry}");
        }
        if (named.Count == 0) throw new ArgumentException($"boundary spec '{spec}' names no part (PART=TYPE with PART one of {string.Join(", ", Parts)})");
        return named;
    }

    public static int[] Classify(double[] positions, int[] triangles, string spec)
    {
        var named = ParseSpec(spec);
        var n = positions.Length / 2;
        // Boundary loops: connected components of the boundary edges.
        var neighbours = new Dictionary<int, List<int>>();
        foreach (var (a, b) in BoundaryEdges.Of(triangles))
        {
            (neighbours.TryGetValue(a, out var la) ? la : neighbours[a] = []).Add(b);
            (neighbours.TryGetValue(b, out var lb) ? lb : neighbours[b] = []).Add(a);
        }
        var loops = new List<List<int>>();
        var seen = new HashSet<int>();
        foreach (var start in neighbours.Keys.Order())
        {
            if (!seen.Add(start)) continue;
            var loop = new List<int>();
            var stack = new Stack<int>([start]);
            while (stack.Count > 0)
            {
                var node = stack.Pop();
                loop.Add(node);
                foreach (var next in neighbours[node]) if (seen.Add(next)) stack.Push(next);
            }
            loops.Add(loop);
        }
        if (loops.Count == 0) throw new ArgumentException("the mesh has no boundary edges to classify");
        double Extent(List<int> loop) => (loop.Max(i => positions[2 * i]) - loop.Min(i => positions[2 * i])) + (loop.Max(i => positions[2 * i + 1]) - loop.Min(i => positions[2 * i + 1]));
        var outer = loops.OrderByDescending(Extent).First();
        double minX = outer.Min(i => positions[2 * i]), maxX = outer.Max(i => positions[2 * i]), minY = outer.Min(i => positions[2 * i + 1]), maxY = outer.Max(i => positions[2 * i + 1]);
        var tolerance = 1e-6 * Math.Sqrt((maxX - minX) * (maxX - minX) + (maxY - minY) * (maxY - minY));

        var types = new int[n];
        void Mark(int node, NodeType type)
        {
            if (NodeTypePriority.Of(type) > NodeTypePriority.Of((NodeType)types[node])) types[node] = (int)type;
        }
        foreach (var node in outer)
        {
            double x = positions[2 * node], y = positions[2 * node + 1];
            var sides = new List<string>();
            if (Math.Abs(x - minX) <= tolerance) sides.Add("left");
            if (Math.Abs(x - maxX) <= tolerance) sides.Add("right");
            if (Math.Abs(y - maxY) <= tolerance) sides.Add("top");
            if (Math.Abs(y - minY) <= tolerance) sides.Add("bottom");
            if (sides.Count == 0) sides.Add("");
            foreach (var side in sides) Mark(node, named.GetValueOrDefault(side, NodeType.WallBoundary));
        }
        var holeType = named.GetValueOrDefault("holes", NodeType.WallBoundary);
        foreach (var hole in loops.Where(l => !ReferenceEquals(l, outer)))
            foreach (var node in hole) Mark(node, holeType);
        return types;
    }
}
