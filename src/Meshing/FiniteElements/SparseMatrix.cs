namespace GnnSim.Meshing.FiniteElements;

/// <summary>
/// A square matrix in compressed sparse rows on the pattern of a triangle mesh: row <c>i</c> holds
/// node <c>i</c> and its edge neighbours, the couplings of every P1 operator. Matrices on the same
/// mesh share one pattern, so they add entry by entry.
/// </summary>
public sealed class SparseMatrix
{
    /// <summary>Below this many stored entries a product runs on one thread (cheaper than the fork).</summary>
    const int ParallelEntries = 200_000;

    readonly int[] rowStart;   // [n + 1]
    readonly int[] columns;    // [nnz], sorted within each row

    SparseMatrix(int[] rowStart, int[] columns, double[] values)
    {
        this.rowStart = rowStart;
        this.columns = columns;
        Values = values;
    }

    public int Size => rowStart.Length - 1;
    public int StoredEntries => columns.Length;

    /// <summary>The stored values, row after row (same order on every matrix of the pattern).</summary>
    public double[] Values { get; }

    /// <summary>The zero matrix on the node couplings of <paramref name="triangles"/>.</summary>
    public static SparseMatrix OnTriangles(int[] triangles, int nodeCount)
    {
        if (triangles.Length % 3 != 0) throw new ArgumentException($"{triangles.Length} indices is not a whole number of triangles");
        var neighbours = new List<int>[nodeCount];
        for (var i = 0; i < nodeCount; i++) neighbours[i] = [i];
        for (var t = 0; t < triangles.Length; t += 3)
        for (var a = 0; a < 3; a++)
        for (var b = 0; b < 3; b++)
            if (a != b) neighbours[triangles[t + a]].Add(triangles[t + b]);
        var rowStart = new int[nodeCount + 1];
        var rows = new int[nodeCount][];
        for (var i = 0; i < nodeCount; i++)
        {
            rows[i] = neighbours[i].Distinct().Order().ToArray();
            rowStart[i + 1] = rowStart[i] + rows[i].Length;
        }
        var columns = new int[rowStart[nodeCount]];
        for (var i = 0; i < nodeCount; i++) rows[i].CopyTo(columns, rowStart[i]);
        return new SparseMatrix(rowStart, columns, new double[columns.Length]);
    }

    /// <summary>A zero matrix on the same pattern.</summary>
    public SparseMatrix ZeroLike() => new(rowStart, columns, new double[columns.Length]);

    /// <summary><c>this + scale * other</c>; both on the same pattern.</summary>
    public SparseMatrix Plus(SparseMatrix other, double scale = 1)
    {
        if (other.columns != columns) throw new ArgumentException("matrices on different patterns cannot be added entry by entry");
        var sum = ZeroLike();
        for (var k = 0; k < Values.Length; k++) sum.Values[k] = Values[k] + scale * other.Values[k];
        return sum;
    }

    /// <summary>Where entry (row, column) is stored; the pair must be in the pattern.</summary>
    public int IndexOf(int row, int column)
    {
        var k = Array.BinarySearch(columns, rowStart[row], rowStart[row + 1] - rowStart[row], column);
        if (k < 0) throw new ArgumentException($"entry ({row}, {column}) is not in the mesh's pattern (nodes {row} and {column} share no triangle)");
        return k;
    }

    public void Add(int row, int column, double value) => Values[IndexOf(row, column)] += value;

    public double this[int row, int column]
    {
        get
        {
            var k = Array.BinarySearch(columns, rowStart[row], rowStart[row + 1] - rowStart[row], column);
            return k < 0 ? 0 : Values[k];
        }
    }

    public double[] Diagonal()
    {
        var diagonal = new double[Size];
        for (var i = 0; i < Size; i++) diagonal[i] = Values[IndexOf(i, i)];
        return diagonal;
    }

    /// <summary>y = A x.</summary>
    public void Multiply(double[] x, double[] y)
    {
        if (x.Length != Size || y.Length != Size) throw new ArgumentException($"a {Size} x {Size} matrix times a vector of {x.Length} into {y.Length}");
        if (columns.Length < ParallelEntries) { MultiplyRows(x, y, 0, Size); return; }
        var chunks = Environment.ProcessorCount;
        Parallel.For(0, chunks, c => MultiplyRows(x, y, c * Size / chunks, (c + 1) * Size / chunks));
    }

    public double[] Multiply(double[] x)
    {
        var y = new double[Size];
        Multiply(x, y);
        return y;
    }

    void MultiplyRows(double[] x, double[] y, int first, int end)
    {
        for (var i = first; i < end; i++)
        {
            double sum = 0;
            for (var k = rowStart[i]; k < rowStart[i + 1]; k++) sum += Values[k] * x[columns[k]];
            y[i] = sum;
        }
    }

    /// <summary>
    /// Imposes <c>x[i] = value[i]</c> on the nodes marked fixed, keeping the matrix symmetric: their
    /// rows and columns become the identity and what their columns carried moves into the right-hand
    /// side. Returns the new matrix; <paramref name="rightHandSide"/> is changed in place.
    /// </summary>
    public SparseMatrix WithDirichlet(bool[] isFixed, double[] values, double[] rightHandSide)
    {
        if (isFixed.Length != Size || values.Length != Size || rightHandSide.Length != Size)
            throw new ArgumentException($"Dirichlet data for {isFixed.Length}, {values.Length} and {rightHandSide.Length} nodes on a {Size}-node system");
        var result = ZeroLike();
        for (var i = 0; i < Size; i++)
        {
            if (isFixed[i]) continue;
            for (var k = rowStart[i]; k < rowStart[i + 1]; k++)
            {
                var j = columns[k];
                if (isFixed[j]) rightHandSide[i] -= Values[k] * values[j];
                else result.Values[k] = Values[k];
            }
        }
        for (var i = 0; i < Size; i++)
        {
            if (!isFixed[i]) continue;
            result.Values[IndexOf(i, i)] = 1;
            rightHandSide[i] = values[i];
        }
        return result;
    }
}
