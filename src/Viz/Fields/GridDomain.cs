namespace GnnSim.Viz.Fields;

/// <summary>
/// A regular grid of <see cref="Columns"/> x <see cref="Rows"/> cells, row-major from the bottom row,
/// whose nodes are some of the cells (<c>cellOfNode</c>); cells without a node (solids) draw gray.
/// Each cell is a block of pixels: cell data drawn as it is, with no smoothing that was never there.
/// </summary>
public sealed class GridDomain : PlotDomain
{
    private readonly int[] nodeOfCell;

    /// <param name="cellSize">physical width and height of a cell (the aspect ratio of the picture)</param>
    public GridDomain(int columns, int rows, int[] cellOfNode, double[] positions, (double Dx, double Dy) cellSize) : base(positions)
    {
        if (columns <= 0 || rows <= 0) throw new ArgumentException($"a grid of {columns} x {rows} cells cannot be drawn");
        if (cellOfNode.Length != NodeCount) throw new ArgumentException($"cell_of_node has {cellOfNode.Length} entries for {NodeCount} nodes");
        if (!(cellSize.Dx > 0) || !(cellSize.Dy > 0)) throw new ArgumentException($"cell size ({cellSize.Dx}, {cellSize.Dy}) must be positive");
        Columns = columns;
        Rows = rows;
        CellSize = cellSize;
        nodeOfCell = Enumerable.Repeat(-1, columns * rows).ToArray();
        for (var node = 0; node < cellOfNode.Length; node++)
        {
            var cell = cellOfNode[node];
            if ((uint)cell >= (uint)nodeOfCell.Length) throw new ArgumentException($"node {node} sits in cell {cell}, outside the {columns} x {rows} grid");
            if (nodeOfCell[cell] >= 0) throw new ArgumentException($"nodes {nodeOfCell[cell]} and {node} both sit in cell {cell}");
            nodeOfCell[cell] = node;
        }
    }

    /// <summary>
    /// A grid whose cell size is read off the node positions (cell centres); square cells when all
    /// nodes share a row or a column.
    /// </summary>
    public static GridDomain FromCellCentres(int columns, int rows, int[] cellOfNode, double[] positions)
    {
        double Spacing(int axis, Func<int, int> index)
        {
            int first = -1, last = -1;
            for (var n = 0; n < cellOfNode.Length; n++)
            {
                if (first < 0 || index(cellOfNode[n]) < index(cellOfNode[first])) first = n;
                if (last < 0 || index(cellOfNode[n]) > index(cellOfNode[last])) last = n;
            }
            if (first < 0) return double.NaN;
            var cells = index(cellOfNode[last]) - index(cellOfNode[first]);
            return cells > 0 ? (positions[2 * last + axis] - positions[2 * first + axis]) / cells : double.NaN;
        }
        double dx = Spacing(0, cell => cell % columns), dy = Spacing(1, cell => cell / columns);
        if (!(dx > 0)) dx = dy > 0 ? dy : 1;
        if (!(dy > 0)) dy = dx;
        return new GridDomain(columns, rows, cellOfNode, positions, (dx, dy));
    }

    public int Columns { get; }
    public int Rows { get; }
    public (double Dx, double Dy) CellSize { get; }

    public override double AspectRatio => Columns * CellSize.Dx / (Rows * CellSize.Dy);

    /// <summary>The grid's outline, from any node's cell centre and the cell size.</summary>
    public override (double MinX, double MinY, double MaxX, double MaxY) Extent
    {
        get
        {
            var node = Enumerable.Range(0, nodeOfCell.Length).Select(c => nodeOfCell[c]).First(n => n >= 0);
            var cell = Array.IndexOf(nodeOfCell, node);
            double x0 = Positions[2 * node] - (cell % Columns + 0.5) * CellSize.Dx, y0 = Positions[2 * node + 1] - (cell / Columns + 0.5) * CellSize.Dy;
            return (x0, y0, x0 + Columns * CellSize.Dx, y0 + Rows * CellSize.Dy);
        }
    }

    public override (int[] Nodes, double[] Weights)? WeightsAt(double x, double y)
    {
        var (minX, minY, maxX, maxY) = Extent;
        if (!(x >= minX && x <= maxX && y >= minY && y <= maxY)) return null;
        int column = Math.Min(Columns - 1, (int)((x - minX) / CellSize.Dx)), row = Math.Min(Rows - 1, (int)((y - minY) / CellSize.Dy));
        var node = NodeAt(column, row);
        return node < 0 ? null : ([node], [1.0]);
    }

    /// <summary>The node in cell (<paramref name="column"/>, <paramref name="row"/>), row 0 at the bottom; -1 for a solid cell.</summary>
    public int NodeAt(int column, int row) => nodeOfCell[row * Columns + column];

    /// <summary>A whole number of pixels per cell when the grid is smaller than the target, so every cell is the same size.</summary>
    public override (int Width, int Height) SizeFor(int targetWidth)
    {
        if (Columns > targetWidth) return base.SizeFor(targetWidth);
        var pixelsPerColumn = targetWidth / Columns;
        var pixelsPerRow = Math.Max(1, (int)Math.Round(pixelsPerColumn * CellSize.Dy / CellSize.Dx));
        return (pixelsPerColumn * Columns, pixelsPerRow * Rows);
    }

    public override void Paint(RgbaImage image, PixelRect area, ReadOnlySpan<float> nodeValues, ColorScale scale)
    {
        CheckValues(nodeValues);
        for (var py = 0; py < area.Height; py++)
        {
            var row = Rows - 1 - Math.Min(Rows - 1, py * Rows / area.Height); // y up: the top pixel row is the last grid row
            for (var px = 0; px < area.Width; px++)
            {
                var column = Math.Min(Columns - 1, px * Columns / area.Width);
                var node = NodeAt(column, row);
                var colour = node < 0 ? Rgba.MaskGray : scale.ColorOf(nodeValues[node]);
                if (image.Contains(area.X + px, area.Y + py)) image[area.X + px, area.Y + py] = colour;
            }
        }
    }
}
