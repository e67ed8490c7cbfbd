using GnnSim.Meshing.FiniteElements;

namespace GnnSim.Meshing.Tests;

public class FiniteElementTests
{
    static Mesh2D UnitSquare(int cells) => StructuredMesh.Rectangle(0, 0, 1, 1, cells, cells, CellShape.Triangles);

    [Fact]
    public void StiffnessAnnihilatesConstantsAndMassIntegratesToTheArea()
    {
        var space = new P1Space(StructuredMesh.Rectangle(0, 0, 2, 1, 6, 3, CellShape.Triangles));
        var ones = Enumerable.Repeat(1.0, space.NodeCount).ToArray();
        Assert.All(space.Stiffness().Multiply(ones), v => Assert.Equal(0, v, 12));
        Assert.Equal(2, space.Mass().Multiply(ones).Sum(), 12);
        Assert.Equal(2, space.Integral(ones), 12);
        // grad(x) . grad(x) integrates to the area: x^T K x = 2.
        var x = Enumerable.Range(0, space.NodeCount).Select(i => space.Mesh.Positions[2 * i]).ToArray();
        Assert.Equal(2, x.Zip(space.Stiffness().Multiply(x), (a, b) => a * b).Sum(), 12);
    }

    [Fact]
    public void ConjugateGradientsSolveTheMassSystemAndTheNeumannProblem()
    {
        var space = new P1Space(UnitSquare(10));
        var expected = Enumerable.Range(0, space.NodeCount).Select(i => Math.Sin(i)).ToArray();
        var load = space.Mass().Multiply(expected);
        var solved = space.ProjectLoad(load);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], solved[i], 9);

        // Neumann: K phi = K phi* has phi* minus its mean as the zero-mean solution.
        var mean = expected.Average();
        var phi = new double[space.NodeCount];
        var report = ConjugateGradient.Solve(space.Stiffness(), space.Stiffness().Multiply(expected), phi, 1e-12, constantNullSpace: true);
        Assert.True(report.Converged);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i] - mean, phi[i], 7);
    }

    [Fact]
    public void DirichletRowsAreImposedAndTheSystemStaysSymmetric()
    {
        var space = new P1Space(UnitSquare(4));
        var fixedNodes = space.BoundaryNodes();
        var values = Enumerable.Range(0, space.NodeCount).Select(i => fixedNodes[i] ? 2.0 + i : 0).ToArray();
        var rhs = new double[space.NodeCount];
        var system = space.Stiffness().WithDirichlet(fixedNodes, values, rhs);
        for (var i = 0; i < space.NodeCount; i++)
        for (var j = 0; j < space.NodeCount; j++)
            Assert.Equal(system[i, j], system[j, i], 14);
        var u = new double[space.NodeCount];
        ConjugateGradient.SolveOrThrow(system, rhs, u, "test");
        for (var i = 0; i < space.NodeCount; i++)
            if (fixedNodes[i]) Assert.Equal(values[i], u[i], 9);
    }

    [Fact]
    public void TheL2ErrorIsExactForALinearFieldAndItsInterpolant()
    {
        var space = new P1Space(UnitSquare(3));
        var p = space.Mesh.Positions;
        var linear = Enumerable.Range(0, space.NodeCount).Select(i => 1 + 2 * p[2 * i] - p[2 * i + 1]).ToArray();
        Assert.Equal(0, space.L2Error(linear, (x, y) => 1 + 2 * x - y), 12);
        // ||u_h - (u + 1)|| = 1 on the unit square.
        Assert.Equal(1, space.L2Error(linear, (x, y) => 2 + 2 * x - y), 12);
    }

    [Fact]
    public void TheInterpolationErrorOfAParabolaIsItsOneDimensionalFormula()
    {
        // Every cell of the structured mesh has corners at both x = a and x = b = a + h, so the P1
        // interpolant of x^2 is the linear one in x, off by (x - a)(b - x): its squared norm is
        // h^5 / 30 per column of unit height, h^4 / 30 over the unit square.
        foreach (var cells in new[] { 4, 10 })
        {
            var space = new P1Space(UnitSquare(cells));
            var h = 1.0 / cells;
            Assert.Equal(h * h / Math.Sqrt(30), space.InterpolationError((x, _) => x * x), 12);
            Assert.Equal(0, space.InterpolationError((x, y) => 3 - x + 4 * y), 12);
        }
    }

    [Fact]
    public void TheRecoveredGradientAndHessianOfAPolynomialMatchItsDerivatives()
    {
        // u = x^2 + 3xy - 2y^2: grad u = (2x + 3y, 3x - 4y), H = [[2, 3], [3, -4]].
        var space = new P1Space(UnitSquare(32));
        var p = space.Mesh.Positions;
        var u = Enumerable.Range(0, space.NodeCount).Select(i => { double x = p[2 * i], y = p[2 * i + 1]; return x * x + 3 * x * y - 2 * y * y; }).ToArray();
        var (gx, gy) = space.RecoverGradient(u);
        var hessian = space.RecoverHessian(u);
        double worstGradient = 0, worstHessian = 0;
        for (var i = 0; i < space.NodeCount; i++)
        {
            double x = p[2 * i], y = p[2 * i + 1];
            // Away from the boundary: there the projection is one-sided and off by O(1) (see RecoverHessian).
            if (x < 0.1 || x > 0.9 || y < 0.1 || y > 0.9) continue;
            worstGradient = Math.Max(worstGradient, Math.Max(Math.Abs(gx[i] - (2 * x + 3 * y)), Math.Abs(gy[i] - (3 * x - 4 * y))));
            worstHessian = new[] { hessian.Xx[i] - 2, hessian.Xy[i] - 3, hessian.Yx[i] - 3, hessian.Yy[i] + 4 }.Select(Math.Abs).Append(worstHessian).Max();
        }
        Assert.True(worstGradient < 1e-3, $"gradient off by {worstGradient}");
        Assert.True(worstHessian < 0.05, $"Hessian off by {worstHessian}");
    }
}
