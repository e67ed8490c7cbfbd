using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace GnnSim.Datasets.Npy;

/// <summary>
/// The NumPy .npy format (versions 1.0 to 3.0): magic, header length, a Python dict literal with
/// 'descr', 'fortran_order' and 'shape', then the raw little-endian data in C order.
/// </summary>
public static partial class NpyFile
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyArray Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new InvalidDataException($"{path}: file not found"); }
        catch (DirectoryNotFoundException) { throw new InvalidDataException($"{path}: file not found"); }
        return Parse(bytes, path);
    }

    /// <summary>Reads a float array (&lt;f4 or &lt;f8) and checks its rank.</summary>
    public static NpyArray ReadFloating(string path, int rank)
    {
        var array = Read(path);
        if (array.Type is not (NpyType.Float32 or NpyType.Float64))
            throw new InvalidDataException($"{path}: expected float32 or float64 data, found {array.Type}");
        if (array.Shape.Length != rank)
            throw new InvalidDataException($"{path}: expected {rank} dimensions, found shape ({string.Join(", ", array.Shape)})");
        return array;
    }

    /// <summary>
    /// An object array (dtype <c>|O</c>, <c>allow_pickle</c> data: GNS's trajectories), its elements rebuilt by
    /// <see cref="NpyPickle"/> (numbers, strings, tuples, lists and numpy arrays only).
    /// </summary>
    internal static PickledArray ParseObjects(byte[] bytes, string name)
    {
        var (descr, _, dataStart) = ParseHeader(bytes, name);
        if (descr != "|O") throw new InvalidDataException($"{name}: dtype '{descr}' is not an object array");
        return NpyPickle.Load(bytes.AsSpan(dataStart), name) as PickledArray
            ?? throw new InvalidDataException($"{name}: the pickled data is not a numpy array");
    }

    /// <summary>The dtype of an .npy image, from its header.</summary>
    internal static string DescrOf(byte[] bytes, string name) => ParseHeader(bytes, name).Descr;

    static (string Descr, string[] Shape, int DataStart) ParseHeader(byte[] bytes, string name)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic)) throw new InvalidDataException($"{name}: not a .npy file (bad magic)");
        int major = bytes[6];
        int headerLength, headerStart;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); headerStart = 10; }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw new InvalidDataException($"{name}: truncated header");
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
            if (length > int.MaxValue) throw new InvalidDataException($"{name}: header length {length} is not plausible");
            headerLength = (int)length; headerStart = 12;
        }
        else throw new InvalidDataException($"{name}: unsupported .npy version {major}");
        if (headerStart + headerLength > bytes.Length) throw new InvalidDataException($"{name}: truncated header");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes, headerStart, headerLength);

        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shapeMatch.Success) throw new InvalidDataException($"{name}: header is not a .npy dict: {header.Trim()}");
        if (fortran.Groups[1].Value == "True") throw new InvalidDataException($"{name}: Fortran-order arrays are not supported; save with np.ascontiguousarray");
        return (descr.Groups[1].Value, shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), headerStart + headerLength);
    }

    internal static NpyArray Parse(byte[] bytes, string name)
    {
        var (descrText, dims, headerEnd) = ParseHeader(bytes, name);
        var (type, size) = descrText switch
        {
            "<f4" => (NpyType.Float32, 4),
            "<f8" => (NpyType.Float64, 8),
            "<i4" => (NpyType.Int32, 4),
            "<i8" => (NpyType.Int64, 8),
            var other => throw new InvalidDataException($"{name}: unsupported dtype '{other}' (expected <f4, <f8, <i4 or <i8)"),
        };
        var shape = new int[dims.Length];
        long count = 1;
        for (int d = 0; d < dims.Length; d++)
        {
            if (!int.TryParse(dims[d], NumberStyles.None, CultureInfo.InvariantCulture, out shape[d]))
                throw new InvalidDataException($"{name}: bad shape entry '{dims[d]}'");
            count *= shape[d];
        }
        long dataStart = headerEnd;
        long expected = count * size;
        if (bytes.Length - dataStart < expected)
            throw new InvalidDataException($"{name}: truncated data: shape ({string.Join(", ", shape)}) needs {expected} bytes, file has {bytes.Length - dataStart}");
        if (count > int.MaxValue) throw new InvalidDataException($"{name}: {count} elements is more than one array can hold");
        var values = new double[count];
        var data = bytes.AsSpan((int)dataStart);
        // One loop per type: CFDBench's arrays run to millions of values.
        switch (type)
        {
            case NpyType.Float32: for (int k = 0; k < values.Length; k++) values[k] = BinaryPrimitives.ReadSingleLittleEndian(data[(k * 4)..]); break;
            case NpyType.Float64: for (int k = 0; k < values.Length; k++) values[k] = BinaryPrimitives.ReadDoubleLittleEndian(data[(k * 8)..]); break;
            case NpyType.Int32: for (int k = 0; k < values.Length; k++) values[k] = BinaryPrimitives.ReadInt32LittleEndian(data[(k * 4)..]); break;
            default: for (int k = 0; k < values.Length; k++) values[k] = BinaryPrimitives.ReadInt64LittleEndian(data[(k * 8)..]); break;
        }
        return new NpyArray(shape, type, values);
    }

    /// <summary>Writes a float32 array (version 1.0 header), atomically.</summary>
    public static void Write(string path, ReadOnlySpan<int> shape, ReadOnlySpan<float> values)
    {
        var copy = values.ToArray();
        var dimensions = shape.ToArray();
        AtomicFile.Write(path, stream => Write<float>(stream, dimensions, copy));
    }

    /// <summary>Writes one array as .npy (version 1.0 header) to a stream: float32, float64, int32 or int64.</summary>
    public static void Write<T>(Stream stream, ReadOnlySpan<int> shape, ReadOnlySpan<T> values) where T : unmanaged
    {
        long count = 1;
        foreach (int d in shape) count *= d;
        if (count != values.Length) throw new ArgumentException($"shape ({string.Join(", ", shape.ToArray())}) holds {count} values, got {values.Length}");
        var descr = typeof(T) == typeof(float) ? "<f4" : typeof(T) == typeof(double) ? "<f8" : typeof(T) == typeof(int) ? "<i4" : typeof(T) == typeof(long) ? "<i8"
            : throw new ArgumentException($"NPY writes float32, float64, int32 and int64, not {typeof(T).Name}");
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape.ToArray())})";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Pad with spaces so the data starts on a 64-byte boundary, ending the header with a newline.
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        stream.Write(Magic);
        stream.WriteByte(1); stream.WriteByte(0);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(header));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("NPY writing assumes a little-endian machine");
        stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
