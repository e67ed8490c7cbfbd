using GnnSim.Graph;

namespace GnnSim.Datasets.CfdBench;

/// <summary>What becomes of solid cells when a grid case becomes a graph.</summary>
public enum SolidCells { Drop, AsWalls }

/// <summary>
/// A grid case as a graph, so graph operators train on CFDBench: one node per kept cell at its centre,
/// edges to the 4 (or 8) neighbouring cells in both directions; fluid nodes are NORMAL, kept solid
/// nodes WALL_BOUNDARY. <see cref="CellOfNode"/> maps nodes back to row-major cells.
/// </summary>
public sealed record GridCaseGraph(SparseGraph Graph, int[] CellOfNode, NodeType[] NodeTypes, double[] Positions)
{
    public static GridCaseGraph Build(CfdBenchCaseData data, int neighbours = 4, SolidCells solids = SolidCells.Drop)
    {
        var (x0, y0, width, height) = data.Case.Domain;
        return Build(data.Width, data.Height, data.Fluid, x0, y0, width / data.Width, height / data.Height, neighbours, solids);
    }

    public static GridCaseGraph Build(int nx, int ny, bool[] fluid, double x0, double y0, double dx, double dy,
        int neighbours = 4, SolidCells solids = SolidCells.Drop)
    {
        if (neighbours is not (4 or 8)) throw new ArgumentException($"neighbours must be 4 or 8, got {neighbours}");
        if (fluid.Length != nx * ny) throw new ArgumentException($"mask has {fluid.Length} cells, the grid {nx * ny}");
        var nodeOfCell = new int[nx * ny];
        var cells = new List<int>();
        for (int k = 0; k < nx * ny; k++)
        {
            bool keep = fluid[k] || solids == SolidCells.AsWalls;
            nodeOfCell[k] = keep ? cells.Count : -1;
            if (keep) cells.Add(k);
        }
        (int Di, int Dj)[] offsets = neighbours == 4
            ? [(1, 0), (-1, 0), (0, 1), (0, -1)]
            : [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)];
        var senders = new List<int>();
        var receivers = new List<int>();
        foreach (int cell in cells)
        {
            int i = cell % nx, j = cell / nx;
            foreach (var (di, dj) in offsets)
            {
                int ni = i + di, nj = j + dj;
                if (ni < 0 || ni >= nx || nj < 0 || nj >= ny) continue;
                int neighbour = nodeOfCell[nj * nx + ni];
                if (neighbour < 0) continue;
                senders.Add(neighbour);
                receivers.Add(nodeOfCell[cell]);
            }
        }
        var types = cells.Select(k => fluid[k] ? NodeType.Normal : NodeType.WallBoundary).ToArray();
        var positions = new double[2 * cells.Count];
        for (int n = 0; n < cells.Count; n++)
        {
            positions[2 * n] = x0 + (cells[n] % nx + 0.5) * dx;
            positions[2 * n + 1] = y0 + (cells[n] / nx + 0.5) * dy;
        }
        return new GridCaseGraph(new SparseGraph(cells.Count, senders.ToArray(), receivers.ToArray()), cells.ToArray(), types, positions);
    }
}
