namespace GnnSim.Graph.Tests;

/// <summary>Seeded generators for the property tests (the same seed gives the same cases).</summary>
internal static class Generate
{
    public static double[] Points(Random random, int count, int dimensions, double extent = 1.0)
    {
        var points = new double[count * dimensions];
        for (var i = 0; i < points.Length; i++) points[i] = random.NextDouble() * extent;
        return points;
    }

    /// <summary>Points in a few tight clusters plus exact duplicates: the awkward cases for a cell list.</summary>
    public static double[] ClusteredPoints(Random random, int count, int dimensions)
    {
        var points = new double[count * dimensions];
        var centers = Points(random, 3 * dimensions, dimensions, 100.0);
        for (var i = 0; i < count; i++)
        {
            var c = random.Next(3);
            for (var axis = 0; axis < dimensions; axis++)
                points[i * dimensions + axis] = centers[c * dimensions + axis] + random.NextDouble() * 0.5;
        }
        for (var i = 0; i < count / 10; i++)
        {
            int from = random.Next(count), to = random.Next(count);
            Array.Copy(points, from * dimensions, points, to * dimensions, dimensions);
        }
        return points;
    }

    public static double SquaredDistance(double[] points, int dimensions, int a, int b)
    {
        double sum = 0;
        for (var axis = 0; axis < dimensions; axis++)
        {
            var d = points[a * dimensions + axis] - points[b * dimensions + axis];
            sum += d * d;
        }
        return sum;
    }

    public static List<(int Sender, int Receiver)> Edges(SparseGraph graph) =>
        Enumerable.Range(0, graph.EdgeCount).Select(e => (graph.Senders[e], graph.Receivers[e])).ToList();
}
