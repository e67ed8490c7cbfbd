namespace GnnSim.Viz.Fields;

/// <summary>
/// The vorticity w = dv/dx - du/dy of a 2D velocity field at the nodes of a domain. On a grid: central
/// differences between neighbouring cell centres, one-sided where a neighbour is solid or outside,
/// NaN (drawn gray) on solid cells and on cells with no fluid neighbour along an axis. On a triangle
/// mesh: each triangle's gradient of the linear (P1) interpolant, averaged onto its nodes weighted by
/// triangle area. Both are exact for a linear velocity field.
/// </summary>
public static class Vorticity
{
    public static float[] Compute(PlotDomain domain, ReadOnlySpan<float> u, ReadOnlySpan<float> v)
    {
        if (u.Length != domain.NodeCount || v.Length != domain.NodeCount)
            throw new ArgumentException($"{u.Length} u and {v.Length} v values for a domain of {domain.NodeCount} nodes");
        return domain switch
        {
            GridDomain grid => OnGrid(grid, u, v),
            TriangleDomain mesh => OnMesh(mesh, u, v),
            _ => throw new ArgumentException($"vorticity is not defined for a {domain.GetType().Name}"),
        };
    }

    private static float[] OnGrid(GridDomain grid, ReadOnlySpan<float> u, ReadOnlySpan<float> v)
    {
        var result = new float[grid.NodeCount];
        Array.Fill(result, float.NaN);
        var (dx, dy) = grid.CellSize;
        for (var row = 0; row < grid.Rows; row++)
        for (var column = 0; column < grid.Columns; column++)
        {
            var node = grid.NodeAt(column, row);
            if (node < 0) continue;
            var dvdx = Derivative(grid, v, column, row, 1, 0, dx);
            var dudy = Derivative(grid, u, column, row, 0, 1, dy);
            result[node] = (float)(dvdx - dudy);
        }
        return result;
    }

    /// <summary>d(values)/d(axis) at a cell: central where both neighbours are fluid, one-sided where one is.</summary>
    private static double Derivative(GridDomain grid, ReadOnlySpan<float> values, int column, int row, int stepX, int stepY, double spacing)
    {
        int Neighbour(int sign)
        {
            int c = column + sign * stepX, r = row + sign * stepY;
            return c < 0 || r < 0 || c >= grid.Columns || r >= grid.Rows ? -1 : grid.NodeAt(c, r);
        }
        int here = grid.NodeAt(column, row), ahead = Neighbour(1), behind = Neighbour(-1);
        if (ahead >= 0 && behind >= 0) return (values[ahead] - values[behind]) / (2 * spacing);
        if (ahead >= 0) return (values[ahead] - values[here]) / spacing;
        if (behind >= 0) return (values[here] - values[behind]) / spacing;
        return double.NaN;
    }

    private static float[] OnMesh(TriangleDomain mesh, ReadOnlySpan<float> u, ReadOnlySpan<float> v)
    {
        var p = mesh.Positions;
        var t = mesh.Triangles;
        var sum = new double[mesh.NodeCount];
        var weight = new double[mesh.NodeCount];
        for (var k = 0; k < t.Length; k += 3)
        {
            int a = t[k], b = t[k + 1], c = t[k + 2];
            double xa = p[2 * a], ya = p[2 * a + 1], xb = p[2 * b], yb = p[2 * b + 1], xc = p[2 * c], yc = p[2 * c + 1];
            // Twice the signed area; the P1 gradient of f is (sum f_i (y_j - y_k), sum f_i (x_k - x_j)) / (2A) over the cyclic (i, j, k).
            var twiceArea = (xb - xa) * (yc - ya) - (xc - xa) * (yb - ya);
            if (twiceArea == 0) continue;
            var dvdx = (v[a] * (yb - yc) + v[b] * (yc - ya) + v[c] * (ya - yb)) / twiceArea;
            var dudy = (u[a] * (xc - xb) + u[b] * (xa - xc) + u[c] * (xb - xa)) / twiceArea;
            var area = Math.Abs(twiceArea) / 2;
            foreach (var node in new[] { a, b, c })
            {
                sum[node] += area * (dvdx - dudy);
                weight[node] += area;
            }
        }
        var result = new float[mesh.NodeCount];
        for (var n = 0; n < result.Length; n++) result[n] = weight[n] > 0 ? (float)(sum[n] / weight[n]) : float.NaN;
        return result;
    }
}
