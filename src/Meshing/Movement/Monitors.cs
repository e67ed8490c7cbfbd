using GnnSim.Meshing.FiniteElements;

namespace GnnSim.Meshing.Movement;

/// <summary>
/// Monitor functions: where a mover should put nodes (large m, small cells). A monitor is a function
/// of the mesh at its current positions that gives one value per node, so a mover can ask it again
/// as the nodes move (UM2N's generator re-solves its PDE on the moved mesh every iteration).
/// </summary>
public static class Monitors
{
    /// <summary>UM2N's weight of the Hessian term.</summary>
    public const double DefaultAlpha = 5;

    /// <summary>
    /// <c>m = 1 + alpha ||H(u_h)||_F^2 / max ||H||_F^2</c> from the Hessian of a P1 solution recovered
    /// by L2 projection (<see cref="P1Space.RecoverHessian"/>); UM2N's Helmholtz monitor. A solution
    /// with no curvature anywhere gives m = 1.
    /// </summary>
    public static double[] FromHessian(P1Space space, double[] solution, double alpha = DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (!(alpha >= 0) || double.IsInfinity(alpha)) throw new ArgumentException($"the monitor's alpha must be finite and not negative, got {alpha}");
        var norm = space.RecoverHessian(solution).FrobeniusSquared();
        var max = norm.Max();
        return norm.Select(v => max > 0 ? 1 + alpha * v / max : 1).ToArray();
    }

    /// <summary>A monitor given as a function of position.</summary>
    public static Func<Mesh2D, double[]> OfPosition(Func<double, double, double> monitor) =>
        mesh => Enumerable.Range(0, mesh.NodeCount).Select(i => monitor(mesh.Positions[2 * i], mesh.Positions[2 * i + 1])).ToArray();

    /// <summary>
    /// A monitor given by node values on a fixed mesh, read at the moved positions by linear
    /// interpolation (a flow snapshot's vorticity, say). Positions a hair outside the mesh (a node
    /// sliding along the boundary) take the value of the nearest node of the fixed mesh.
    /// </summary>
    public static Func<Mesh2D, double[]> Interpolated(Mesh2D mesh, double[] values)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != mesh.NodeCount) throw new ArgumentException($"a monitor of {values.Length} values on a mesh of {mesh.NodeCount} nodes");
        var locator = new PointLocator(mesh);
        var triangles = locator.Mesh.Cells;
        return moved =>
        {
            var result = new double[moved.NodeCount];
            for (var i = 0; i < result.Length; i++)
            {
                var point = moved.Point(i);
                var at = locator.Locate(point);
                result[i] = at.IsInside
                    ? at.W0 * values[triangles[3 * at.Triangle]] + at.W1 * values[triangles[3 * at.Triangle + 1]] + at.W2 * values[triangles[3 * at.Triangle + 2]]
                    : values[Nearest(mesh, point)];
            }
            return result;
        };
    }

    /// <summary>
    /// Checks a monitor's values: one per node, finite, positive. Throws naming the first bad node,
    /// since a mover fed NaN or a non-positive density cannot equidistribute it.
    /// </summary>
    public static void Validate(double[] monitor, int nodeCount, string where)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        if (monitor.Length != nodeCount) throw new ArgumentException($"{where}: the monitor has {monitor.Length} values, the mesh {nodeCount} nodes");
        for (var i = 0; i < monitor.Length; i++)
            if (!double.IsFinite(monitor[i]) || !(monitor[i] > 0))
                throw new ArgumentException($"{where}: the monitor at node {i} is {monitor[i]}; it must be finite and positive");
    }

    static int Nearest(Mesh2D mesh, Point2 point)
    {
        var best = 0;
        var bestDistance = double.MaxValue;
        for (var i = 0; i < mesh.NodeCount; i++)
        {
            var d = Point2.Distance(mesh.Point(i), point);
            if (d < bestDistance) (best, bestDistance) = (i, d);
        }
        return best;
    }
}
