using GnnSim.Torch;

namespace GnnSim.Graph;

/// <summary>A row-major <c>[Rows, Columns]</c> block of float features (one row per node or per edge).</summary>
public sealed class FeatureMatrix
{
    public FeatureMatrix(float[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 0 || columns < 1) throw new ArgumentException($"a feature matrix needs rows >= 0 and columns >= 1, got [{rows}, {columns}]");
        if ((long)rows * columns != values.Length)
            throw new ArgumentException($"a [{rows}, {columns}] feature matrix needs {(long)rows * columns} values, got {values.Length}");
        Values = values;
        Rows = rows;
        Columns = columns;
    }

    public float[] Values { get; }
    public int Rows { get; }
    public int Columns { get; }

    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * Columns, Columns);

    public float this[int row, int column] => Values[row * Columns + column];

    /// <summary>The rows named by <paramref name="rowIndices"/>, in that order.</summary>
    public FeatureMatrix SelectRows(ReadOnlySpan<int> rowIndices)
    {
        var values = new float[rowIndices.Length * Columns];
        for (var i = 0; i < rowIndices.Length; i++)
            Row(rowIndices[i]).CopyTo(values.AsSpan(i * Columns, Columns));
        return new FeatureMatrix(values, rowIndices.Length, Columns);
    }

    /// <summary>Rows of several matrices of the same width stacked in order.</summary>
    public static FeatureMatrix Concatenate(IReadOnlyList<FeatureMatrix> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("nothing to concatenate");
        var columns = parts[0].Columns;
        var rows = 0;
        foreach (var part in parts)
        {
            if (part.Columns != columns) throw new ArgumentException($"feature widths differ: {columns} and {part.Columns}");
            rows += part.Rows;
        }
        var values = new float[(long)rows * columns];
        var at = 0;
        foreach (var part in parts)
        {
            part.Values.CopyTo(values, at);
            at += part.Values.Length;
        }
        return new FeatureMatrix(values, rows, columns);
    }

    /// <summary>A float32 tensor <c>[Rows, Columns]</c> on <paramref name="device"/> (CPU by default).</summary>
    public Tensor ToTensor(Device? device = null) => TensorHandOver.OnDevice(torch.tensor(Values, Rows, Columns), device);
}
