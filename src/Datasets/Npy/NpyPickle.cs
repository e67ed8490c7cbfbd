using System.Buffers.Binary;
using System.Text;

namespace GnnSim.Datasets.Npy;

/// <summary>A NumPy array as a pickle rebuilds it: its shape, its dtype (as .npy spells it, "&lt;f4"), and its raw bytes or, for an object array, its elements.</summary>
public sealed class PickledArray
{
    public int[] Shape { get; internal set; } = [];
    public string Descr { get; internal set; } = "";
    public byte[]? Data { get; internal set; }
    public IReadOnlyList<object?>? Objects { get; internal set; }
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// A restricted unpickler for what <c>np.save</c> writes for object arrays (<c>allow_pickle</c> data,
/// GNS's .npz trajectories): protocols 2 to 5, the opcodes of tuples, lists, numbers, strings and
/// bytes, and exactly three callables, numpy's <c>_reconstruct</c>, <c>ndarray</c> and <c>dtype</c>,
/// which it rebuilds as <see cref="PickledArray"/>s without running anything. Any other global is an
/// error naming it: a pickle cannot make this reader execute code.
/// </summary>
public static class NpyPickle
{
    sealed record Global(string Name);
    sealed class DType { public string Kind = ""; public string Order = "|"; }
    sealed class Mark;
    static readonly Mark MarkObject = new();
    static readonly HashSet<string> Allowed = ["numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct", "numpy.ndarray", "numpy.dtype"];

    public static object? Load(ReadOnlySpan<byte> data, string name)
    {
        var stack = new List<object?>();
        var memo = new Dictionary<int, object?>();
        var at = 0;
        string Where(string what) => $"{name}: pickle byte {at}: {what}";
        ReadOnlySpan<byte> Take(ReadOnlySpan<byte> source, int count)
        {
            if (count < 0 || at + count > source.Length) throw new InvalidDataException(Where("truncated"));
            var slice = source.Slice(at, count);
            at += count;
            return slice;
        }
        object? Pop()
        {
            if (stack.Count == 0 || stack[^1] is Mark) throw new InvalidDataException(Where("stack underflow"));
            var top = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return top;
        }
        List<object?> PopToMark()
        {
            var mark = stack.FindLastIndex(o => o is Mark);
            if (mark < 0) throw new InvalidDataException(Where("no mark"));
            var items = stack.GetRange(mark + 1, stack.Count - mark - 1);
            stack.RemoveRange(mark, stack.Count - mark);
            return items;
        }
        string Line(ReadOnlySpan<byte> source)
        {
            var end = source[at..].IndexOf((byte)'\n');
            if (end < 0) throw new InvalidDataException(Where("unterminated line"));
            var text = Encoding.ASCII.GetString(source.Slice(at, end));
            at += end + 1;
            return text;
        }
        object GlobalOf(string module, string attribute)
        {
            var full = $"{module}.{attribute}";
            if (!Allowed.Contains(full)) throw new InvalidDataException(Where($"refuses to load '{full}' (only numpy arrays and dtypes are read)"));
            return new Global(full.EndsWith("_reconstruct", StringComparison.Ordinal) ? "_reconstruct" : attribute);
        }

