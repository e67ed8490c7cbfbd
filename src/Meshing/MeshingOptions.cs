namespace GnnSim.Meshing;

/// <summary>Quality and size targets of <see cref="UnstructuredMesher"/> (Triangle's <c>-q</c> and <c>-a</c>).</summary>
public sealed record MeshingOptions
{
    /// <summary>
    /// Every triangle's smallest angle reaches this (degrees). Ruppert's refinement is proven to
    /// stop for 20.7 and does in practice up to about 33; above 34 it is refused.
    /// </summary>
    public double MinAngleDegrees { get; init; } = 28;

    /// <summary>No triangle larger than this.</summary>
    public double MaxArea { get; init; } = double.PositiveInfinity;

    /// <summary>
    /// Wanted edge length at a point: a triangle is split while its area exceeds that of the
    /// equilateral triangle with this side at its centroid; boundary sides are cut to it first.
    /// </summary>
    public Func<Point2, double>? TargetEdgeLength { get; init; }

    /// <summary>Refinement stops with an error beyond this many vertices rather than run away.</summary>
    public int MaxVertices { get; init; } = 20_000_000;

    internal void Validate()
    {
        if (!(MinAngleDegrees >= 0 && MinAngleDegrees <= 34))
            throw new ArgumentException($"minimum angle must be between 0 and 34 degrees (refinement may not terminate above), got {MinAngleDegrees}");
        if (!(MaxArea > 0)) throw new ArgumentException($"maximum area must be positive, got {MaxArea}");
        if (MaxVertices < 3) throw new ArgumentException($"maximum vertex count must be at least 3, got {MaxVertices}");
    }
}
