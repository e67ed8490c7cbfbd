using GnnSim.Graph;

namespace GnnSim.Meshing;

/// <summary>What a boundary segment is; becomes the node type of the nodes on it.</summary>
public enum BoundaryTag
{
    Wall = 1,
    Inflow = 2,
    Outflow = 3,
    Obstacle = 4,
}

/// <summary>One boundary edge of a mesh, oriented with the domain on its left.</summary>
public readonly record struct BoundarySegment(int A, int B, BoundaryTag Tag);

public static class BoundaryTags
{
    public static NodeType ToNodeType(this BoundaryTag tag) => tag switch
    {
        BoundaryTag.Wall => NodeType.WallBoundary,
        BoundaryTag.Inflow => NodeType.Inflow,
        BoundaryTag.Outflow => NodeType.Outflow,
        BoundaryTag.Obstacle => NodeType.Obstacle,
        _ => throw new ArgumentOutOfRangeException(nameof(tag), tag, "unknown boundary tag"),
    };

    /// <summary>
    /// Where segments with different tags meet (a channel's corners), no-slip wins: wall and
    /// obstacle over inflow over outflow, as in DeepMind's cylinder_flow.
    /// </summary>
    internal static int Precedence(BoundaryTag tag) => tag switch
    {
        BoundaryTag.Wall or BoundaryTag.Obstacle => 3,
        BoundaryTag.Inflow => 2,
        _ => 1,
    };
}
