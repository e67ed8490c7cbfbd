using static GnnSim.Torch.Native;

namespace GnnSim.Torch;

/// <summary>Arithmetic (with broadcasting and Python-style scalar promotion), activations, reductions, matrix products.</summary>
public sealed partial class Tensor
{
    private Tensor Apply(Unary op) => new(gs_unary(op, Handle));

    private Tensor Apply(Binary op, Tensor other) => new(gs_binary(op, Handle, other.Handle));

    private Tensor Apply(Binary op, double scalar, bool reverse = false) =>
        new(gs_binary_scalar(op, Handle, scalar, 0, reverse ? 1 : 0));

    private Tensor Apply(Binary op, long scalar, bool reverse = false) =>
        new(gs_binary_scalar(op, Handle, scalar, 1, reverse ? 1 : 0));

    // ---- operators ----

    public static Tensor operator +(Tensor a, Tensor b) => a.Apply(Binary.Add, b);
    public static Tensor operator +(Tensor a, double b) => a.Apply(Binary.Add, b);
    public static Tensor operator +(double a, Tensor b) => b.Apply(Binary.Add, a, reverse: true);
    public static Tensor operator +(Tensor a, long b) => a.Apply(Binary.Add, b);
    public static Tensor operator +(long a, Tensor b) => b.Apply(Binary.Add, a, reverse: true);
    public static Tensor operator -(Tensor a, Tensor b) => a.Apply(Binary.Sub, b);
    public static Tensor operator -(Tensor a, double b) => a.Apply(Binary.Sub, b);
    public static Tensor operator -(double a, Tensor b) => b.Apply(Binary.Sub, a, reverse: true);
    public static Tensor operator -(Tensor a, long b) => a.Apply(Binary.Sub, b);
    public static Tensor operator -(long a, Tensor b) => b.Apply(Binary.Sub, a, reverse: true);
    public static Tensor operator *(Tensor a, Tensor b) => a.Apply(Binary.Mul, b);
    public static Tensor operator *(Tensor a, double b) => a.Apply(Binary.Mul, b);
    public static Tensor operator *(double a, Tensor b) => b.Apply(Binary.Mul, a, reverse: true);
    public static Tensor operator *(Tensor a, long b) => a.Apply(Binary.Mul, b);
    public static Tensor operator *(long a, Tensor b) => b.Apply(Binary.Mul, a, reverse: true);
    public static Tensor operator /(Tensor a, Tensor b) => a.Apply(Binary.Div, b);
    public static Tensor operator /(Tensor a, double b) => a.Apply(Binary.Div, b);
    public static Tensor operator /(double a, Tensor b) => b.Apply(Binary.Div, a, reverse: true);
    public static Tensor operator %(Tensor a, Tensor b) => a.Apply(Binary.Remainder, b);
    public static Tensor operator %(Tensor a, long b) => a.Apply(Binary.Remainder, b);
    public static Tensor operator -(Tensor a) => a.Apply(Unary.Neg);
    public static Tensor operator !(Tensor a) => a.Apply(Unary.LogicalNot);
    public static Tensor operator &(Tensor a, Tensor b) => a.Apply(Binary.LogicalAnd, b);
    public static Tensor operator |(Tensor a, Tensor b) => a.Apply(Binary.LogicalOr, b);
    public static Tensor operator <(Tensor a, Tensor b) => a.Apply(Binary.Lt, b);
    public static Tensor operator >(Tensor a, Tensor b) => a.Apply(Binary.Gt, b);
    public static Tensor operator <=(Tensor a, Tensor b) => a.Apply(Binary.Le, b);
    public static Tensor operator >=(Tensor a, Tensor b) => a.Apply(Binary.Ge, b);
    public static Tensor operator <(Tensor a, double b) => a.Apply(Binary.Lt, b);
    public static Tensor operator >(Tensor a, double b) => a.Apply(Binary.Gt, b);
    public static Tensor operator <=(Tensor a, double b) => a.Apply(Binary.Le, b);
    public static Tensor operator >=(Tensor a, double b) => a.Apply(Binary.Ge, b);

    // ---- named binary ops ----

