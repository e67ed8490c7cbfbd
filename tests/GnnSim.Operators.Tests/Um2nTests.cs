using GnnSim.Meshing;
using GnnSim.Meshing.Movement;
using GnnSim.Operators.MeshMovers;

namespace GnnSim.Operators.Tests;

public class Um2nTests
{
    static readonly OperatorWidths Widths = new(4, new Dictionary<string, int> { [OperatorBatch.MeshEdges] = 0 }, 2);
    static readonly Um2nOptions Small = new() { EmbedWidth = 16, Heads = 2, Hidden = 8, DeformerLayers = 3, DeformerHeads = 2, GlobalFeatures = 4, LocalFeatures = 4 };

    /// <summary>A unit-square mesh as a mover's graph: coordinates, a monitor peaked at (0.3, 0.6), the boundary mask and rule.</summary>
    static OperatorGraph Graph(Mesh2D mesh)
    {
        var n = mesh.NodeCount;
        var sliding = new BoundarySliding(mesh);
        var (origin, direction, length) = sliding.Runs;
        var inputs = new float[4 * n];
        var rule = new float[6 * n];
        for (var i = 0; i < n; i++)
        {
            double x = mesh.Positions[2 * i], y = mesh.Positions[2 * i + 1];
            inputs[4 * i] = (float)x;
            inputs[4 * i + 1] = (float)y;
            inputs[4 * i + 2] = (float)(1 + 5 * Math.Exp(-((x - 0.3) * (x - 0.3) + (y - 0.6) * (y - 0.6)) / 0.02));
            inputs[4 * i + 3] = sliding.Freedom[i] == NodeFreedom.Free ? 0 : 1;
            rule[6 * i] = (int)sliding.Freedom[i];
            rule[6 * i + 1] = (float)origin[2 * i]; rule[6 * i + 2] = (float)origin[2 * i + 1];
            rule[6 * i + 3] = (float)direction[2 * i]; rule[6 * i + 4] = (float)direction[2 * i + 1];
            rule[6 * i + 5] = (float)length[i];
        }
        var topology = mesh.EdgeGraph();
        var (s, r) = topology.ToTensors();
        return new OperatorGraph(torch.tensor(inputs, n, 4), torch.tensor(Array.ConvertAll(mesh.Positions, v => (float)v), n, 2),
            new Dictionary<string, OperatorGraph.Edges> { [OperatorBatch.MeshEdges] = new(topology, s, r, null) })
        { BoundaryRule = torch.tensor(rule, n, 6) };
    }

    static Mesh2D Square(int cells) => StructuredMesh.Rectangle(0, 0, 1, 1, cells, cells, CellShape.Triangles);

    [Fact]
    public void TheFreedomCodesAreTheOperatorsBoundaryRuleCodes()
    {
        Assert.Equal(BoundaryProjection.Free, (int)NodeFreedom.Free);
        Assert.Equal(BoundaryProjection.Slide, (int)NodeFreedom.Slide);
        Assert.Equal(BoundaryProjection.Fixed, (int)NodeFreedom.Fixed);
    }

    [Fact]
    public void EveryDeformerLayerMovesANodeToAConvexCombinationOfItselfAndItsNeighbours()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var mesh = Square(3);
        var n = mesh.NodeCount;
        var topology = mesh.EdgeGraph();
        var self = Enumerable.Range(0, n).ToArray();
        var senders = torch.tensor(topology.Senders.Concat(self).Select(v => (long)v).ToArray(), topology.EdgeCount + n);
        var receivers = torch.tensor(topology.Receivers.Concat(self).Select(v => (long)v).ToArray(), topology.EdgeCount + n);
        using var layer = new ConvexGraphAttention(5, 6, 3);
        var z = torch.randn(n, 5) * 3.0;
        // The positions enter linearly: an indicator of node j in column x gives every receiver's weight on j.
        for (var j = 0; j < n; j++)
        {
            var indicator = new float[2 * n];
            indicator[2 * j] = 1;
            indicator[2 * j + 1] = 1;
            var (moved, _) = layer.forward(z, torch.tensor(indicator, n, 2), senders, receivers);
            var weights = moved.ToArray<float>();
            var neighbours = Enumerable.Range(0, topology.EdgeCount).Where(e => topology.Senders[e] == j).Select(e => topology.Receivers[e]).Append(j).ToHashSet();
            for (var r = 0; r < n; r++)
            {
                Assert.True(weights[2 * r] >= 0, $"weight of {j} at {r} is {weights[2 * r]}");
                if (!neighbours.Contains(r)) Assert.Equal(0f, weights[2 * r]);
                else Assert.True(weights[2 * r] > 0);
            }
        }
        var (ones, _) = layer.forward(z, torch.ones([n, 2]), senders, receivers);
        Assert.All(ones.ToArray<float>(), v => Assert.Equal(1f, v, 5));
    }

    [Fact]
    public void MovedNodesStayInTheDomainAndBoundaryNodesOnTheirSide()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var mesh = Square(6);
        using var model = new Um2n(Widths, Small);
        var graph = Graph(mesh);
        var output = model.forward(OperatorBatch.Combine([graph])).@double().ToArray<double>();
        var sliding = new BoundarySliding(mesh);
        Assert.True(sliding.BoundaryViolation(output) < 1e-6, $"a boundary node is {sliding.BoundaryViolation(output)} off its side");
        Assert.All(output, v => Assert.InRange(v, -1e-6, 1 + 1e-6));
        // The corners stay exactly; the rest moved.
        foreach (var corner in new[] { 0, 6, 42, 48 })
            Assert.Equal((mesh.Positions[2 * corner], mesh.Positions[2 * corner + 1]), (output[2 * corner], output[2 * corner + 1]));
        Assert.NotEqual(mesh.Positions, output);
    }

    [Fact]
    public void TheTensorBoundaryProjectionIsTheMeshingRule()
    {
        using var scope = torch.NewDisposeScope();
        var mesh = Square(4);
        var sliding = new BoundarySliding(mesh);
        var random = new Random(2);
        var moved = mesh.Positions.Select(v => v + 0.4 * (random.NextDouble() - 0.5)).ToArray();
        var expected = (double[])moved.Clone();
        sliding.Project(expected);
        var graph = Graph(mesh);
        var actual = BoundaryProjection.Apply(torch.tensor(Array.ConvertAll(moved, v => (float)v), mesh.NodeCount, 2), graph.Positions, graph.BoundaryRule!).ToArray<float>();
        for (var k = 0; k < expected.Length; k++) Assert.Equal(expected[k], actual[k], 5);
    }

    [Fact]
    public void ABatchOfTwoMeshesGivesWhatEachGivesAlone()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var model = new Um2n(Widths, Small);
        Mesh2D a = Square(4), b = Square(7);
        var alone = new[] { a, b }.Select(m => model.forward(OperatorBatch.Combine([Graph(m)])).ToArray<float>()).ToArray();
        var together = model.forward(OperatorBatch.Combine([Graph(a), Graph(b)])).ToArray<float>();
        var joined = alone[0].Concat(alone[1]).ToArray();
        Assert.Equal(joined.Length, together.Length);
        for (var k = 0; k < joined.Length; k++) Assert.Equal(joined[k], together[k], 5);
    }
}
