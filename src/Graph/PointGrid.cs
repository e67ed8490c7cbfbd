namespace GnnSim.Graph;

/// <summary>
/// A cell list over 2D or 3D points: space is cut into cubes of side <see cref="CellSize"/> and
/// the points are counting-sorted by cube, so the points near a location are a few contiguous
/// runs. Building is O(N); a radius query touches only the cubes the query ball overlaps. The
/// grid never has more than about 2N + 64 cubes: for sparse points in a wide box the cubes grow.
/// </summary>
public sealed class PointGrid
{
    private readonly int[] cellsPerAxis = new int[3];
    private readonly double[] origin = new double[3];

    public PointGrid(ReadOnlySpan<double> positions, int dimensions, double cellSize) : this(positions, dimensions, cellSize, pointsPerCell: 0)
    {
    }

    /// <summary>A grid whose cells hold about <paramref name="pointsPerCell"/> points each on average (sized from the bounding box).</summary>
    public static PointGrid WithPointsPerCell(ReadOnlySpan<double> positions, int dimensions, double pointsPerCell)
    {
        if (!(pointsPerCell > 0) || double.IsInfinity(pointsPerCell)) throw new ArgumentException($"points per cell must be positive and finite, got {pointsPerCell}");
        return new PointGrid(positions, dimensions, cellSize: 1.0, pointsPerCell);
    }

    private PointGrid(ReadOnlySpan<double> positions, int dimensions, double cellSize, double pointsPerCell)
    {
        if (dimensions is not (2 or 3)) throw new ArgumentException($"points must be 2D or 3D, got {dimensions} coordinates per point");
        if (positions.Length % dimensions != 0) throw new ArgumentException($"{positions.Length} coordinates is not a whole number of {dimensions}D points");
        if (!(cellSize > 0) || double.IsInfinity(cellSize)) throw new ArgumentException($"cell size must be positive and finite, got {cellSize}");
        Dimensions = dimensions;
        Count = positions.Length / dimensions;
        Span<double> low = stackalloc double[3], high = stackalloc double[3];
        low.Fill(double.PositiveInfinity);
        high.Fill(double.NegativeInfinity);
        if (dimensions == 2) low[2] = high[2] = 0;
        for (var i = 0; i < positions.Length; i++)
        {
            var value = positions[i];
            if (!double.IsFinite(value)) throw new ArgumentException($"point {i / dimensions} has a non-finite coordinate ({value})");
            var axis = i % dimensions;
            low[axis] = Math.Min(low[axis], value);
            high[axis] = Math.Max(high[axis], value);
        }
        if (Count == 0)
        {
            low.Clear();
            high.Clear();
        }
        if (pointsPerCell > 0 && Count > 0)
        {
            double volume = 1;
            for (var axis = 0; axis < dimensions; axis++) volume *= Math.Max(high[axis] - low[axis], 1e-12);
            cellSize = Math.Max(Math.Pow(volume * pointsPerCell / Count, 1.0 / dimensions), 1e-12);
        }

        // Grow the cubes until the grid is O(N), so memory follows the points, not the box.
        var maxCells = 2.0 * Count + 64;
        while (true)
        {
            double cells = 1;
            for (var axis = 0; axis < 3; axis++) cells *= Math.Floor((high[axis] - low[axis]) / cellSize) + 1;
            if (cells <= maxCells) break;
            cellSize *= Math.Max(1.05, Math.Pow(cells / maxCells, 1.0 / dimensions));
        }
        CellSize = cellSize;
        for (var axis = 0; axis < 3; axis++)
        {
            origin[axis] = low[axis];
            cellsPerAxis[axis] = (int)Math.Floor((high[axis] - low[axis]) / cellSize) + 1;
        }
        var cellCount = cellsPerAxis[0] * cellsPerAxis[1] * cellsPerAxis[2];

        var cellOfPoint = new int[Count];
        CellStart = new int[cellCount + 1];
        for (var i = 0; i < Count; i++)
        {
            var cell = CellOf(positions.Slice(i * dimensions, dimensions));
            cellOfPoint[i] = cell;
            CellStart[cell + 1]++;
        }
        for (var c = 0; c < cellCount; c++) CellStart[c + 1] += CellStart[c];
        var cursor = CellStart[..^1];
        PointsByCell = new int[Count];
        SortedPositions = new double[Count * 3];
        for (var i = 0; i < Count; i++)
        {
            var at = cursor[cellOfPoint[i]]++;
            PointsByCell[at] = i;
            for (var axis = 0; axis < dimensions; axis++) SortedPositions[at * 3 + axis] = positions[i * dimensions + axis];
        }
    }

