namespace GnnSim.Meshing;

/// <summary>
/// The geometry of DeepMind's cylinder_flow (and the DFG benchmark it follows): a 1.6 x 0.41
/// channel, inflow on the left, outflow on the right, walls above and below, and a cylinder hole
/// of radius 0.05 at (0.2, 0.2). Its mesh is graded from fine at the cylinder to coarse
/// downstream; the defaults give about 1,900 nodes, like the dataset's meshes.
/// </summary>
public sealed record CylinderFlowDomain
{
    public double Length { get; init; } = 1.6;
    public double Height { get; init; } = 0.41;
    public Point2 Center { get; init; } = new(0.2, 0.2);
    public double Radius { get; init; } = 0.05;
    /// <summary>Edge length on the cylinder.</summary>
    public double NearEdgeLength { get; init; } = 0.0088;
    /// <summary>Edge length far from the cylinder.</summary>
    public double FarEdgeLength { get; init; } = 0.0285;
    /// <summary>How fast the edge length grows with distance from the cylinder surface.</summary>
    public double Grading { get; init; } = 0.2;

    /// <summary>Like DeepMind's meshes the cylinder is a no-slip wall (WALL_BOUNDARY nodes); choose Obstacle to tell it apart.</summary>
    public BoundaryTag CylinderTag { get; init; } = BoundaryTag.Wall;

    public PlanarDomain Domain()
    {
        if (!(Radius > 0) || Center.X - Radius <= 0 || Center.X + Radius >= Length || Center.Y - Radius <= 0 || Center.Y + Radius >= Height)
            throw new ArgumentException($"the cylinder (centre ({Center.X}, {Center.Y}), radius {Radius}) must lie inside the {Length} x {Height} channel");
        var sides = Math.Max(8, (int)Math.Ceiling(2 * Math.PI * Radius / NearEdgeLength));
        return new PlanarDomain(
            BoundaryLoop.Rectangle(0, 0, Length, Height, bottom: BoundaryTag.Wall, right: BoundaryTag.Outflow, top: BoundaryTag.Wall, left: BoundaryTag.Inflow),
            BoundaryLoop.Circle(Center, Radius, sides, CylinderTag));
    }

    public double TargetEdgeLength(Point2 p)
    {
        var fromSurface = Math.Max(0, Point2.Distance(p, Center) - Radius);
        return Math.Min(FarEdgeLength, NearEdgeLength + Grading * fromSurface);
    }

    public Mesh2D Generate(double minAngleDegrees = 28) =>
        UnstructuredMesher.Generate(Domain(), new MeshingOptions { MinAngleDegrees = minAngleDegrees, TargetEdgeLength = TargetEdgeLength });
}
