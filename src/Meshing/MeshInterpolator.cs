namespace GnnSim.Meshing;

/// <summary>
/// Linear (barycentric) interpolation of node fields from a triangle mesh to fixed query points.
/// The points are located once; <see cref="Apply"/> then costs three multiply-adds per value, so
/// every frame of a rollout reuses the same locations. Points outside the mesh get NaN.
/// </summary>
public sealed class MeshInterpolator
{
    private const int PointsPerChunk = 4096;
    private readonly int[] nodes;      // [Q, 3]
    private readonly double[] weights; // [Q, 3]

    private MeshInterpolator(int nodeCount, int[] nodes, double[] weights, int outside)
    {
        NodeCount = nodeCount;
        this.nodes = nodes;
        this.weights = weights;
        OutsideCount = outside;
    }

    public int NodeCount { get; }
    public int PointCount => nodes.Length / 3;
    /// <summary>How many query points fell outside the mesh.</summary>
    public int OutsideCount { get; }

    public static MeshInterpolator Create(Mesh2D mesh, ReadOnlySpan<double> points) => Create(new PointLocator(mesh), points);

    /// <param name="points">query points as (x, y) pairs</param>
    public static MeshInterpolator Create(PointLocator locator, ReadOnlySpan<double> points)
    {
        ArgumentNullException.ThrowIfNull(locator);
        if (points.Length % 2 != 0) throw new ArgumentException($"{points.Length} values is not a whole number of (x, y) points");
        var count = points.Length / 2;
        var query = points.ToArray();
        var nodes = new int[3 * count];
        var weights = new double[3 * count];
        var outside = 0;
        var cells = locator.Mesh.Cells;
        Parallel.For(0, (count + PointsPerChunk - 1) / PointsPerChunk, chunk =>
        {
            var missed = 0;
            for (var q = chunk * PointsPerChunk; q < Math.Min(count, (chunk + 1) * PointsPerChunk); q++)
            {
                var at = locator.Locate(new Point2(query[2 * q], query[2 * q + 1]));
                if (!at.IsInside)
                {
                    nodes[3 * q] = -1;
                    missed++;
                    continue;
                }
                for (var k = 0; k < 3; k++) nodes[3 * q + k] = cells[3 * at.Triangle + k];
                (weights[3 * q], weights[3 * q + 1], weights[3 * q + 2]) = (at.W0, at.W1, at.W2);
            }
            Interlocked.Add(ref outside, missed);
        });
        return new MeshInterpolator(locator.Mesh.NodeCount, nodes, weights, outside);
    }

    /// <summary>Interpolates a node field <c>[N, C]</c> (row-major) to the points: <c>[Q, C]</c>, NaN outside.</summary>
    public float[] Apply(ReadOnlySpan<float> nodeField, int channels)
    {
        if (channels < 1 || nodeField.Length != NodeCount * channels)
            throw new ArgumentException($"a field of {channels} channels on {NodeCount} nodes has {NodeCount * channels} values, got {nodeField.Length}");
        var field = nodeField.ToArray();
        var result = new float[PointCount * channels];
        Parallel.For(0, (PointCount + PointsPerChunk - 1) / PointsPerChunk, chunk =>
        {
            for (var q = chunk * PointsPerChunk; q < Math.Min(PointCount, (chunk + 1) * PointsPerChunk); q++)
            {
                if (nodes[3 * q] < 0)
                {
                    result.AsSpan(q * channels, channels).Fill(float.NaN);
                    continue;
                }
                int a = nodes[3 * q] * channels, b = nodes[3 * q + 1] * channels, c = nodes[3 * q + 2] * channels;
                double wa = weights[3 * q], wb = weights[3 * q + 1], wc = weights[3 * q + 2];
                for (var ch = 0; ch < channels; ch++)
                    result[q * channels + ch] = (float)(wa * field[a + ch] + wb * field[b + ch] + wc * field[c + ch]);
            }
        });
        return result;
    }
}
