using static GnnSim.Torch.Native;

namespace GnnSim.Torch;

/// <summary>Views (sharing storage) and reshaping.</summary>
public sealed partial class Tensor
{
    public unsafe Tensor view(params long[] shape)
    {
        fixed (long* p = shape) return new Tensor(gs_view(Handle, p, shape.Length));
    }

    public unsafe Tensor reshape(params long[] shape)
    {
        fixed (long* p = shape) return new Tensor(gs_reshape(Handle, p, shape.Length));
    }

    /// <summary>Broadcasts size-1 dimensions to <paramref name="shape"/> without copying (-1 keeps a size).</summary>
    public unsafe Tensor expand(params long[] shape)
    {
        fixed (long* p = shape) return new Tensor(gs_expand(Handle, p, shape.Length));
    }

    public unsafe Tensor permute(params long[] dims)
    {
        fixed (long* p = dims) return new Tensor(gs_permute(Handle, p, dims.Length));
    }

    public Tensor transpose(long dim0, long dim1) => new(gs_transpose(Handle, dim0, dim1));

    /// <summary>Transpose of a 2-d tensor.</summary>
    public Tensor t() => transpose(0, 1);

    public Tensor contiguous() => new(gs_contiguous(Handle));

    public Tensor flatten() => reshape(-1);

    /// <summary>Removes every size-1 dimension, or only <paramref name="dim"/> when given.</summary>
    public Tensor squeeze(long? dim = null) => new(gs_squeeze(Handle, dim ?? 0, dim.HasValue ? 0 : 1));

    public Tensor unsqueeze(long dim) => new(gs_unsqueeze(Handle, dim));

    public Tensor narrow(long dim, long start, long length) => new(gs_narrow(Handle, dim, start, length));

    /// <summary>Elements start, start+step, ... before end along dim (Python's t[start:end:step]).</summary>
    public Tensor slice(long dim, long start, long end, long step = 1) => new(gs_slice(Handle, dim, start, end, step));

    /// <summary>Pieces of <paramref name="size"/> along <paramref name="dim"/> (the last may be smaller).</summary>
    public Tensor[] split(long size, long dim = 0)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), "split size must be positive");
        return Pieces(size, dim, chunk: false, capacity: (int)((this.size((int)dim) + size - 1) / size));
    }

    /// <summary><paramref name="chunks"/> nearly equal pieces along <paramref name="dim"/> (fewer if the size is small).</summary>
    public Tensor[] chunk(long chunks, long dim = 0)
    {
        if (chunks <= 0) throw new ArgumentOutOfRangeException(nameof(chunks), "chunk count must be positive");
        return Pieces(chunks, dim, chunk: true, capacity: (int)chunks);
    }

    private unsafe Tensor[] Pieces(long size, long dim, bool chunk, int capacity)
    {
        var handles = new IntPtr[Math.Max(capacity, 1)];
        int count;
        fixed (IntPtr* p = handles) count = Check(gs_split(Handle, size, dim, chunk ? 1 : 0, p, handles.Length));
        var pieces = new Tensor[count];
        for (var i = 0; i < count; i++) pieces[i] = new Tensor(handles[i]);
        return pieces;
    }
}
