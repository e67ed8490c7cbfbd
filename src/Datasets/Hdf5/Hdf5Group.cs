using System.Text;
using static GnnSim.Datasets.Hdf5.H5Native;

namespace GnnSim.Datasets.Hdf5;

/// <summary>What a dataset stores, as far as GnnSim reads it.</summary>
public enum Hdf5ElementType { Float32, Float64, Int32, Int64, String, Other }

/// <summary>
/// How a dataset is laid out on disk: chunked (needed for compression) and gzip-compressed, with
/// HDF5's byte shuffle in front (floats compress far better shuffled).
/// </summary>
/// <param name="Chunk">chunk shape; null picks one of about 64k elements that keeps whole trailing rows</param>
/// <param name="GzipLevel">deflate level 1-9, or 0 for no compression</param>
public sealed record Hdf5Storage(long[]? Chunk = null, int GzipLevel = 4, bool Shuffle = true)
{
    public static readonly Hdf5Storage Compressed = new();
}

/// <summary>
/// A group of an open HDF5 file: child groups, n-dimensional numeric datasets and attributes.
/// Reading errors (a missing dataset, a wrong type, a damaged file) become
/// <see cref="InvalidDataException"/>s and writing errors <see cref="IOException"/>s, each naming
/// the file and the object.
/// </summary>
public class Hdf5Group : IDisposable
{
    private protected long groupId;

    private protected Hdf5Group(long id, string filePath, string path)
    {
        groupId = id;
        FilePath = filePath;
        Path = path;
    }

    /// <summary>The file this group lives in, as given when it was opened.</summary>
    public string FilePath { get; }

    /// <summary>The group's path inside the file ("/" for the root).</summary>
    public string Path { get; }

    string Child(string name) => Path == "/" ? "/" + name : Path + "/" + name;

    private protected InvalidDataException ReadError(string what) => new($"{FilePath}: {what}: {LastError()}");
    private protected IOException WriteError(string what) => new($"{FilePath}: {what}: {LastError()}");

    // ---- groups ----------------------------------------------------------------------------

    public Hdf5Group CreateGroup(string name)
    {
        lock (Gate)
        {
            var id = H5Gcreate2(groupId, name, Default, Default, Default);
            if (id < 0) throw WriteError($"cannot create group {Child(name)}");
            return new Hdf5Group(id, FilePath, Child(name));
        }
    }

    public Hdf5Group OpenGroup(string name)
    {
        lock (Gate)
        {
            if (MemberKind(name) != ObjectGroup) throw new InvalidDataException($"{FilePath}: no group {Child(name)}");
            var id = H5Gopen2(groupId, name, Default);
            if (id < 0) throw ReadError($"cannot open group {Child(name)}");
            return new Hdf5Group(id, FilePath, Child(name));
        }
    }

    /// <summary>The names of the child groups, in name order.</summary>
    public IReadOnlyList<string> GroupNames() => Members(ObjectGroup);

    /// <summary>The names of the datasets in this group, in name order.</summary>
    public IReadOnlyList<string> DatasetNames() => Members(ObjectDataset);

    public bool HasGroup(string name) { lock (Gate) return MemberKind(name) == ObjectGroup; }

    public bool HasDataset(string name) { lock (Gate) return MemberKind(name) == ObjectDataset; }

    unsafe List<string> Members(int kind)
    {
        lock (Gate)
        {
            if (H5Gget_info(groupId, out var info) < 0) throw ReadError($"cannot list {Path}");
            var names = new List<string>();
            for (ulong n = 0; n < info.LinkCount; n++)
            {
                var name = ReadName((buffer, size) => H5Lget_name_by_idx(groupId, ".", 0, 0, n, (byte*)buffer, size, Default));
                if (MemberKind(name) == kind) names.Add(name);
            }
            return names;
        }
    }

