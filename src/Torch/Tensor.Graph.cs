using static GnnSim.Torch.Native;

namespace GnnSim.Torch;

/// <summary>How <see cref="Tensor.scatter_reduce"/> combines the values that land on one index.</summary>
public enum ScatterReduction
{
    Sum = 0,
    Mean = 1,
    Amax = 2,
    Amin = 3,
    Prod = 4,
}

/// <summary>Gather and scatter: the primitives message passing is built from.</summary>
public sealed partial class Tensor
{
    /// <summary>Rows (or slices along <paramref name="dim"/>) picked by a 1-d int64 index: gathers node features onto edges.</summary>
    public Tensor index_select(long dim, Tensor index) => new(gs_index_select(Handle, dim, index.Handle));

    /// <summary>out[i][j] = this[index[i][j]][j] for dim 0 (index has the output's shape).</summary>
    public Tensor gather(long dim, Tensor index) => new(gs_gather(Handle, dim, index.Handle));

    /// <summary>A copy of this tensor with alpha * source[i] added at slice index[i] along dim: sums edge messages onto receivers.</summary>
    public Tensor index_add(long dim, Tensor index, Tensor source, double alpha = 1.0) =>
        new(gs_index_add(Handle, dim, index.Handle, source.Handle, alpha));

    /// <summary>A copy with source[i][j] added at [index[i][j]][j] (dim 0); index has the source's shape.</summary>
    public Tensor scatter_add(long dim, Tensor index, Tensor source) =>
        new(gs_scatter_add(Handle, dim, index.Handle, source.Handle));

    /// <summary>A copy with the values of source that share an index combined by <paramref name="reduce"/>; with
    /// includeSelf the tensor's own values take part, else positions that receive a value are overwritten.</summary>
    public Tensor scatter_reduce(long dim, Tensor index, Tensor source, ScatterReduction reduce, bool includeSelf = true) =>
        new(gs_scatter_reduce(Handle, dim, index.Handle, source.Handle, (int)reduce, includeSelf ? 1 : 0));
}
