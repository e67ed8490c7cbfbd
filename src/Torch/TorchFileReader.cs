using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using static GnnSim.Torch.Native;

namespace GnnSim.Torch;

/// <summary>
/// Reads torch.save's zip format: <c>{prefix}/data.pkl</c>, a pickle whose tensors point through
/// persistent ids at raw little-endian storages <c>{prefix}/data/{key}</c>. A small pickle machine
/// runs the opcodes torch.save emits (protocols 2 to 4) and rebuilds the dict of tensors; any other
/// content is refused with an <see cref="InvalidDataException"/> naming the file.
/// (libtorch's own pickle_load cannot be used: it reads collections.OrderedDict, the type of every
/// Python state_dict, as None.)
/// </summary>
internal sealed class TorchFileReader
{
    private sealed record Global(string Module, string Name);

    private sealed record Storage(string Key, ScalarType DType, long Count);

    private sealed record TensorSpec(Storage Storage, long Offset, long[] Size, long[] Stride);

    private sealed class Mark;

    private static readonly Mark MarkObject = new();

    private readonly string path;
    private readonly ZipArchive zip;
    private readonly string prefix;
    private readonly Dictionary<string, Tensor> storages = [];

    private TorchFileReader(string path, ZipArchive zip, string prefix)
    {
        this.path = path;
        this.zip = zip;
        this.prefix = prefix;
    }

