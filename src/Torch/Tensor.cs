using System.Runtime.InteropServices;

namespace GnnSim.Torch;

/// <summary>
/// A libtorch tensor. Each instance owns one native handle (a counted reference to the tensor's
/// storage), freed by <see cref="Dispose"/>, by its <see cref="DisposeScope"/>, or, as a backstop,
/// by the finalizer. Operations live in the other Tensor.*.cs files, grouped by family.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private IntPtr handle;

    internal Tensor(IntPtr nativeHandle)
    {
        handle = Native.Check(nativeHandle);
        DisposeScope.Current?.Attach(this);
    }

    ~Tensor() => Free();

    internal IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(Tensor));

    internal DisposeScope? OwningScope { get; set; }

    public bool IsDisposed => handle == IntPtr.Zero;

    public void Dispose()
    {
        OwningScope?.Forget(this);
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) Native.gs_free(h);
    }

    /// <summary>Hands this tensor to the enclosing dispose scope (or to nobody), so it outlives the current one.</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        var outer = OwningScope?.Outer;
        OwningScope?.Forget(this);
        outer?.Attach(this);
        return this;
    }

    /// <summary>Takes this tensor out of every dispose scope: the caller disposes it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        OwningScope?.Forget(this);
        return this;
    }

    // ---- metadata ----

    public int dim() => Native.Check(Native.gs_dim(Handle));

    public unsafe long[] shape
    {
        get
        {
            var result = new long[dim()];
            fixed (long* p = result) Native.Check(Native.gs_sizes(Handle, p));
            return result;
        }
    }

    public long size(int dimension)
    {
        var s = shape;
        var d = dimension < 0 ? dimension + s.Length : dimension;
        if (d < 0 || d >= s.Length) throw new ArgumentOutOfRangeException(nameof(dimension), $"dimension {dimension} of a {s.Length}-d tensor");
        return s[d];
    }

    public long numel()
    {
        long n = 1;
        foreach (var s in shape) n *= s;
        return n;
    }

    public ScalarType dtype => (ScalarType)Native.Check(Native.gs_dtype(Handle));

    /// <summary>Bytes per element of the dtype.</summary>
    public int element_size() => dtype switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        _ => 8,
    };

    public unsafe Device device
    {
        get
        {
            int type, index;
            Native.Check(Native.gs_device(Handle, &type, &index));
            return new Device((DeviceType)type, index);
        }
    }

    public bool is_floating_point() => dtype.IsFloatingPoint();

    // ---- data transfer ----

    /// <summary>Copies the elements (row-major) into a new array; T must match the dtype.</summary>
    public unsafe T[] ToArray<T>() where T : unmanaged
    {
        var expected = ScalarTypes.Of<T>();
        if (dtype != expected) throw new ArgumentException($"tensor is {dtype}, not {expected}; convert with .to(ScalarType.{expected}) first");
        var result = new T[numel()];
        fixed (T* p = result) Native.Check(Native.gs_copy_to_buffer(Handle, p, (long)result.Length * sizeof(T)));
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public unsafe double item()
    {
        double value;
        Native.Check(Native.gs_item(Handle, &value));
        return value;
    }

    public unsafe long item_long()
    {
        long value;
        Native.Check(Native.gs_item_long(Handle, &value));
        return value;
    }

    /// <summary>libtorch's own printout of the values.</summary>
    public string ToText()
    {
        var text = Native.Check(Native.gs_to_string(Handle));
        try { return Marshal.PtrToStringUTF8(text) ?? ""; }
        finally { Native.gs_free_string(text); }
    }

    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor([{string.Join(", ", shape)}], {dtype}, {device})";
}
