namespace GnnSim.Graph;

/// <summary>
/// Farthest-point sampling: from a first point, repeatedly the point farthest from all chosen so
/// far, which spreads a sparse sample evenly over a cloud (GIOROM samples its sparse particles so;
/// PointNet++ its centroids). O(N k) time, O(N) memory.
/// </summary>
public static class FarthestPointSampling
{
    /// <param name="positions">point coordinates, <paramref name="dimensions"/> per point</param>
    /// <param name="count">how many points to choose</param>
    /// <param name="first">the point to start from</param>
    /// <returns>the chosen points' indices, in the order they were chosen</returns>
    public static int[] Select(ReadOnlySpan<double> positions, int dimensions, int count, int first = 0)
    {
        if (dimensions < 1 || positions.Length % dimensions != 0) throw new ArgumentException($"{positions.Length} coordinates are not points of {dimensions} dimensions");
        var n = positions.Length / dimensions;
        if (count < 1 || count > n) throw new ArgumentException($"cannot choose {count} of {n} points");
        if ((uint)first >= (uint)n) throw new ArgumentException($"the first point {first} is not among the {n}");
        var nearest = new double[n]; // squared distance of each point to the nearest chosen one
        Array.Fill(nearest, double.PositiveInfinity);
        var chosen = new int[count];
        var current = first;
        for (var k = 0; k < count; k++)
        {
            chosen[k] = current;
            var next = current;
            var farthest = -1.0;
            for (var i = 0; i < n; i++)
            {
                var d2 = 0.0;
                for (var a = 0; a < dimensions; a++)
                {
                    var d = positions[i * dimensions + a] - positions[current * dimensions + a];
                    d2 += d * d;
                }
                if (d2 < nearest[i]) nearest[i] = d2;
                if (nearest[i] > farthest)
                {
                    farthest = nearest[i];
                    next = i;
                }
            }
            current = next;
        }
        return chosen;
    }
}