    public static Dictionary<string, Tensor> Read(string path)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: not a torch.save file (not a zip archive: {e.Message})"); }
        using (zip)
        try
        {
            var pickle = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
                ?? throw new InvalidDataException($"{path}: not a torch.save file (no data.pkl in the archive)");
            var prefix = pickle.FullName[..^"data.pkl".Length];
            var byteOrder = zip.GetEntry(prefix + "byteorder");
            if (byteOrder != null && ReadAll(byteOrder).AsSpan().SequenceEqual("big"u8))
                throw new InvalidDataException($"{path}: big-endian tensor data is not supported");
            var reader = new TorchFileReader(path, zip, prefix);
            try { return reader.ToTensorDict(reader.Unpickle(ReadAll(pickle))); }
            finally
            {
                foreach (var storage in reader.storages.Values) storage.Dispose();
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // The zip layer's own complaints (a corrupt header, a bad entry count) name no file.
            throw new InvalidDataException($"{path}: a damaged torch.save file ({e.Message})", e);
        }
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private InvalidDataException Invalid(string what) => new($"{path}: {what}");

    private Dictionary<string, Tensor> ToTensorDict(object? root)
    {
        if (root is not Dictionary<object, object?> dict)
            throw Invalid($"holds a {Describe(root)}, not a dict of tensors");
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (key, value) in dict)
            {
                if (key is not string name) throw Invalid($"a key of the dict is a {Describe(key)}, not a string");
                if (value is not TensorSpec spec) throw Invalid($"entry '{name}' is a {Describe(value)}, not a tensor");
                result[name] = Materialize(spec);
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        Global g => $"{g.Module}.{g.Name}",
        object?[] => "tuple",
        List<object?> => "list",
        _ => value.GetType().Name,
    };

    private unsafe Tensor Materialize(TensorSpec spec)
    {
        var storage = StorageTensor(spec.Storage);
        fixed (long* size = spec.Size)
        fixed (long* stride = spec.Stride)
        {
            IntPtr view;
            try { view = Check(gs_as_strided(storage.Handle, size, stride, spec.Size.Length, spec.Offset)); }
            catch (TorchException e) { throw Invalid($"a tensor does not fit its storage '{spec.Storage.Key}': {e.Message}"); }
            using var strided = new Tensor(view).DetachFromDisposeScope();
            return strided.clone().DetachFromDisposeScope(); // own, compact storage
        }
    }

    private unsafe Tensor StorageTensor(Storage storage)
    {
        if (storages.TryGetValue(storage.Key, out var cached)) return cached;
        var entry = zip.GetEntry($"{prefix}data/{storage.Key}") ?? throw Invalid($"storage '{storage.Key}' is missing from the archive");
        var bytes = ReadAll(entry);
        var elementSize = storage.DType switch
        {
            ScalarType.Float64 or ScalarType.Int64 => 8,
            ScalarType.Float32 or ScalarType.Int32 => 4,
            ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
            _ => 1,
        };
        if (bytes.Length != storage.Count * elementSize)
            throw Invalid($"storage '{storage.Key}' has {bytes.Length} bytes, expected {storage.Count} x {elementSize}");
        long[] shape = [storage.Count];
        fixed (byte* data = bytes)
        fixed (long* p = shape)
        {
            var tensor = new Tensor(gs_from_buffer(data, p, 1, (int)storage.DType)).DetachFromDisposeScope();
            storages[storage.Key] = tensor;
            return tensor;
        }
    }

    // ---- the pickle machine ----

    private object? Unpickle(byte[] data)
    {
        var stack = new List<object?>();
        var memo = new Dictionary<long, object?>();
        var position = 0;

        byte U8() => position < data.Length ? data[position++] : throw Invalid("the pickle ends early");
        ReadOnlySpan<byte> Bytes(long n)
        {
            if (n < 0 || position + n > data.Length) throw Invalid("the pickle ends early");
            var span = data.AsSpan(position, (int)n);
            position += (int)n;
            return span;
        }
        string Line()
        {
            var end = Array.IndexOf(data, (byte)'\n', position);
            if (end < 0) throw Invalid("the pickle ends early");
            var text = Encoding.UTF8.GetString(data, position, end - position);
            position = end + 1;
            return text;
        }
        object? Pop()
        {
            if (stack.Count == 0) throw Invalid("the pickle pops an empty stack");
            var top = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return top;
        }
        List<object?> PopToMark()
        {
            var mark = stack.FindLastIndex(o => ReferenceEquals(o, MarkObject));
            if (mark < 0) throw Invalid("the pickle has no mark where it needs one");
            var items = stack.GetRange(mark + 1, stack.Count - mark - 1);
            stack.RemoveRange(mark, stack.Count - mark);
            return items;
        }
        object? Top() => stack.Count > 0 ? stack[^1] : throw Invalid("the pickle reads an empty stack");

        while (true)
        {
            var op = U8();
            switch (op)
            {
                case 0x80: U8(); break;                                   // PROTO
                case 0x95: Bytes(8); break;                               // FRAME
                case (byte)'.': return stack.Count == 1 ? stack[0] : throw Invalid("the pickle stops with a malformed stack");
                case (byte)'}': stack.Add(new Dictionary<object, object?>()); break;
                case (byte)']': stack.Add(new List<object?>()); break;
                case (byte)')': stack.Add(Array.Empty<object?>()); break;
                case (byte)'(': stack.Add(MarkObject); break;
                case (byte)'t': stack.Add(PopToMark().ToArray()); break;
                case 0x85: stack.Add(new[] { Pop() }); break;
                case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; }
                case (byte)'l': stack.Add(PopToMark()); break;
                case (byte)'d': stack.Add(ToDict(PopToMark())); break;
                case (byte)'q': memo[U8()] = Top(); break;                // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))] = Top(); break;
                case 0x94: memo[memo.Count] = Top(); break;               // MEMOIZE
                case (byte)'h': stack.Add(Memo(memo, U8())); break;       // BINGET
                case (byte)'j': stack.Add(Memo(memo, BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)))); break;
                case (byte)'X': stack.Add(Encoding.UTF8.GetString(Bytes(BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))))); break;
                case 0x8c: stack.Add(Encoding.UTF8.GetString(Bytes(U8()))); break;
                case 0x8d: stack.Add(Encoding.UTF8.GetString(Bytes((long)BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8))))); break;
                case (byte)'U': stack.Add(Encoding.Latin1.GetString(Bytes(U8()))); break;
                case (byte)'T': stack.Add(Encoding.Latin1.GetString(Bytes(BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))))); break;
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))); break;
                case (byte)'K': stack.Add((long)U8()); break;
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))); break;
                case 0x8a: stack.Add((long)new BigInteger(Bytes(U8()), isUnsigned: false, isBigEndian: false)); break;
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Bytes(8))); break;
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case (byte)'c': { var module = Line(); stack.Add(new Global(module, Line())); break; }
                case 0x93: { var name = Pop() as string; var module = Pop() as string; stack.Add(new Global(module ?? "", name ?? "")); break; }
                case (byte)'R': { var args = Pop() as object?[]; var callable = Pop(); stack.Add(Call(callable, args ?? throw Invalid("REDUCE without an argument tuple"))); break; }
                case 0x81: { var args = Pop() as object?[]; var type = Pop(); stack.Add(Call(type, args ?? [])); break; } // NEWOBJ
                case (byte)'b': Pop(); break; // BUILD: object state (an OrderedDict's _metadata) is not needed
                case (byte)'Q': stack.Add(PersistentLoad(Pop())); break;
                case (byte)'s': { var value = Pop(); var key = Pop(); AsDict(Top())[key ?? throw Invalid("a None dict key")] = value; break; }
                case (byte)'u': { var items = PopToMark(); var dict = AsDict(Top()); for (var i = 0; i + 1 < items.Count; i += 2) dict[items[i] ?? throw Invalid("a None dict key")] = items[i + 1]; break; }
                case (byte)'a': { var value = Pop(); AsList(Top()).Add(value); break; }
                case (byte)'e': { var items = PopToMark(); AsList(Top()).AddRange(items); break; }
                case (byte)'0': Pop(); break;
                case (byte)'1': PopToMark(); break;
                case (byte)'2': stack.Add(Top()); break;
                default: throw Invalid($"unsupported pickle opcode 0x{op:x2} at byte {position - 1}");
            }
        }
    }

    private object? Memo(Dictionary<long, object?> memo, long key) =>
        memo.TryGetValue(key, out var value) ? value : throw Invalid($"the pickle refers to memo {key}, never stored");

    private Dictionary<object, object?> AsDict(object? value) => value as Dictionary<object, object?> ?? throw Invalid($"sets an item on a {Describe(value)}");

    private List<object?> AsList(object? value) => value as List<object?> ?? throw Invalid($"appends to a {Describe(value)}");

    private Dictionary<object, object?> ToDict(List<object?> items)
    {
        var dict = new Dictionary<object, object?>();
        for (var i = 0; i + 1 < items.Count; i += 2) dict[items[i] ?? throw Invalid("a None dict key")] = items[i + 1];
        return dict;
    }

    /// <summary>The few callables torch.save files use.</summary>
    private object? Call(object? callable, object?[] args)
    {
        var name = callable is Global g ? $"{g.Module}.{g.Name}" : Describe(callable);
        switch (name)
        {
            case "collections.OrderedDict":
                return new Dictionary<object, object?>();
            case "torch.jit._pickle.restore_type_tag": // libtorch's pickle_save tags typed containers
                return args.Length > 0 ? args[0] : throw Invalid("a type tag record is malformed");
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                if (args.Length < 4 || args[0] is not Storage storage || args[1] is not long offset || args[2] is not object?[] size || args[3] is not object?[] stride)
                    throw Invalid("a tensor record is malformed");
                return new TensorSpec(storage, offset, size.Select(ToLong).ToArray(), stride.Select(ToLong).ToArray());
            case "torch._utils._rebuild_parameter":
                return args.Length > 0 && args[0] is TensorSpec t ? t : throw Invalid("a parameter record is malformed");
            default:
                throw Invalid($"holds a {name} object, which is not part of a dict of tensors");
        }
    }

    private long ToLong(object? value) => value is long l ? l : throw Invalid($"expected an integer, found a {Describe(value)}");

    /// <summary>('storage', torch.FloatStorage, key, location, numel): a tensor's storage.</summary>
    private Storage PersistentLoad(object? id)
    {
        if (id is not object?[] { Length: >= 5 } tuple || tuple[0] as string != "storage" || tuple[1] is not Global type || tuple[2] is not string key || tuple[4] is not long count)
            throw Invalid("a persistent id is not a tensor storage");
        var dtype = type.Name switch
        {
            "FloatStorage" => ScalarType.Float32,
            "DoubleStorage" => ScalarType.Float64,
            "HalfStorage" => ScalarType.Float16,
            "BFloat16Storage" => ScalarType.BFloat16,
            "LongStorage" => ScalarType.Int64,
            "IntStorage" => ScalarType.Int32,
            "ShortStorage" => ScalarType.Int16,
            "CharStorage" => ScalarType.Int8,
            "ByteStorage" => ScalarType.Byte,
            "BoolStorage" => ScalarType.Bool,
            _ => throw Invalid($"unsupported storage type {type.Module}.{type.Name}"),
        };
        return new Storage(key, dtype, count);
    }
}
