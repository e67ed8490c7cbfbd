namespace GnnSim.Graph;

/// <summary>Node types with DeepMind's meshgraphnets codes (common.py); one-hot width is <see cref="Size"/>.</summary>
public enum NodeType
{
    Normal = 0,
    Obstacle = 1,
    Airfoil = 2,
    Handle = 3,
    Inflow = 4,
    Outflow = 5,
    WallBoundary = 6,
    Size = 9,
}

/// <summary>DeepMind's names of the node types, as its common.py spells them (WALL_BOUNDARY), and the words users give them in specs.</summary>
public static class NodeTypeNames
{
    private static readonly Dictionary<string, NodeType> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["normal"] = NodeType.Normal, ["obstacle"] = NodeType.Obstacle, ["airfoil"] = NodeType.Airfoil, ["handle"] = NodeType.Handle,
        ["inflow"] = NodeType.Inflow, ["outflow"] = NodeType.Outflow, ["wall"] = NodeType.WallBoundary, ["wall_boundary"] = NodeType.WallBoundary,
    };

    /// <summary>The node type a spec word names (normal, obstacle, airfoil, handle, inflow, outflow, wall); an error lists them.</summary>
    public static NodeType Parse(string word, string context) => Words.TryGetValue(word, out var type)
        ? type
        : throw new ArgumentException($"{context}: '{word}' is not a node type ({string.Join(", ", Words.Keys)})");

    public static string Of(int code) => Enum.IsDefined((NodeType)code) && code != (int)NodeType.Size
        ? string.Concat(((NodeType)code).ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : $"{char.ToUpperInvariant(c)}"))
        : $"type {code}";
}

/// <summary>Which type a node on two boundaries takes: wall, then obstacle (and airfoil, handle), then inflow, then outflow, then normal.</summary>
public static class NodeTypePriority
{
    public static int Of(NodeType type) => type switch
    {
        NodeType.WallBoundary => 4,
        NodeType.Obstacle or NodeType.Airfoil or NodeType.Handle => 3,
        NodeType.Inflow => 2,
        NodeType.Outflow => 1,
        _ => 0,
    };
}
