using GnnSim.Graph;
using GnnSim.Torch;

namespace GnnSim.Operators.Particles;

/// <summary>
/// GIOROM's latent grid for a batch of particle graphs: per graph G^D nodes spanning a cube around
/// the graph's particles (the bounding box's larger side, centred on it), and the pairs of a
/// particle and a grid node closer than <c>radius cells x the grid spacing</c>, both ways the same
/// pairs. The grid follows the particles, not the walls: the operator does not know the walls, and
/// so every node sits on the material (a water column in a corner would leave most of a box grid empty).
/// </summary>
public sealed class LatentGrid : IDisposable
{
    LatentGrid(Tensor points, Tensor unitCoordinates, Tensor radii, Tensor particles, Tensor nodes, int[] nodeOffsets)
    {
        Points = points;
        UnitCoordinates = unitCoordinates;
        Radii = radii;
        Particles = particles;
        Nodes = nodes;
        NodeOffsets = nodeOffsets;
    }

    /// <summary>[B G^D, D] the grid nodes, graph after graph.</summary>
    public Tensor Points { get; }
    /// <summary>[B G^D, D] each node's place in its grid, 0 to 1 per axis.</summary>
    public Tensor UnitCoordinates { get; }
    /// <summary>[B G^D, 1] each node's integral radius (its graph's).</summary>
    public Tensor Radii { get; }
    /// <summary>[P] int64: each pair's particle (batch index).</summary>
    public Tensor Particles { get; }
    /// <summary>[P] int64: each pair's grid node.</summary>
    public Tensor Nodes { get; }
    /// <summary>[B + 1]: graph g owns grid nodes offsets[g] .. offsets[g + 1] - 1.</summary>
    public int[] NodeOffsets { get; }
    public long NodeCount => NodeOffsets[^1];

    /// <param name="positions">[N, D] the batch's particle positions</param>
    /// <param name="particleOffsets">[B + 1] the batch's node offsets</param>
    /// <param name="side">G, nodes per axis</param>
    /// <param name="radiusCells">the integral radius in grid spacings</param>
    public static LatentGrid For(Tensor positions, int[] particleOffsets, int side, double radiusCells)
    {
        var d = (int)positions.shape[1];
        var host = positions.cpu().ToArray<float>();
        var perGraph = (int)Math.Pow(side, d);
        var graphs = particleOffsets.Length - 1;
        var points = new float[graphs * perGraph * d];
        var unit = new float[graphs * perGraph * d];
        var radii = new float[graphs * perGraph];
        var pairParticles = new List<long>();
        var pairNodes = new List<long>();
        for (var g = 0; g < graphs; g++)
        {
            int first = particleOffsets[g], count = particleOffsets[g + 1] - particleOffsets[g];
            var low = new double[d];
            var high = new double[d];
            Array.Fill(low, double.MaxValue);
            Array.Fill(high, double.MinValue);
            for (var i = first; i < first + count; i++)
                for (var a = 0; a < d; a++)
                {
                    low[a] = Math.Min(low[a], host[i * d + a]);
                    high[a] = Math.Max(high[a], host[i * d + a]);
                }
            // A cube on the larger side (never empty: one particle still gets a small grid around it).
            var extent = Math.Max(1e-6, Enumerable.Range(0, d).Max(a => high[a] - low[a]));
            var spacing = extent / (side - 1);
            var radius = radiusCells * spacing;
            var nodeBase = g * perGraph;
            var nodeCoordinates = new double[perGraph * d];
            for (var k = 0; k < perGraph; k++)
            {
                var rest = k;
                for (var a = 0; a < d; a++)
                {
                    var index = rest % side;
                    rest /= side;
                    var centre = 0.5 * (low[a] + high[a]);
                    var coordinate = centre - 0.5 * extent + index * spacing;
                    nodeCoordinates[k * d + a] = coordinate;
                    points[(nodeBase + k) * d + a] = (float)coordinate;
                    unit[(nodeBase + k) * d + a] = (float)(index / (side - 1.0));
                }
                radii[nodeBase + k] = (float)radius;
            }
            var graphPositions = new double[count * d];
            for (var k = 0; k < graphPositions.Length; k++) graphPositions[k] = host[first * d + k];
            var (sources, targets) = RadiusGraph.Between(graphPositions, nodeCoordinates, d, radius);
            for (var p = 0; p < sources.Length; p++)
            {
                pairParticles.Add(first + sources[p]);
                pairNodes.Add(nodeBase + targets[p]);
            }
        }
        var device = positions.device;
        var offsets = Enumerable.Range(0, graphs + 1).Select(g => g * perGraph).ToArray();
        return new LatentGrid(torch.tensor(points, graphs * perGraph, d).to(device), torch.tensor(unit, graphs * perGraph, d).to(device),
            torch.tensor(radii, graphs * perGraph, 1).to(device), torch.tensor(pairParticles.ToArray(), pairParticles.Count).to(device),
            torch.tensor(pairNodes.ToArray(), pairNodes.Count).to(device), offsets);
    }

    public void Dispose()
    {
        Points.Dispose();
        UnitCoordinates.Dispose();
        Radii.Dispose();
        Particles.Dispose();
        Nodes.Dispose();
    }
}
