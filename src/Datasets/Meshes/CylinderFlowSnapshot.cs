using GnnSim.Solvers;

namespace GnnSim.Datasets.Meshes;

/// <summary>
/// A cylinder-wake velocity field defined everywhere in the channel, from the solver's cell-centred
/// values: bilinear between the cell centres, and between the outermost centres and the channel's
/// sides, where the boundary conditions give the values (zero on the walls, the west side's inflow
/// profile, the last column again at the outflow). Solid cells are zero, as the masked solver
/// holds them, so the field also goes to zero into the cylinder. Unlike the node sampling of the
/// generator (which leaves solid cells out), it is one continuous field, so every mesh, moved or
/// not, is scored against the same function (<see cref="GnnSim.Meshing.FiniteElements.P1Space.InterpolationError"/>).
/// </summary>
public sealed class CylinderFlowSnapshot
{
    // Axis nodes: the side, the cell centres, the other side; values [(nx + 2) * (ny + 2)], x fastest.
    readonly double[] xs, ys, u, v;
    readonly double dx, dy, x0, y0;
    readonly int columns;

    public CylinderFlowSnapshot(FlowConfiguration config, NavierStokes2D solver)
    {
        int nx = config.Nx, ny = config.Ny;
        (dx, dy, x0, y0) = (config.Dx, config.Dy, config.X0, config.Y0);
        Time = solver.Time;
        CellsAlong = nx;
        CellsAcross = ny;
        xs = new double[nx + 2];
        ys = new double[ny + 2];
        for (var i = 1; i <= nx; i++) xs[i] = x0 + (i - 0.5) * dx;
        for (var j = 1; j <= ny; j++) ys[j] = y0 + (j - 0.5) * dy;
        (xs[0], xs[nx + 1], ys[0], ys[ny + 1]) = (x0, x0 + config.Width, y0, y0 + config.Height);

        double[] cellU = new double[nx * ny], cellV = new double[nx * ny];
        solver.CellCentredVelocity(cellU, cellV);
        columns = nx + 2;
        u = new double[columns * (ny + 2)];
        v = new double[u.Length];
        for (var j = 1; j <= ny; j++)
        {
            for (var i = 1; i <= nx; i++) (u[j * columns + i], v[j * columns + i]) = (cellU[(j - 1) * nx + i - 1], cellV[(j - 1) * nx + i - 1]);
            var s = (ys[j] - y0) / config.Height;
            u[j * columns] = config.West.InflowSpeedAt(s);                                    // the inflow profile, v = 0
            (u[j * columns + nx + 1], v[j * columns + nx + 1]) = (u[j * columns + nx], v[j * columns + nx]); // outflow: no normal gradient
        }
        // Rows 0 and ny + 1 are the walls: zero, as allocated.
    }

    /// <summary>The solver's time at the snapshot (spin-up plus the frame's time).</summary>
    public double Time { get; }
    public int CellsAlong { get; }
    public int CellsAcross { get; }

    public double U(double x, double y) => Bilinear(u, x, y);
    public double V(double x, double y) => Bilinear(v, x, y);

    double Bilinear(double[] values, double x, double y)
    {
        // Axis node i sits at the side for i = 0, at cell centre i - 1 for 1..n, at the far side for n + 1.
        int i = Math.Clamp((int)Math.Floor((x - x0) / dx - 0.5) + 1, 0, xs.Length - 2);
        int j = Math.Clamp((int)Math.Floor((y - y0) / dy - 0.5) + 1, 0, ys.Length - 2);
        var tx = Math.Clamp((x - xs[i]) / (xs[i + 1] - xs[i]), 0, 1);
        var ty = Math.Clamp((y - ys[j]) / (ys[j + 1] - ys[j]), 0, 1);
        int k = j * columns + i;
        return (1 - ty) * ((1 - tx) * values[k] + tx * values[k + 1]) + ty * ((1 - tx) * values[k + columns] + tx * values[k + columns + 1]);
    }
}
