namespace GnnSim.Viz.Tests;

public class VorticityTests
{
    private const double Omega = 1.7;

    /// <summary>Solid-body rotation u = -w y, v = w x at the nodes: its vorticity is 2w everywhere.</summary>
    private static (float[] U, float[] V) Rotation(double[] positions)
    {
        var n = positions.Length / 2;
        var u = new float[n];
        var v = new float[n];
        for (var i = 0; i < n; i++)
        {
            u[i] = (float)(-Omega * positions[2 * i + 1]);
            v[i] = (float)(Omega * positions[2 * i]);
        }
        return (u, v);
    }

    [Fact]
    public void SolidBodyRotationHasVorticityTwiceItsRateOnAGridWithASolidBlock()
    {
        // 6 x 5 cells of 0.2 x 0.25, the cell (2, 2) solid: one-sided differences around it.
        const int columns = 6, rows = 5;
        var cells = Enumerable.Range(0, columns * rows).Where(c => c != 2 * columns + 2).ToArray();
        var positions = cells.SelectMany(c => new[] { (c % columns + 0.5) * 0.2, (c / columns + 0.5) * 0.25 }).ToArray();
        var grid = new GridDomain(columns, rows, cells, positions, (0.2, 0.25));
        var (u, v) = Rotation(positions);
        var vorticity = Vorticity.Compute(grid, u, v);
        Assert.All(vorticity, w => Assert.Equal(2 * Omega, w, 4));
    }

    [Fact]
    public void SolidBodyRotationHasVorticityTwiceItsRateOnATriangleMesh()
    {
        // An irregular triangulation of a square: a centre node off centre, split into four triangles and a fan.
        double[] positions = [0, 0, 1, 0, 1, 1, 0, 1, 0.37, 0.58, 0.5, 0];
        int[] triangles = [0, 5, 4, 5, 1, 4, 1, 2, 4, 2, 3, 4, 3, 0, 4];
        var mesh = new TriangleDomain(positions, triangles);
        var (u, v) = Rotation(positions);
        Assert.All(Vorticity.Compute(mesh, u, v), w => Assert.Equal(2 * Omega, w, 4));

        // A shear u = y has vorticity -1, a field that is not a rotation.
        var shear = positions.Where((_, k) => k % 2 == 1).Select(y => (float)y).ToArray();
        Assert.All(Vorticity.Compute(mesh, shear, new float[6]), w => Assert.Equal(-1, w, 4));
    }
}
