using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;

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
        SortedX = new double[Count];
        SortedY = new double[Count];
        SortedZ = new double[Count];
        for (var i = 0; i < Count; i++)
        {
            var at = cursor[cellOfPoint[i]]++;
            PointsByCell[at] = i;
            SortedX[at] = positions[i * dimensions];
            SortedY[at] = positions[i * dimensions + 1];
            if (dimensions == 3) SortedZ[at] = positions[i * dimensions + 2];
        }
    }

    public int Dimensions { get; }
    public int Count { get; }
    public double CellSize { get; }

    /// <summary>Points of cell <c>c</c> are <c>PointsByCell[CellStart[c] .. CellStart[c+1]-1]</c>.</summary>
    internal int[] CellStart { get; }
    internal int[] PointsByCell { get; }
    /// <summary>Coordinates in <see cref="PointsByCell"/> order, one array per axis (z = 0 in 2D), so a run of points loads as vectors.</summary>
    internal double[] SortedX { get; }
    internal double[] SortedY { get; }
    internal double[] SortedZ { get; }

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
    public int Within(ReadOnlySpan<double> query, double radius, Span<int> output, int exclude = -1) =>
        Within(query[0], query[1], Dimensions == 3 ? query[2] : 0, radius, output, exclude);

    /// <summary><see cref="Within(ReadOnlySpan{double}, double, Span{int}, int)"/> around the point at sorted slot <paramref name="at"/>.</summary>
    internal int WithinOfSorted(int at, double radius, Span<int> output, int exclude) =>
        Within(SortedX[at], SortedY[at], SortedZ[at], radius, output, exclude);

    /// <summary>Squared distance between the points at two sorted slots.</summary>
    internal double SquaredDistance(int atA, int atB)
    {
        double dx = SortedX[atA] - SortedX[atB], dy = SortedY[atA] - SortedY[atB], dz = SortedZ[atA] - SortedZ[atB];
        return dx * dx + dy * dy + dz * dz;
    }

    private int Within(double x, double y, double z, double radius, Span<int> output, int exclude)
    {
        var ball = new Ball(x, y, z, radius * radius, exclude);
        int x0 = AxisCell(ball.X - radius, 0), x1 = AxisCell(ball.X + radius, 0);
        int y0 = AxisCell(ball.Y - radius, 1), y1 = AxisCell(ball.Y + radius, 1);
        int z0 = AxisCell(ball.Z - radius, 2), z1 = AxisCell(ball.Z + radius, 2);
        var found = 0;
        if (output.IsEmpty)
        {
            for (var cz = z0; cz <= z1; cz++)
            for (var cy = y0; cy <= y1; cy++)
                found += CountInRun(ball, CellStart[CellIndex(x0, cy, cz)], CellStart[CellIndex(x1, cy, cz) + 1]);
            return found;
        }
        // Ids are written unconditionally (see CollectInRun), so the buffer must hold every candidate.
        var candidates = 0;
        for (var cz = z0; cz <= z1; cz++)
        for (var cy = y0; cy <= y1; cy++)
            candidates += CellStart[CellIndex(x1, cy, cz) + 1] - CellStart[CellIndex(x0, cy, cz)];
        var rented = output.Length < candidates && candidates > 1024 ? ArrayPool<int>.Shared.Rent(candidates) : null;
        var buffer = output.Length >= candidates ? output : rented is null ? stackalloc int[candidates] : rented.AsSpan(0, candidates);
        for (var cz = z0; cz <= z1; cz++)
        for (var cy = y0; cy <= y1; cy++)
            found = CollectInRun(ball, CellStart[CellIndex(x0, cy, cz)], CellStart[CellIndex(x1, cy, cz) + 1], buffer, found);
        if (buffer != output) buffer[..Math.Min(found, output.Length)].CopyTo(output);
        if (rented is not null) ArrayPool<int>.Shared.Return(rented);
        return found;
    }

    private readonly record struct Ball(double X, double Y, double Z, double RadiusSquared, int Exclude);

    // Cells along x are contiguous, so one row of cells is one run [first, end) of sorted points.
    // About a third of a run lies in the ball, at random, so a branch per point would mispredict
    // often: four points are tested at once and the results counted or written without branches.

    private int CountInRun(Ball ball, int first, int end)
    {
        var found = 0;
        var at = first;
        if (Vector256.IsHardwareAccelerated)
            for (; at + 4 <= end; at += 4)
                found += BitOperations.PopCount(InBall4(ball, at));
        for (; at < end; at++) found += InBall(ball, at) ? 1 : 0;
        return found;
    }

    private int CollectInRun(Ball ball, int first, int end, Span<int> output, int found)
    {
        var ids = PointsByCell;
        var at = first;
        if (Vector256.IsHardwareAccelerated)
            for (; at + 4 <= end; at += 4)
            {
                var hits = InBall4(ball, at);
                output[found] = ids[at];
                found += (int)(hits & 1);
                output[found] = ids[at + 1];
                found += (int)(hits >> 1 & 1);
                output[found] = ids[at + 2];
                found += (int)(hits >> 2 & 1);
                output[found] = ids[at + 3];
                found += (int)(hits >> 3);
            }
        for (; at < end; at++)
        {
            output[found] = ids[at];
            found += InBall(ball, at) ? 1 : 0;
        }
        return found;
    }

    private bool InBall(Ball ball, int at)
    {
        double dx = SortedX[at] - ball.X, dy = SortedY[at] - ball.Y, dz = SortedZ[at] - ball.Z;
        return (dx * dx + dy * dy + dz * dz <= ball.RadiusSquared) & (PointsByCell[at] != ball.Exclude);
    }

    /// <summary>Bit k set when sorted point at + k is in the ball (and not excluded).</summary>
    private uint InBall4(Ball ball, int at)
    {
        var dx = Vector256.Create(SortedX.AsSpan(at, 4)) - Vector256.Create(ball.X);
        var dy = Vector256.Create(SortedY.AsSpan(at, 4)) - Vector256.Create(ball.Y);
        var dz = Vector256.Create(SortedZ.AsSpan(at, 4)) - Vector256.Create(ball.Z);
        var inside = Vector256.LessThanOrEqual(dx * dx + dy * dy + dz * dz, Vector256.Create(ball.RadiusSquared)).ExtractMostSignificantBits();
        var excluded = Vector128.Equals(Vector128.Create(PointsByCell.AsSpan(at, 4)), Vector128.Create(ball.Exclude)).ExtractMostSignificantBits();
        return inside & ~excluded;
    }
}
