namespace GnnSim.Torch;

/// <summary>Element types, numbered as c10::ScalarType so the shim passes them through unchanged.</summary>
public enum ScalarType
{
    Byte = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
    BFloat16 = 15,
}

internal static class ScalarTypes
{
    internal static ScalarType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(bool) ? ScalarType.Bool
        : typeof(T) == typeof(byte) ? ScalarType.Byte
        : typeof(T) == typeof(short) ? ScalarType.Int16
        : typeof(T) == typeof(sbyte) ? ScalarType.Int8
        : throw new ArgumentException($"{typeof(T).Name} has no tensor element type");

    internal static bool IsFloatingPoint(this ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.BFloat16;
}
