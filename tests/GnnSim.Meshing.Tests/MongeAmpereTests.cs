using GnnSim.Meshing.Movement;

namespace GnnSim.Meshing.Tests;

public class MongeAmpereTests
{
    static Mesh2D UnitSquare(int cells) => StructuredMesh.Rectangle(0, 0, 1, 1, cells, cells, CellShape.Triangles);

    static Func<Mesh2D, double[]> PeakAt(double cx, double cy) =>
        Monitors.OfPosition((x, y) => 1 + 20 * Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 0.01));

    static int NodesWithin(Mesh2D mesh, double cx, double cy, double radius) =>
        Enumerable.Range(0, mesh.NodeCount).Count(i => Point2.Distance(mesh.Point(i), new Point2(cx, cy)) < radius);

    [Fact]
    public void BoundaryNodesSlideAlongTheirSideAndCornersStay()
    {
        var mesh = UnitSquare(4);
        var sliding = new BoundarySliding(mesh);
        int Node(int i, int j) => j * 5 + i;
        foreach (var corner in new[] { Node(0, 0), Node(4, 0), Node(4, 4), Node(0, 4) }) Assert.Equal(NodeFreedom.Fixed, sliding.Freedom[corner]);
        Assert.Equal(NodeFreedom.Slide, sliding.Freedom[Node(2, 0)]);
        Assert.Equal(NodeFreedom.Slide, sliding.Freedom[Node(4, 1)]);
        Assert.Equal(NodeFreedom.Free, sliding.Freedom[Node(2, 2)]);
        Assert.Equal(12, sliding.Freedom.Count(f => f == NodeFreedom.Slide));

        var positions = (double[])mesh.Positions.Clone();
        positions[2 * Node(2, 0)] = 0.7; positions[2 * Node(2, 0) + 1] = -0.3;   // off the bottom side: back onto it
        positions[2 * Node(4, 1)] = 1.2; positions[2 * Node(4, 1) + 1] = 1.5;    // past the top right corner: clamped to it
        positions[2 * Node(0, 0)] = 0.1;                                           // a corner: back in place
        positions[2 * Node(2, 2)] = 0.33;                                          // inside: untouched
        sliding.Project(positions);
        Assert.Equal((0.7, 0.0), (positions[2 * Node(2, 0)], positions[2 * Node(2, 0) + 1]));
        Assert.Equal((1.0, 1.0), (positions[2 * Node(4, 1)], positions[2 * Node(4, 1) + 1]));
        Assert.Equal(0.0, positions[2 * Node(0, 0)]);
        Assert.Equal(0.33, positions[2 * Node(2, 2)]);
        Assert.Equal(0, sliding.BoundaryViolation(positions), 12);

        var displacement = Enumerable.Repeat(0.25, 2 * mesh.NodeCount).ToArray();
        sliding.ConstrainDisplacement(displacement);
        Assert.Equal((0.25, 0.0), (displacement[2 * Node(2, 0)], displacement[2 * Node(2, 0) + 1]));
        Assert.Equal((0.0, 0.25), (displacement[2 * Node(4, 1)], displacement[2 * Node(4, 1) + 1]));
        Assert.Equal((0.0, 0.0), (displacement[2 * Node(4, 4)], displacement[2 * Node(4, 4) + 1]));
    }

    [Fact]
    public void AConstantMonitorLeavesTheMeshInPlace()
    {
        var mesh = UnitSquare(8);
        var result = new MongeAmpereMover(mesh).Move(Monitors.OfPosition((_, _) => 3));
        Assert.True(result.Converged);
        Assert.Equal(0, result.Iterations);
        Assert.Equal(mesh.Positions, result.Mesh.Positions);
    }

    [Fact]
    public void APeakedMonitorConcentratesNodesAtThePeakWithoutTangling()
    {
        var mesh = UnitSquare(20);
        var mover = new MongeAmpereMover(mesh);
        var result = mover.Move(PeakAt(0.6, 0.4));
        Assert.True(result.Converged, result.Failure);
        Assert.InRange(result.Iterations, 2, 500);
        Assert.True(result.Residual < 1e-3);
        Assert.Equal(0, result.TangledCells(mesh));
        Assert.Equal(0, mover.Sliding.BoundaryViolation(result.Mesh.Positions), 12);
        var before = NodesWithin(mesh, 0.6, 0.4, 0.1);
        var after = NodesWithin(result.Mesh, 0.6, 0.4, 0.1);
        Assert.True(after > 2 * before, $"nodes within 0.1 of the peak: {before} before, {after} after");
        // Equidistribution: cells under the peak shrink; m times the cell area is far more even than before.
        var areasBefore = MeshQuality.SignedAreas(mesh);
        var areasAfter = MeshQuality.SignedAreas(result.Mesh);
        var peak = PeakAt(0.6, 0.4);
        double Spread(Mesh2D m, double[] areas)
        {
            var monitor = peak(m);
            var products = Enumerable.Range(0, m.CellCount).Select(c => areas[c] * (monitor[m.Cells[3 * c]] + monitor[m.Cells[3 * c + 1]] + monitor[m.Cells[3 * c + 2]]) / 3).ToArray();
            return products.Max() / products.Min();
        }
        Assert.True(Spread(result.Mesh, areasAfter) < 0.5 * Spread(mesh, areasBefore));
    }

    [Fact]
    public void BadInputEndsInAClearErrorOrAReportedFailure()
    {
        var mesh = UnitSquare(6);
        var positions = (double[])mesh.Positions.Clone();
        positions[2 * 8] = 0.9; // node (1, 1) dragged across its neighbours
        var inverted = Assert.Throws<ArgumentException>(() => new MongeAmpereMover(mesh.WithPositions(positions)));
        Assert.Contains("inverted", inverted.Message);

        var nan = Assert.Throws<ArgumentException>(() => new MongeAmpereMover(mesh).Move(Monitors.OfPosition((x, _) => x > 0.5 ? double.NaN : 1)));
        Assert.Contains("finite and positive", nan.Message);
        var negative = Assert.Throws<ArgumentException>(() => new MongeAmpereMover(mesh).Move(Monitors.OfPosition((x, _) => x - 0.5)));
        Assert.Contains("node", negative.Message);

        var shortRun = new MongeAmpereMover(mesh, new MongeAmpereOptions { MaxIterations = 2 }).Move(PeakAt(0.5, 0.5));
        Assert.False(shortRun.Converged);
        Assert.Contains("not converged in 2 iterations", shortRun.Failure);
        Assert.Equal(0, shortRun.TangledCells(mesh));

        // A pseudo time step far too large makes the relaxation blow up: reported, never a tangled mesh returned.
        var wild = new MongeAmpereMover(mesh, new MongeAmpereOptions { PseudoTimestep = 50 }).Move(PeakAt(0.5, 0.5));
        Assert.False(wild.Converged);
        Assert.NotNull(wild.Failure);
        Assert.Equal(0, wild.TangledCells(mesh));
    }
}
