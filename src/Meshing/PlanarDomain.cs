namespace GnnSim.Meshing;

/// <summary>A polygonal region to mesh: an outer loop and any number of holes inside it.</summary>
public sealed class PlanarDomain
{
    public PlanarDomain(BoundaryLoop outer, params IReadOnlyList<BoundaryLoop> holes)
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(holes);
        for (var h = 0; h < holes.Count; h++)
        {
            if (!holes[h].Vertices.All(outer.Contains)) throw new ArgumentException($"hole {h} is not inside the outer boundary");
        }
        Outer = outer;
        Holes = holes.ToArray();
    }

    public BoundaryLoop Outer { get; }
    public IReadOnlyList<BoundaryLoop> Holes { get; }

    public IEnumerable<BoundaryLoop> Loops => Holes.Prepend(Outer);
}
