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

/// <summary>DeepMind's names of the node types, as its common.py spells them (WALL_BOUNDARY).</summary>
public static class NodeTypeNames
{
    public static string Of(int code) => Enum.IsDefined((NodeType)code) && code != (int)NodeType.Size
        ? string.Concat(((NodeType)code).ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : $"{char.ToUpperInvariant(c)}"))
        : $"type {code}";
}