    public Tensor add(Tensor other) => Apply(Binary.Add, other);
    public Tensor sub(Tensor other) => Apply(Binary.Sub, other);
    public Tensor mul(Tensor other) => Apply(Binary.Mul, other);
    public Tensor div(Tensor other) => Apply(Binary.Div, other);
    public Tensor pow(Tensor exponent) => Apply(Binary.Pow, exponent);
    public Tensor pow(double exponent) => Apply(Binary.Pow, exponent);
    public Tensor maximum(Tensor other) => Apply(Binary.Maximum, other);
    public Tensor minimum(Tensor other) => Apply(Binary.Minimum, other);
    public Tensor atan2(Tensor other) => Apply(Binary.Atan2, other);
    public Tensor floor_divide(Tensor other) => Apply(Binary.FloorDivide, other);
    public Tensor eq(Tensor other) => Apply(Binary.Eq, other);
    public Tensor eq(double other) => Apply(Binary.Eq, other);
    public Tensor ne(Tensor other) => Apply(Binary.Ne, other);
    public Tensor ne(double other) => Apply(Binary.Ne, other);
    public Tensor lt(Tensor other) => Apply(Binary.Lt, other);
    public Tensor le(Tensor other) => Apply(Binary.Le, other);
    public Tensor gt(Tensor other) => Apply(Binary.Gt, other);
    public Tensor ge(Tensor other) => Apply(Binary.Ge, other);
    public Tensor logical_and(Tensor other) => Apply(Binary.LogicalAnd, other);
    public Tensor logical_or(Tensor other) => Apply(Binary.LogicalOr, other);
    public Tensor logical_not() => Apply(Unary.LogicalNot);

    // ---- unary math ----

    public Tensor neg() => Apply(Unary.Neg);
    public Tensor abs() => Apply(Unary.Abs);
    public Tensor sqrt() => Apply(Unary.Sqrt);
    public Tensor rsqrt() => Apply(Unary.Rsqrt);
    public Tensor exp() => Apply(Unary.Exp);
    public Tensor log() => Apply(Unary.Log);
    public Tensor log1p() => Apply(Unary.Log1p);
    public Tensor expm1() => Apply(Unary.Expm1);
    public Tensor sin() => Apply(Unary.Sin);
    public Tensor cos() => Apply(Unary.Cos);
    public Tensor square() => Apply(Unary.Square);
    public Tensor sign() => Apply(Unary.Sign);
    public Tensor floor() => Apply(Unary.Floor);
    public Tensor ceil() => Apply(Unary.Ceil);
    public Tensor round() => Apply(Unary.Round);
    public Tensor reciprocal() => Apply(Unary.Reciprocal);

    public Tensor clamp(double? min = null, double? max = null) =>
        new(gs_clamp(Handle, min ?? 0, max ?? 0, min.HasValue ? 1 : 0, max.HasValue ? 1 : 0));

    public Tensor clamp_min(double min) => clamp(min: min);
    public Tensor clamp_max(double max) => clamp(max: max);

    public Tensor masked_fill(Tensor mask, double value) => new(gs_masked_fill(Handle, mask.Handle, value));

    /// <summary>The indices of the non-zero (true) elements, <c>[K, dim()]</c> int64, as torch.nonzero.</summary>
    public Tensor nonzero() => new(gs_nonzero(Handle));

    // ---- activations ----

    public Tensor relu() => Apply(Unary.Relu);
    /// <summary>GELU, exact (erf) by default, or the tanh approximation.</summary>
    public Tensor gelu(bool tanhApproximation = false) => Apply(tanhApproximation ? Unary.GeluTanh : Unary.Gelu);
    public Tensor silu() => Apply(Unary.Silu);
    public Tensor selu() => Apply(Unary.Selu);
    public Tensor elu(double alpha = 1.0) => new(gs_elu(Handle, alpha));
    public Tensor leaky_relu(double negativeSlope = 0.01) => new(gs_leaky_relu(Handle, negativeSlope));
    public Tensor sigmoid() => Apply(Unary.Sigmoid);
    public Tensor tanh() => Apply(Unary.Tanh);
    public Tensor softmax(long dim) => new(gs_softmax(Handle, dim, 0));
    public Tensor log_softmax(long dim) => new(gs_softmax(Handle, dim, 1));

    // ---- reductions (no dims: over all elements) ----

    private unsafe Tensor Reduction(Native.Reduce op, long[]? dims, bool keepdim, double param = 0)
    {
        dims ??= [];
        fixed (long* p = dims) return new Tensor(gs_reduce(op, Handle, p, dims.Length, keepdim ? 1 : 0, param));
    }