    /// <summary>The HDF5 object type of a child (group, dataset), or -1 when there is none.</summary>
    int MemberKind(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/') || H5Lexists(groupId, name, Default) <= 0)
        {
            H5Eclear2(Default);
            return -1;
        }
        var obj = H5Oopen(groupId, name, Default);
        if (obj < 0) throw ReadError($"cannot open {Child(name)}");
        var kind = H5Iget_type(obj);
        H5Oclose(obj);
        return kind;
    }

    // ---- datasets --------------------------------------------------------------------------

    /// <summary>Writes a row-major array of the given shape as a new dataset.</summary>
    public unsafe void Write<T>(string name, ReadOnlySpan<T> values, ReadOnlySpan<long> shape, Hdf5Storage? storage = null) where T : unmanaged
    {
        var (memoryType, fileType) = TypesOf<T>();
        long count = 1;
        foreach (var extent in shape)
        {
            if (extent < 0) throw new ArgumentException($"negative extent in shape ({string.Join(", ", shape.ToArray())})");
            count *= extent;
        }
        if (count != values.Length)
            throw new ArgumentException($"shape ({string.Join(", ", shape.ToArray())}) holds {count} values, got {values.Length}");
        var dims = new ulong[shape.Length];
        for (int d = 0; d < dims.Length; d++) dims[d] = (ulong)shape[d];
        lock (Gate)
        {
            long space = -1, plist = Default, dataset = -1;
            try
            {
                fixed (ulong* dimsPointer = dims) space = H5Screate_simple(dims.Length, dimsPointer, null);
                if (space < 0) throw WriteError($"cannot describe the shape of {Child(name)}");
                if (storage is not null && count > 0 && shape.Length > 0) plist = ChunkedLayout(name, shape, storage);
                dataset = H5Dcreate2(groupId, name, fileType, space, Default, plist, Default);
                if (dataset < 0) throw WriteError($"cannot create dataset {Child(name)}");
                if (count > 0)
                    fixed (T* data = values)
                        if (H5Dwrite(dataset, memoryType, Default, Default, Default, data) < 0)
                            throw WriteError($"cannot write dataset {Child(name)}");
            }
            finally
            {
                if (dataset >= 0) H5Dclose(dataset);
                if (plist != Default) H5Pclose(plist);
                if (space >= 0) H5Sclose(space);
            }
        }
    }

    unsafe long ChunkedLayout(string name, ReadOnlySpan<long> shape, Hdf5Storage storage)
    {
        var chunk = storage.Chunk ?? DefaultChunk(shape);
        if (chunk.Length != shape.Length || chunk.Any(c => c < 1))
            throw new ArgumentException($"chunk ({string.Join(", ", chunk)}) does not fit shape ({string.Join(", ", shape.ToArray())})");
        var plist = H5Pcreate(DatasetCreateClass);
        var dims = chunk.Select(c => (ulong)c).ToArray();
        bool ok;
        fixed (ulong* pointer = dims) ok = H5Pset_chunk(plist, dims.Length, pointer) >= 0;
        if (ok && storage.GzipLevel > 0)
        {
            if (H5Zfilter_avail(DeflateFilter) <= 0) throw new IOException($"{FilePath}: this libhdf5 has no gzip (deflate) filter");
            ok = (!storage.Shuffle || H5Pset_shuffle(plist) >= 0) && H5Pset_deflate(plist, (uint)Math.Clamp(storage.GzipLevel, 1, 9)) >= 0;
        }
        // A Fletcher-32 checksum on every chunk, last in the pipeline: damaged data is refused on reading, not returned.
        ok = ok && H5Pset_fletcher32(plist) >= 0;
        if (!ok)
        {
            H5Pclose(plist);
            throw WriteError($"cannot set the chunked layout of {Child(name)}");
        }
        return plist;
    }