    public int Dimensions { get; }
    public int Count { get; }
    public double CellSize { get; }

    /// <summary>Points of cell <c>c</c> are <c>PointsByCell[CellStart[c] .. CellStart[c+1]-1]</c>.</summary>
    internal int[] CellStart { get; }
    internal int[] PointsByCell { get; }
    /// <summary>Coordinates in <see cref="PointsByCell"/> order, padded to 3 per point (z = 0 in 2D).</summary>
    internal double[] SortedPositions { get; }

    internal int CellsAlong(int axis) => cellsPerAxis[axis];

    /// <summary>Cell coordinate of <paramref name="value"/> along an axis, clamped to the grid.</summary>
    internal int AxisCell(double value, int axis)
    {
        var cell = (int)Math.Floor((value - origin[axis]) / CellSize);
        return Math.Clamp(cell, 0, cellsPerAxis[axis] - 1);
    }

    /// <summary>Unclamped cell coordinate (may lie outside the grid).</summary>
    internal long RawAxisCell(double value, int axis) => (long)Math.Floor((value - origin[axis]) / CellSize);

    internal int CellIndex(int cx, int cy, int cz) => (cz * cellsPerAxis[1] + cy) * cellsPerAxis[0] + cx;

    private int CellOf(ReadOnlySpan<double> point) =>
        CellIndex(AxisCell(point[0], 0), AxisCell(point[1], 1), Dimensions == 3 ? AxisCell(point[2], 2) : 0);

    /// <summary>
    /// The points within <paramref name="radius"/> (inclusive) of <paramref name="query"/>, except
    /// <paramref name="exclude"/>: writes their ids to <paramref name="output"/> in cell order, as
    /// many as fit, and returns how many there are (pass an empty span to only count).
    /// </summary>
    public int Within(ReadOnlySpan<double> query, double radius, Span<int> output, int exclude = -1)
    {
        double qx = query[0], qy = query[1], qz = Dimensions == 3 ? query[2] : 0;
        var r2 = radius * radius;
        int x0 = AxisCell(qx - radius, 0), x1 = AxisCell(qx + radius, 0);
        int y0 = AxisCell(qy - radius, 1), y1 = AxisCell(qy + radius, 1);
        int z0 = AxisCell(qz - radius, 2), z1 = AxisCell(qz + radius, 2);
        var positions = SortedPositions.AsSpan();
        var ids = PointsByCell.AsSpan();
        var found = 0;
        for (var cz = z0; cz <= z1; cz++)
        for (var cy = y0; cy <= y1; cy++)
        {
            // Cells along x are contiguous, so one row of cells is one run of points.
            int first = CellStart[CellIndex(x0, cy, cz)], end = CellStart[CellIndex(x1, cy, cz) + 1];
            var run = positions.Slice(3 * first, 3 * (end - first));
            var runIds = ids.Slice(first, end - first);
            for (var i = 0; i < runIds.Length; i++)
            {
                double dx = run[3 * i] - qx, dy = run[3 * i + 1] - qy, dz = run[3 * i + 2] - qz;
                if (dx * dx + dy * dy + dz * dz > r2 || runIds[i] == exclude) continue;
                if (found < output.Length) output[found] = runIds[i];
                found++;
            }
        }
        return found;
    }
}
