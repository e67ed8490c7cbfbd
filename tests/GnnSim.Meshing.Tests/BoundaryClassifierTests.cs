namespace GnnSim.Meshing.Tests;

public class BoundaryClassifierTests
{
    [Fact]
    public void GeometryAloneGivesTheCylinderChannelItsNodeTypes()
    {
        // The channel's own types (inflow left, outflow right, walls top, bottom and round the cylinder), recovered from the triangles.
        var mesh = new CylinderFlowDomain().Generate();
        var types = BoundaryClassifier.Classify(mesh.Positions, mesh.Cells, "left=inflow, right=outflow, top=wall, bottom=wall, holes=wall");
        Assert.Equal(mesh.NodeTypes().Select(t => (int)t), types);

        // The hole as an obstacle instead; corners stay walls (the stronger type).
        var obstacle = BoundaryClassifier.Classify(mesh.Positions, mesh.Cells, "left=inflow,right=outflow,holes=obstacle");
        Assert.Contains(obstacle, t => t == (int)NodeType.Obstacle);
        Assert.Equal(types.Count(t => t == (int)NodeType.Inflow), obstacle.Count(t => t == (int)NodeType.Inflow));
        Assert.Contains("PART=TYPE", Assert.Throws<ArgumentException>(() => BoundaryClassifier.Classify(mesh.Positions, mesh.Cells, "front=wall")).Message);
        Assert.Contains("not a node type", Assert.Throws<ArgumentException>(() => BoundaryClassifier.Classify(mesh.Positions, mesh.Cells, "left=lava")).Message);
    }
}
