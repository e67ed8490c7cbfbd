namespace GnnSim.Datasets.Npy;

/// <summary>NumPy element types GnnSim reads and writes (little-endian).</summary>
public enum NpyType { Float32, Float64, Int32, Int64 }

/// <summary>An array read from a .npy file, C order, with its values widened to double.</summary>
public sealed record NpyArray(int[] Shape, NpyType Type, double[] Values)
{
    public long Count => Values.LongLength;

    /// <summary>The values as float32 (how GnnSim keeps CFDBench fields).</summary>
    public float[] ToSingle()
    {
        var result = new float[Values.Length];
        for (int k = 0; k < result.Length; k++) result[k] = (float)Values[k];
        return result;
    }
}
