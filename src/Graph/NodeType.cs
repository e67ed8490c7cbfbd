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