    public Tensor sum() => Reduction(Native.Reduce.Sum, null, false);
    public Tensor sum(long dim, bool keepdim = false) => Reduction(Native.Reduce.Sum, [dim], keepdim);
    public Tensor sum(long[] dims, bool keepdim = false) => Reduction(Native.Reduce.Sum, dims, keepdim);
    public Tensor mean() => Reduction(Native.Reduce.Mean, null, false);
    public Tensor mean(long dim, bool keepdim = false) => Reduction(Native.Reduce.Mean, [dim], keepdim);
    public Tensor mean(long[] dims, bool keepdim = false) => Reduction(Native.Reduce.Mean, dims, keepdim);
    public Tensor amax() => Reduction(Native.Reduce.Amax, null, false);
    public Tensor amax(long dim, bool keepdim = false) => Reduction(Native.Reduce.Amax, [dim], keepdim);
    public Tensor amax(long[] dims, bool keepdim = false) => Reduction(Native.Reduce.Amax, dims, keepdim);
    public Tensor amin() => Reduction(Native.Reduce.Amin, null, false);
    public Tensor amin(long dim, bool keepdim = false) => Reduction(Native.Reduce.Amin, [dim], keepdim);
    public Tensor amin(long[] dims, bool keepdim = false) => Reduction(Native.Reduce.Amin, dims, keepdim);
    /// <summary>The largest element.</summary>
    public Tensor max() => amax();
    /// <summary>The smallest element.</summary>
    public Tensor min() => amin();
    public Tensor var(bool unbiased = true) => Reduction(Native.Reduce.Var, null, false, unbiased ? 1 : 0);
    public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => Reduction(Native.Reduce.Var, [dim], keepdim, unbiased ? 1 : 0);
    public Tensor var(long[] dims, bool unbiased = true, bool keepdim = false) => Reduction(Native.Reduce.Var, dims, keepdim, unbiased ? 1 : 0);
    public Tensor std(bool unbiased = true) => Reduction(Native.Reduce.Std, null, false, unbiased ? 1 : 0);
    public Tensor std(long dim, bool unbiased = true, bool keepdim = false) => Reduction(Native.Reduce.Std, [dim], keepdim, unbiased ? 1 : 0);
    public Tensor std(long[] dims, bool unbiased = true, bool keepdim = false) => Reduction(Native.Reduce.Std, dims, keepdim, unbiased ? 1 : 0);
    /// <summary>The p-norm (2 by default) over all elements or the given dims.</summary>
    public Tensor norm(double p = 2) => Reduction(Native.Reduce.Norm, null, false, p);
    public Tensor norm(long dim, bool keepdim = false, double p = 2) => Reduction(Native.Reduce.Norm, [dim], keepdim, p);
    public Tensor norm(long[] dims, bool keepdim = false, double p = 2) => Reduction(Native.Reduce.Norm, dims, keepdim, p);
    public Tensor logsumexp(long dim, bool keepdim = false) => Reduction(Native.Reduce.LogSumExp, [dim], keepdim);
    public Tensor prod(long dim, bool keepdim = false) => Reduction(Native.Reduce.Prod, [dim], keepdim);

    /// <summary>Largest values along <paramref name="dim"/> and where they are.</summary>
    public unsafe (Tensor values, Tensor indices) max(long dim, bool keepdim = false)
    {
        IntPtr indices;
        var values = new Tensor(gs_minmax_dim(0, Handle, dim, keepdim ? 1 : 0, &indices));
        return (values, new Tensor(indices));
    }

    public unsafe (Tensor values, Tensor indices) min(long dim, bool keepdim = false)
    {
        IntPtr indices;
        var values = new Tensor(gs_minmax_dim(1, Handle, dim, keepdim ? 1 : 0, &indices));
        return (values, new Tensor(indices));
    }

    /// <summary>Index of the largest element, in the flattened tensor or along <paramref name="dim"/>.</summary>
    public Tensor argmax(long? dim = null, bool keepdim = false) =>
        new(gs_argminmax(0, Handle, dim ?? 0, dim.HasValue ? 1 : 0, keepdim ? 1 : 0));

    public Tensor argmin(long? dim = null, bool keepdim = false) =>
        new(gs_argminmax(1, Handle, dim ?? 0, dim.HasValue ? 1 : 0, keepdim ? 1 : 0));

    // ---- matrix products (float32 on the CPU: oneDNN's sgemm, see torch.nn.functional.linear_uses_onednn) ----

    public Tensor mm(Tensor other) => new(gs_matmul(0, Handle, other.Handle));
    public Tensor bmm(Tensor other) => new(gs_matmul(1, Handle, other.Handle));
    public Tensor matmul(Tensor other) => new(gs_matmul(2, Handle, other.Handle));
}