    /// <summary>Whole trailing rows, leading extents halved until a chunk holds at most 64k elements.</summary>
    static long[] DefaultChunk(ReadOnlySpan<long> shape)
    {
        const long target = 1 << 16;
        var chunk = shape.ToArray();
        for (int d = 0; d < chunk.Length; d++)
            while (chunk[d] > 1 && chunk.Aggregate(1L, (a, b) => a * b) > target) chunk[d] = (chunk[d] + 1) / 2;
        return chunk;
    }

    /// <summary>The shape and element type of a dataset.</summary>
    public (long[] Shape, Hdf5ElementType Type) Describe(string name)
    {
        lock (Gate)
        {
            var dataset = OpenDataset(name);
            try { return (ShapeOf(H5Dget_space(dataset), Child(name)), ElementTypeOf(H5Dget_type(dataset))); }
            finally { H5Dclose(dataset); }
        }
    }

    /// <summary>
    /// Reads a whole numeric dataset, converting on the way (an int32 dataset reads as float);
    /// reading floating-point data as integers is refused.
    /// </summary>
    public unsafe T[] Read<T>(string name, out long[] shape) where T : unmanaged
    {
        var (memoryType, _) = TypesOf<T>();
        lock (Gate)
        {
            var dataset = OpenDataset(name);
            try
            {
                shape = ShapeOf(H5Dget_space(dataset), Child(name));
                var stored = ElementTypeOf(H5Dget_type(dataset));
                bool integerTarget = typeof(T) == typeof(int) || typeof(T) == typeof(long);
                bool fits = integerTarget ? stored is Hdf5ElementType.Int32 or Hdf5ElementType.Int64
                                          : stored is not (Hdf5ElementType.String or Hdf5ElementType.Other);
                if (!fits) throw new InvalidDataException($"{FilePath}: {Child(name)} holds {stored} values, which do not read as {typeof(T).Name}");
                long count = ValueCount(shape);
                if (count < 0 || count > Array.MaxLength)
                    throw new InvalidDataException($"{FilePath}: {Child(name)} has shape ({string.Join(", ", shape)}), too many values for one array (a damaged header?)");
                CheckPlausibleSize(dataset, name, count * sizeof(T));
                var values = new T[count];
                if (count > 0)
                    fixed (T* data = values)
                        if (H5Dread(dataset, memoryType, Default, Default, Default, data) < 0)
                            throw ReadError($"cannot read {Child(name)}");
                return values;
            }
            finally { H5Dclose(dataset); }
        }
    }