        while (true)
        {
            if (at >= data.Length) throw new InvalidDataException(Where("ends without STOP"));
            var op = data[at++];
            switch (op)
            {
                case 0x80: Take(data, 1); break;                                         // PROTO
                case 0x95: Take(data, 8); break;                                         // FRAME
                case (byte)'.': return stack.Count == 1 ? stack[0] : throw new InvalidDataException(Where($"STOP with {stack.Count} items on the stack"));
                case (byte)'(': stack.Add(MarkObject); break;
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case (byte)'K': stack.Add((long)Take(data, 1)[0]); break;
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(data, 2))); break;
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(data, 4))); break;
                case 0x8a:                                                               // LONG1
                {
                    var n = Take(data, 1)[0];
                    var bytes = Take(data, n);
                    if (n > 8) throw new InvalidDataException(Where($"an integer of {n} bytes"));
                    long value = 0;
                    for (var k = n - 1; k >= 0; k--) value = (value << 8) | bytes[k];
                    if (n is > 0 and < 8 && (bytes[n - 1] & 0x80) != 0) value -= 1L << (8 * n);
                    stack.Add(value);
                    break;
                }
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(data, 8))); break;
                case (byte)'X': stack.Add(Encoding.UTF8.GetString(Take(data, (int)BinaryPrimitives.ReadUInt32LittleEndian(Take(data, 4))))); break;
                case 0x8c: stack.Add(Encoding.UTF8.GetString(Take(data, Take(data, 1)[0]))); break; // SHORT_BINUNICODE
                case (byte)'C': stack.Add(Take(data, Take(data, 1)[0]).ToArray()); break;            // SHORT_BINBYTES
                case (byte)'B': stack.Add(Take(data, (int)BinaryPrimitives.ReadUInt32LittleEndian(Take(data, 4))).ToArray()); break;
                case 0x8e: stack.Add(Take(data, (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt64LittleEndian(Take(data, 8)))).ToArray()); break; // BINBYTES8
                case (byte)'c':
                {
                    var module = Line(data);
                    stack.Add(GlobalOf(module, Line(data)));
                    break;
                }
                case 0x93:                                                               // STACK_GLOBAL
                {
                    var attribute = Pop() as string;
                    var module = Pop() as string;
                    if (module is null || attribute is null) throw new InvalidDataException(Where("STACK_GLOBAL without two names"));
                    stack.Add(GlobalOf(module, attribute));
                    break;
                }
                case (byte)'q': memo[Take(data, 1)[0]] = Peek(); break;
                case (byte)'r': memo[BinaryPrimitives.ReadInt32LittleEndian(Take(data, 4))] = Peek(); break;
                case 0x94: memo[memo.Count] = Peek(); break;                             // MEMOIZE
                case (byte)'h': stack.Add(Memo(Take(data, 1)[0])); break;
                case (byte)'j': stack.Add(Memo(BinaryPrimitives.ReadInt32LittleEndian(Take(data, 4)))); break;
                case (byte)')': stack.Add(Array.Empty<object?>()); break;
                case 0x85: stack.Add(new[] { Pop() }); break;
                case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; }
                case (byte)'t': stack.Add(PopToMark().ToArray()); break;
                case (byte)']': stack.Add(new List<object?>()); break;
                case (byte)'a': { var item = Pop(); ListAt().Add(item); break; }
                case (byte)'e': { var items = PopToMark(); ListAt().AddRange(items); break; }
                case (byte)'R': { var args = Pop() as object?[]; var callable = Pop(); stack.Add(Call(callable, args)); break; }
                case (byte)'b': { var state = Pop(); Build(Peek(), state); break; }
                default: throw new InvalidDataException(Where($"unsupported pickle opcode 0x{op:x2}"));
            }
        }

        object? Peek() => stack.Count > 0 && stack[^1] is not Mark ? stack[^1] : throw new InvalidDataException(Where("nothing to memoize or build"));
        object? Memo(int key) => memo.TryGetValue(key, out var value) ? value : throw new InvalidDataException(Where($"memo {key} was never stored"));
        List<object?> ListAt() => stack.Count > 0 && stack[^1] is List<object?> list ? list : throw new InvalidDataException(Where("append to something not a list"));

        object Call(object? callable, object?[]? args)
        {
            if (callable is not Global global || args is null) throw new InvalidDataException(Where("REDUCE of something not an allowed numpy callable"));
            if (global.Name == "_reconstruct") return new PickledArray();
            if (global.Name == "dtype" && args.Length >= 1 && args[0] is string kind) return new DType { Kind = kind };
            throw new InvalidDataException(Where($"numpy {global.Name} called with arguments it does not take here"));
        }

        void Build(object? target, object? state)
        {
            if (target is DType dtype)
            {
                // (version, byte order, subarray, names, fields, element size, alignment, flags)
                if (state is object?[] { Length: >= 2 } s && s[1] is string order) dtype.Order = order;
                return;
            }
            if (target is not PickledArray array || state is not object?[] { Length: 5 } parts || parts[1] is not object?[] shape || parts[2] is not DType type)
                throw new InvalidDataException(Where("BUILD of something not a numpy array's state (version, shape, dtype, fortran, data)"));
            if (parts[3] is true) throw new InvalidDataException(Where("a Fortran-order array; save it C-ordered"));
            array.Shape = shape.Select(d => d is long v && v >= 0 && v <= int.MaxValue ? (int)v : throw new InvalidDataException(Where($"shape entry {d}"))).ToArray();
            array.Descr = (type.Order is "=" ? "<" : type.Order) + type.Kind;
            if (type.Kind == "O8" || type.Kind == "O")
            {
                array.Descr = "|O";
                array.Objects = parts[4] as List<object?> ?? throw new InvalidDataException(Where("an object array without its list of elements"));
                if (array.Objects.Count != array.Count) throw new InvalidDataException(Where($"an object array of shape ({string.Join(", ", array.Shape)}) with {array.Objects.Count} elements"));
            }
            else array.Data = parts[4] as byte[] ?? throw new InvalidDataException(Where("an array without its bytes"));
        }
    }
}
