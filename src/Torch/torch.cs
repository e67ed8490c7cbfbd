using static GnnSim.Torch.Native;

namespace GnnSim.Torch;

/// <summary>
/// The TorchSharp-style front door: <c>torch.zeros</c>, <c>torch.cat</c>, <c>torch.manual_seed</c>,
/// <c>torch.nn.functional</c>, ... This file holds creation and joins; the other torch.*.cs files the rest.
/// </summary>
public static partial class torch
{
    /// <summary>Opens a scope that frees every tensor created on this thread until it is disposed.</summary>
    public static DisposeScope NewDisposeScope() => new();

    // ---- creation ----

    private static unsafe Tensor Factory(Factory kind, long[] shape, ScalarType dtype, Device? device, bool requiresGrad, double value = 0)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = shape)
            return new Tensor(gs_factory((int)kind, p, shape.Length, (int)dtype, (int)d.Type, d.Index, value, requiresGrad ? 1 : 0));
    }

    public static Tensor zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Factory(Native.Factory.Zeros, shape, dtype, device, requires_grad);

    public static Tensor zeros(params long[] shape) => zeros(shape, ScalarType.Float32);

    public static Tensor ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Factory(Native.Factory.Ones, shape, dtype, device, requires_grad);

    public static Tensor ones(params long[] shape) => ones(shape, ScalarType.Float32);

    /// <summary>Uninitialized memory: every element must be written before it is read.</summary>
    public static Tensor empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Factory(Native.Factory.Empty, shape, dtype, device, false);

    public static Tensor full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Factory(Native.Factory.Full, shape, dtype, device, requires_grad, value);

    /// <summary>Standard normal samples from the global generator (see <see cref="manual_seed"/>).</summary>
    public static Tensor randn(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Factory(Native.Factory.Randn, shape, dtype, device, requires_grad);

    public static Tensor randn(params long[] shape) => randn(shape, ScalarType.Float32);

    /// <summary>Uniform samples on [0, 1).</summary>
    public static Tensor rand(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Factory(Native.Factory.Rand, shape, dtype, device, requires_grad);

    public static Tensor rand(params long[] shape) => rand(shape, ScalarType.Float32);

    /// <summary>
    /// An integer uniform in [0, <paramref name="high"/>) from the global generator: a seeded run draws the
    /// same, and a resumed one carries on (checkpoints keep the generator's state). For the host-side
    /// choices of a training step (a push-forward count, the seed of a sampler).
    /// </summary>
    public static int random_int(int high)
    {
        if (high < 1) throw new ArgumentOutOfRangeException(nameof(high), $"must be at least 1, got {high}");
        using var draw = rand(1);
        return Math.Min(high - 1, (int)(draw.item() * high));
    }

    public static Tensor zeros_like(Tensor t) => zeros(t.shape, t.dtype, t.device);

    public static Tensor ones_like(Tensor t) => ones(t.shape, t.dtype, t.device);

    public static Tensor randn_like(Tensor t) => randn(t.shape, t.dtype, t.device);

    /// <summary>0, 1, ..., end-1 as int64.</summary>
    public static Tensor arange(long end, Device? device = null) => arange(0, end, 1, ScalarType.Int64, device);

    /// <summary>start, start+step, ... before end.</summary>
    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return new Tensor(gs_arange(start, end, step, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>A tensor with a copy of <paramref name="data"/> (row-major) in the given shape (1-d when none is given).</summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        if (shape.Length == 0) shape = [data.Length];
        long count = 1;
        foreach (var s in shape)
        {
            if (s < 0) throw new ArgumentException($"negative size in shape [{string.Join(", ", shape)}]");
            count *= s;
        }
        if (count != data.Length)
            throw new ArgumentException($"{data.Length} values do not fill shape [{string.Join(", ", shape)}] ({count} elements)");
        fixed (T* values = data)
        fixed (long* p = shape)
            return new Tensor(gs_from_buffer(values, p, shape.Length, (int)ScalarTypes.Of<T>()));
    }

    public static Tensor tensor<T>(T[] data, params long[] shape) where T : unmanaged => tensor((ReadOnlySpan<T>)data, shape);

    /// <summary>A 0-d tensor holding one value.</summary>
    public static Tensor scalar_tensor(double value, ScalarType dtype = ScalarType.Float32) => new(gs_scalar_tensor(value, (int)dtype));

    // ---- joins and selection ----

    private static unsafe Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        if (tensors.Count == 0) throw new ArgumentException(stack ? "stack needs at least one tensor" : "cat needs at least one tensor");
        var handles = new IntPtr[tensors.Count];
        for (var i = 0; i < handles.Length; i++) handles[i] = tensors[i].Handle;
        fixed (IntPtr* p = handles)
            return new Tensor(stack ? gs_stack(p, handles.Length, dim) : gs_cat(p, handles.Length, dim));
    }

    /// <summary>Joins tensors along an existing dimension.</summary>
    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    /// <summary>Joins tensors along a new dimension.</summary>
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    /// <summary>Elementwise choice: a where condition holds, else b (broadcasting).</summary>
    public static Tensor where(Tensor condition, Tensor a, Tensor b) => new(gs_where(condition.Handle, a.Handle, b.Handle));

    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);

    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
}
