namespace GnnSim.Graph.Tests;

public class SamplingAndBipartiteTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    public void PairsBetweenTwoSetsEqualBruteForce(int dimensions, int seed)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < 10; trial++)
        {
            var sources = Generate.Points(random, random.Next(1, 300), dimensions);
            var targets = Generate.Points(random, random.Next(1, 100), dimensions);
            var radius = 0.02 + random.NextDouble() * 0.2;
            var (s, t) = RadiusGraph.Between(sources, targets, dimensions, radius);
            var expected = new List<(int, int)>();
            for (var q = 0; q < targets.Length / dimensions; q++)
                for (var p = 0; p < sources.Length / dimensions; p++)
                {
                    var d2 = 0.0;
                    for (var a = 0; a < dimensions; a++) d2 += Math.Pow(sources[p * dimensions + a] - targets[q * dimensions + a], 2);
                    if (d2 <= radius * radius) expected.Add((p, q));
                }
            Assert.Equal(expected, s.Zip(t).ToList()); // grouped by target in order, sources ascending
        }
    }

    [Fact]
    public void FarthestPointSamplingTakesTheFarthestPointEachTime()
    {
        // Points on a line at 0, 1, ..., 99: from 10 the farthest is 99, then the middle of 10..99 (54 and 55 are both 44 away
        // from the nearer end: the lower index wins a tie), then the middle of 10..54, 32 (22 from both; 76 is 22 away too, later).
        var line = Enumerable.Range(0, 100).SelectMany(i => new[] { (double)i, 0.0 }).ToArray();
        Assert.Equal([10, 99, 54, 32], FarthestPointSampling.Select(line, 2, 4, first: 10));

        // On a random cloud every point ends nearer a chosen one than the sample's own closest pair is apart
        // (the greedy 2-approximation of the k-centre problem, Gonzalez 1985).
        var random = new Random(3);
        var cloud = Generate.Points(random, 500, 2);
        var sample = FarthestPointSampling.Select(cloud, 2, 25, first: 7);
        Assert.Equal(25, sample.Distinct().Count());
        double Distance(int a, int b) => Math.Sqrt(Generate.SquaredDistance(cloud, 2, a, b));
        var closestPair = sample.SelectMany((a, i) => sample.Skip(i + 1).Select(b => Distance(a, b))).Min();
        var coverage = Enumerable.Range(0, 500).Max(p => sample.Min(c => Distance(p, c)));
        Assert.True(coverage <= closestPair + 1e-12, $"a point is {coverage} from the sample, whose closest pair is {closestPair} apart");
        Assert.Throws<ArgumentException>(() => FarthestPointSampling.Select(cloud, 2, 501));
    }
}
