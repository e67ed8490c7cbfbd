[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace GnnSim.Graph.Tests;

public class MeshEdgeTests
{
    [Fact]
    public void TwoTrianglesGiveFiveEdgesInBothDirections()
    {
        // 2---3
        // | \ |
        // 0---1   triangles (0,1,2) and (1,3,2) share the edge 1-2.
        var graph = MeshEdges.FromCells([0, 1, 2, 1, 3, 2], 3, 4);
        var expected = new[] { (0, 1), (0, 2), (1, 2), (1, 3), (2, 3) }
            .SelectMany(p => new[] { (p.Item1, p.Item2), (p.Item2, p.Item1) })
            .OrderBy(e => e.Item2).ThenBy(e => e.Item1).ToList();
        Assert.Equal(expected, Generate.Edges(graph));
        Assert.True(graph.IsUndirected());
        Assert.Equal([2, 3, 3, 2], graph.InDegree());
    }

    [Fact]
    public void QuadsContributeTheirFourSidesButNoDiagonals()
    {
        // 3---4---5
        // |   |   |
        // 0---1---2
        var graph = MeshEdges.FromCells([0, 1, 4, 3, 1, 2, 5, 4], 4, 6);
        Assert.Equal(14, graph.EdgeCount);
        var edges = Generate.Edges(graph).ToHashSet();
        Assert.Contains((1, 4), edges);
        Assert.Contains((4, 1), edges);
        Assert.DoesNotContain((0, 4), edges);
        Assert.DoesNotContain((1, 3), edges);
    }

    [Fact]
    public void BadCellsAreRejectedWithTheCellNamed()
    {
        Assert.Contains("cell 1", Assert.Throws<ArgumentException>(() => MeshEdges.FromCells([0, 1, 2, 1, 3, 7], 3, 4)).Message);
        Assert.Contains("whole number", Assert.Throws<ArgumentException>(() => MeshEdges.FromCells([0, 1, 2, 1], 3, 4)).Message);
        Assert.Contains("repeats", Assert.Throws<ArgumentException>(() => MeshEdges.FromCells([0, 1, 1], 3, 4)).Message);
    }
}

public class RadiusAndKnnTests
{
    public static TheoryData<int, int> Cases() => new() { { 2, 1 }, { 2, 2 }, { 2, 3 }, { 3, 4 }, { 3, 5 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void RadiusGraphEqualsBruteForce(int dimensions, int seed)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < 20; trial++)
        {
            var count = random.Next(0, 400);
            var points = trial % 3 == 0 ? Generate.ClusteredPoints(random, count, dimensions) : Generate.Points(random, count, dimensions);
            var radius = trial % 3 == 0 ? random.NextDouble() * 0.3 : random.NextDouble() * 0.25;
            var selfLoops = trial % 2 == 0;
            var graph = RadiusGraph.Build(points, dimensions, radius, selfLoops: selfLoops);

            var expected = new List<(int, int)>();
            for (var r = 0; r < count; r++)
            for (var s = 0; s < count; s++)
                if ((s != r || selfLoops) && Generate.SquaredDistance(points, dimensions, s, r) <= radius * radius)
                    expected.Add((s, r));
            var actual = Generate.Edges(graph);
            Assert.Equal(actual.OrderBy(e => e.Receiver).ToList(), actual); // grouped by receiver
            Assert.Equal(expected.OrderBy(e => e.Item2).ThenBy(e => e.Item1).ToList(), actual.OrderBy(e => e.Receiver).ThenBy(e => e.Sender).ToList());
            Assert.True(graph.IsUndirected());
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void WithinCountsAllAndWritesWhatFits(int dimensions)
    {
        // 3,000 points in a small box: one query sees more than a thousand candidates.
        var random = new Random(dimensions);
        var points = Generate.Points(random, 3000, dimensions);
        var grid = new PointGrid(points, dimensions, 0.5);
        var query = new double[dimensions];
        query.AsSpan().Fill(0.5);
        var expected = Enumerable.Range(0, 3000).Where(i => i != 7 && Enumerable.Range(0, dimensions).Sum(a => Math.Pow(points[i * dimensions + a] - 0.5, 2)) <= 0.16).ToHashSet();

        var all = new int[3000];
        var total = grid.Within(query, 0.4, all, exclude: 7);
        Assert.Equal(expected.Count, total);
        Assert.Equal(expected.Order(), all[..total].Order());
        Assert.Equal(total, grid.Within(query, 0.4, [], exclude: 7));
        var few = new int[10];
        Assert.Equal(total, grid.Within(query, 0.4, few, exclude: 7));
        Assert.Equal(all[..10], few); // the first ones in cell order
    }

    [Theory]
    [InlineData(2, 11)]
    [InlineData(3, 12)]
    public void MaxNeighborsKeepsTheNearest(int dimensions, int seed)
    {
        var random = new Random(seed);
        var points = Generate.Points(random, 500, dimensions);
        const int max = 6;
        var graph = RadiusGraph.Build(points, dimensions, 0.2, maxNeighbors: max);
        var incoming = graph.ByReceiver();
        for (var r = 0; r < 500; r++)
        {
            var expected = Enumerable.Range(0, 500).Where(s => s != r)
                .Select(s => (D2: Generate.SquaredDistance(points, dimensions, s, r), Id: s))
                .Where(x => x.D2 <= 0.04).OrderBy(x => x).Take(max).Select(x => x.Id).ToArray();
            Assert.Equal(expected, incoming.NeighborsOf(r).ToArray()); // nearest first
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KnnGraphEqualsBruteForce(int dimensions, int seed)
    {
        var random = new Random(seed + 100);
        for (var trial = 0; trial < 12; trial++)
        {
            var count = random.Next(12, 300);
            var points = trial % 3 == 0 ? Generate.ClusteredPoints(random, count, dimensions) : Generate.Points(random, count, dimensions);
            var k = random.Next(1, 11);
            var selfLoops = trial % 2 == 1;
            var graph = KnnGraph.Build(points, dimensions, k, selfLoops);
            Assert.Equal(count * k, graph.EdgeCount);
            var incoming = graph.ByReceiver();
            for (var r = 0; r < count; r++)
            {
                var expected = Enumerable.Range(0, count).Where(s => selfLoops || s != r)
                    .Select(s => (D2: Generate.SquaredDistance(points, dimensions, s, r), Id: s))
                    .OrderBy(x => x).Take(k).Select(x => x.Id).Order().ToArray();
                Assert.Equal(expected, incoming.NeighborsOf(r).ToArray());
            }
        }
    }

    [Fact]
    public void BadPointsAreRejected()
    {
        Assert.Contains("non-finite", Assert.Throws<ArgumentException>(() => RadiusGraph.Build([0, 0, double.NaN, 1], 2, 0.5)).Message);
        Assert.Contains("2D or 3D", Assert.Throws<ArgumentException>(() => RadiusGraph.Build([0, 0, 1, 1], 4, 0.5)).Message);
        Assert.Contains("radius", Assert.Throws<ArgumentException>(() => RadiusGraph.Build([0, 0, 1, 1], 2, -1)).Message);
        Assert.Contains("candidate", Assert.Throws<ArgumentException>(() => KnnGraph.Build([0, 0, 1, 1], 2, 2)).Message);
    }

    [Fact]
    public void FarApartPointsDoNotBlowUpTheGrid()
    {
        // Two points 1e9 apart with a tiny radius: the grid must stay O(N), not 1e18 cells.
        var graph = RadiusGraph.Build([0, 0, 1e9, 1e9, 1e-7, 0], 2, 1e-6);
        Assert.Equal([(2, 0), (0, 2)], Generate.Edges(graph));
    }
}

public class TopologyTests
{
    private static SparseGraph Path(int nodes)
    {
        var senders = Enumerable.Range(0, nodes - 1).SelectMany(i => new[] { i, i + 1 }).ToArray();
        var receivers = Enumerable.Range(0, nodes - 1).SelectMany(i => new[] { i + 1, i }).ToArray();
        return new SparseGraph(nodes, senders, receivers);
    }

    [Fact]
    public void KHopOfAPathReachesExactlyKSteps()
    {
        var graph = KHop.Build(Path(6), 2);
        var expected = new List<(int, int)>();
        for (var r = 0; r < 6; r++)
        for (var s = 0; s < 6; s++)
            if (s != r && Math.Abs(s - r) <= 2) expected.Add((s, r));
        Assert.Equal(expected, Generate.Edges(graph));
    }

    [Fact]
    public void KHopEqualsBooleanMatrixPowersOnRandomDirectedGraphs()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 10; trial++)
        {
            var n = random.Next(2, 40);
            var edges = Enumerable.Range(0, random.Next(0, 3 * n)).Select(_ => (random.Next(n), random.Next(n))).ToArray();
            var graph = new SparseGraph(n, edges.Select(e => e.Item1).ToArray(), edges.Select(e => e.Item2).ToArray());
            var hops = random.Next(1, 4);
            // reach[s, r]: a walk of length 1..hops from s to r.
            var step = new bool[n, n];
            foreach (var (s, r) in edges) step[s, r] = true;
            var walk = (bool[,])step.Clone();
            var reach = (bool[,])step.Clone();
            for (var h = 2; h <= hops; h++)
            {
                var next = new bool[n, n];
                for (var s = 0; s < n; s++)
                for (var m = 0; m < n; m++)
                    if (walk[s, m])
                        for (var r = 0; r < n; r++) next[s, r] |= step[m, r];
                walk = next;
                for (var s = 0; s < n; s++)
                for (var r = 0; r < n; r++) reach[s, r] |= walk[s, r];
            }
            var expected = new List<(int, int)>();
            for (var r = 0; r < n; r++)
            for (var s = 0; s < n; s++)
                if (s != r && reach[s, r]) expected.Add((s, r));
            Assert.Equal(expected, Generate.Edges(KHop.Build(graph, hops)));
        }
    }

    [Fact]
    public void DilatedWindowsOfAPathAreTheRingsDTwoDUpToWD()
    {
        // d = 2, w = 3: the nodes 2, 4 and 6 hops away, none in between.
        var graph = DilatedWindows.Build(Path(10), dilation: 2, window: 3);
        var expected = new List<(int, int)>();
        for (var r = 0; r < 10; r++)
        for (var s = 0; s < 10; s++)
            if (Math.Abs(s - r) is 2 or 4 or 6) expected.Add((s, r));
        Assert.Equal(expected, Generate.Edges(graph));
        // d = 1 is the w-hop graph.
        Assert.Equal(Generate.Edges(KHop.Build(Path(10), 3)), Generate.Edges(DilatedWindows.Build(Path(10), 1, 3)));
        Assert.Throws<ArgumentException>(() => DilatedWindows.Build(Path(3), 0, 2));
    }

    [Fact]
    public void DilatedWindowsOfAGridFollowHopDistanceNotGeometry()
    {
        // A 5 x 5 grid with 4-neighbour edges: the hop distance is the Manhattan distance.
        const int side = 5;
        var senders = new List<int>();
        var receivers = new List<int>();
        for (var y = 0; y < side; y++)
        for (var x = 0; x < side; x++)
        {
            var node = y * side + x;
            if (x + 1 < side) { senders.AddRange([node, node + 1]); receivers.AddRange([node + 1, node]); }
            if (y + 1 < side) { senders.AddRange([node, node + side]); receivers.AddRange([node + side, node]); }
        }
        var grid = new SparseGraph(side * side, senders.ToArray(), receivers.ToArray());
        var graph = DilatedWindows.Build(grid, dilation: 2, window: 2);
        var expected = new List<(int, int)>();
        for (var r = 0; r < side * side; r++)
        for (var s = 0; s < side * side; s++)
            if (Math.Abs(s % side - r % side) + Math.Abs(s / side - r / side) is 2 or 4) expected.Add((s, r));
        Assert.Equal(expected, Generate.Edges(graph));
    }

    [Fact]
    public void RandomJumpsAddNewUndirectedEdgesReproducibly()
    {
        var grid = Path(200);
        var jumped = RandomJumps.Add(grid, 0.5, seed: 3);
        Assert.Equal(grid.EdgeCount + 2 * (int)Math.Round(0.5 * grid.EdgeCount / 2.0), jumped.EdgeCount);
        Assert.True(jumped.IsUndirected());
        Assert.False(jumped.HasSelfLoops());
        Assert.Equal(jumped.EdgeCount, Generate.Edges(jumped).Distinct().Count());
        Assert.Equal(Generate.Edges(grid), Generate.Edges(jumped).Take(grid.EdgeCount));
        Assert.Equal(Generate.Edges(jumped), Generate.Edges(RandomJumps.Add(grid, 0.5, seed: 3)));
        Assert.NotEqual(Generate.Edges(jumped), Generate.Edges(RandomJumps.Add(grid, 0.5, seed: 4)));
        Assert.Contains("cannot add", Assert.Throws<ArgumentException>(() => RandomJumps.Add(Path(3), 10, 0)).Message);
    }

    [Fact]
    public void SelfLoopsOneDirectionAndCsr()
    {
        var graph = new SparseGraph(3, [1, 0, 2, 1, 1], [0, 1, 1, 2, 1]);
        Assert.True(graph.HasSelfLoops());
        Assert.True(graph.IsUndirected());
        Assert.False(new SparseGraph(3, [1, 0, 2], [0, 1, 1]).IsUndirected());
        var withLoops = graph.WithSelfLoops();
        Assert.Equal(7, withLoops.EdgeCount);
        Assert.Equal([(1, 0), (0, 1), (2, 1), (1, 2), (1, 1), (0, 0), (2, 2)], Generate.Edges(withLoops));
        Assert.Equal([(1, 0), (0, 1), (2, 1), (1, 2)], Generate.Edges(graph.WithoutSelfLoops()));
        Assert.Equal([(1, 0), (2, 1)], Generate.Edges(graph.OneDirection()));

        var csr = graph.ByReceiver();
        Assert.Equal([0, 1, 4, 5], csr.Offsets);
        Assert.Equal([0, 2, 1], csr.NeighborsOf(1).ToArray());
        Assert.Equal([1, 2, 4], csr.EdgesOf(1).ToArray());
        Assert.Equal([1, 3, 1], graph.InDegree());
        Assert.Equal([1, 3, 1], graph.OutDegree());
    }

    [Fact]
    public void EdgeFeaturesFollowFilteredEdgesAndBlockAddedOnes()
    {
        var graph = new SparseGraph(2, [0, 1, 1], [1, 0, 1], edgeFeatures: new FeatureMatrix([10, 20, 30], 3, 1));
        Assert.Equal([10f, 20f], graph.WithoutSelfLoops().EdgeFeatures!.Values);
        Assert.Equal([20f], graph.OneDirection().EdgeFeatures!.Values);
        Assert.Throws<InvalidOperationException>(() => graph.WithSelfLoops());
        Assert.Throws<InvalidOperationException>(() => KHop.Build(graph, 2));
    }

    [Fact]
    public void InvalidGraphsAreRejected()
    {
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => new SparseGraph(2, [0, 2], [1, 0])).Message);
        Assert.Contains("differ in length", Assert.Throws<ArgumentException>(() => new SparseGraph(2, [0], [1, 0])).Message);
        Assert.Contains("rows", Assert.Throws<ArgumentException>(() => new SparseGraph(2, [0], [1], new FeatureMatrix([1, 2, 3], 3, 1))).Message);
    }
}