    /// <summary>The number of values of a shape; -1 when a dimension is negative or the product overflows (a damaged header).</summary>
    static long ValueCount(long[] shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0 || (d > 0 && count > long.MaxValue / d)) return -1;
            count *= d;
        }
        return count;
    }

    // Deflate packs at most about 1,032:1; a little slack above that, and a small allowance for tiny datasets.
    private const long MaxExpansion = 1100, SmallDataset = 1 << 20;

    /// <summary>
    /// A damaged header can declare any shape: before the values are allocated, their size must be one
    /// that the bytes the file really stores for the dataset (no more than the file's size) could hold.
    /// </summary>
    void CheckPlausibleSize(long dataset, string name, long bytes)
    {
        var stored = Math.Min((long)Math.Min(H5Dget_storage_size(dataset), long.MaxValue), new FileInfo(FilePath).Length);
        if (bytes > SmallDataset && bytes > MaxExpansion * stored)
            throw new InvalidDataException($"{FilePath}: {Child(name)} declares {bytes:N0} bytes of values but the file stores {stored:N0} bytes of it (a damaged header)");
    }

    /// <summary>Reads a dataset and checks its rank.</summary>
    public T[] Read<T>(string name, int rank, out long[] shape) where T : unmanaged
    {
        var values = Read<T>(name, out shape);
        if (shape.Length != rank)
            throw new InvalidDataException($"{FilePath}: {Child(name)} has shape ({string.Join(", ", shape)}), expected {rank} dimensions");
        return values;
    }

    long OpenDataset(string name)
    {
        if (MemberKind(name) != ObjectDataset) throw new InvalidDataException($"{FilePath}: no dataset {Child(name)}");
        var dataset = H5Dopen2(groupId, name, Default);
        if (dataset < 0) throw ReadError($"cannot open dataset {Child(name)}");
        return dataset;
    }

    unsafe long[] ShapeOf(long space, string what)
    {
        if (space < 0) throw ReadError($"cannot read the shape of {what}");
        try
        {
            int rank = H5Sget_simple_extent_ndims(space);
            if (rank < 0) throw ReadError($"cannot read the shape of {what}");
            var dims = new ulong[rank];
            fixed (ulong* pointer = dims)
                if (rank > 0 && H5Sget_simple_extent_dims(space, pointer, null) < 0) throw ReadError($"cannot read the shape of {what}");
            return dims.Select(d => (long)d).ToArray();
        }
        finally { H5Sclose(space); }
    }

    static Hdf5ElementType ElementTypeOf(long type)
    {
        try
        {
            var size = H5Tget_size(type);
            return H5Tget_class(type) switch
            {
                ClassFloat => size == 4 ? Hdf5ElementType.Float32 : size == 8 ? Hdf5ElementType.Float64 : Hdf5ElementType.Other,
                ClassInteger => size <= 4 ? Hdf5ElementType.Int32 : size == 8 ? Hdf5ElementType.Int64 : Hdf5ElementType.Other,
                ClassString => Hdf5ElementType.String,
                _ => Hdf5ElementType.Other,
            };
        }
        finally { H5Tclose(type); }
    }

    static (long Memory, long File) TypesOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? (NativeFloat, FileFloat32)
        : typeof(T) == typeof(double) ? (NativeDouble, FileFloat64)
        : typeof(T) == typeof(int) ? (NativeInt32, FileInt32)
        : typeof(T) == typeof(long) ? (NativeInt64, FileInt64)
        : throw new NotSupportedException($"HDF5 datasets of {typeof(T).Name} are not supported (float, double, int, long are)");

    // ---- attributes ------------------------------------------------------------------------

    public IReadOnlyList<string> AttributeNames()
    {
        lock (Gate)
        {
            int count = H5Aget_num_attrs(groupId);
            if (count < 0) throw ReadError($"cannot list the attributes of {Path}");
            var names = new List<string>(count);
            for (ulong n = 0; n < (ulong)count; n++)
                unsafe
                {
                    names.Add(ReadName((buffer, size) => H5Aget_name_by_idx(groupId, ".", 0, 0, n, (byte*)buffer, size, Default)));
                }
            return names;
        }
    }

    public bool HasAttribute(string name) { lock (Gate) return H5Aexists(groupId, name) > 0; }

    public void SetAttribute(string name, double value) => SetAttribute(name, [value]);

    /// <summary>Numbers are stored as float64; a single number as a scalar attribute, as h5py does.</summary>
    public unsafe void SetAttribute(string name, ReadOnlySpan<double> values)
    {
        lock (Gate)
        {
            ulong length = (ulong)values.Length;
            var space = values.Length == 1 ? H5Screate(ScalarSpace) : H5Screate_simple(1, &length, null);
            try
            {
                fixed (double* data = values) WriteAttribute(name, FileFloat64, NativeDouble, space, data);
            }
            finally { H5Sclose(space); }
        }
    }

    /// <summary>A UTF-8 string, stored fixed-length and null-terminated.</summary>
    public unsafe void SetAttribute(string name, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value + "\0");
        lock (Gate)
        {
            var type = H5Tcopy(CString);
            H5Tset_size(type, (nuint)bytes.Length);
            H5Tset_cset(type, 1);
            var space = H5Screate(ScalarSpace);
            try
            {
                fixed (byte* data = bytes) WriteAttribute(name, type, type, space, data);
            }
            finally
            {
                H5Sclose(space);
                H5Tclose(type);
            }
        }
    }

    /// <summary>Creates (replacing any old one) and writes an attribute.</summary>
    unsafe void WriteAttribute(string name, long fileType, long memoryType, long space, void* data)
    {
        if (H5Aexists(groupId, name) > 0 && H5Adelete(groupId, name) < 0) throw WriteError($"cannot replace attribute {name} of {Path}");
        var attribute = H5Acreate2(groupId, name, fileType, space, Default, Default);
        if (attribute < 0) throw WriteError($"cannot create attribute {name} of {Path}");
        try
        {
            if (H5Awrite(attribute, memoryType, data) < 0) throw WriteError($"cannot write attribute {name} of {Path}");
        }
        finally { H5Aclose(attribute); }
    }

    /// <summary>A numeric attribute's values (a scalar gives one).</summary>
    public unsafe double[] ReadNumbers(string name)
    {
        lock (Gate)
        {
            var attribute = OpenAttribute(name);
            try
            {
                var type = ElementTypeOf(H5Aget_type(attribute));
                if (type is Hdf5ElementType.String or Hdf5ElementType.Other)
                    throw new InvalidDataException($"{FilePath}: attribute {name} of {Path} is not numeric");
                var shape = ShapeOf(H5Aget_space(attribute), $"attribute {name} of {Path}");
                var count = ValueCount(shape);
                // Attributes live in object headers, inside the file: no more values than the file has bytes.
                if (count < 0 || count > new FileInfo(FilePath).Length)
                    throw new InvalidDataException($"{FilePath}: attribute {name} of {Path} declares {count:N0} values, more than the file has bytes (a damaged header)");
                var values = new double[count];
                fixed (double* data = values)
                    if (values.Length > 0 && H5Aread(attribute, NativeDouble, data) < 0) throw ReadError($"cannot read attribute {name} of {Path}");
                return values;
            }
            finally { H5Aclose(attribute); }
        }
    }

    /// <summary>A numeric attribute that must hold exactly one value.</summary>
    public double ReadNumber(string name)
    {
        var values = ReadNumbers(name);
        if (values.Length != 1) throw new InvalidDataException($"{FilePath}: attribute {name} of {Path} holds {values.Length} values, expected one");
        return values[0];
    }

    /// <summary>A scalar string attribute, fixed-length or variable-length (as h5py writes them).</summary>
    public unsafe string ReadString(string name)
    {
        lock (Gate)
        {
            var attribute = OpenAttribute(name);
            var type = H5Aget_type(attribute);
            try
            {
                if (H5Tget_class(type) != ClassString) throw new InvalidDataException($"{FilePath}: attribute {name} of {Path} is not a string");
                if (H5Tis_variable_str(type) > 0)
                {
                    IntPtr text;
                    if (H5Aread(attribute, type, &text) < 0) throw ReadError($"cannot read attribute {name} of {Path}");
                    var value = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(text) ?? "";
                    H5free_memory(text);
                    return value;
                }
                var bytes = new byte[(int)H5Tget_size(type)];
                fixed (byte* data = bytes)
                    if (H5Aread(attribute, type, data) < 0) throw ReadError($"cannot read attribute {name} of {Path}");
                int end = Array.IndexOf(bytes, (byte)0);
                return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
            }
            finally
            {
                H5Tclose(type);
                H5Aclose(attribute);
            }
        }
    }

    long OpenAttribute(string name)
    {
        if (H5Aexists(groupId, name) <= 0)
        {
            H5Eclear2(Default);
            throw new InvalidDataException($"{FilePath}: {Path} has no attribute {name}");
        }
        var attribute = H5Aopen(groupId, name, Default);
        if (attribute < 0) throw ReadError($"cannot open attribute {name} of {Path}");
        return attribute;
    }

    // ---- lifetime --------------------------------------------------------------------------

    private protected virtual void Close(long id) => H5Gclose(id);

    public void Dispose()
    {
        lock (Gate)
        {
            if (groupId < 0) return;
            Close(groupId);
            groupId = -1;
        }
        GC.SuppressFinalize(this);
    }
}
