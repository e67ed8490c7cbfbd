using System.Reflection;
using System.Runtime.InteropServices;

namespace GnnSim.Torch;

/// <summary>
/// P/Invoke table of the shim in src/Torch/native (gnnsim_torch.h is the reference). Every
/// signature is blittable so calls need no marshalling stub; op codes match the C++ switch tables.
/// </summary>
internal static class Native
{
    private const string Lib = "gnnsim_torch";

    internal enum Unary
    {
        Neg, Abs, Sqrt, Rsqrt, Exp, Log, Sin, Cos, Tanh, Sigmoid, Relu, Gelu, Silu, Selu, Square, Sign,
        Floor, Ceil, Round, LogicalNot, Log1p, Expm1, Reciprocal, GeluTanh,
    }

    internal enum Binary
    {
        Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, Remainder,
        Atan2, FloorDivide,
    }

    internal enum Reduce { Sum, Mean, Amax, Amin, Var, Std, Norm, LogSumExp, Prod }

    internal enum Factory { Zeros, Ones, Empty, Randn, Rand, Full }

    internal enum InplaceBinary { Add, Sub, Mul, Div, Copy }

    internal enum InplaceScalar { Fill, Zero, Uniform, Normal, Mul, Add }

    // Runs before the first call into this class, so before the shim is loaded.
    static Native() => NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, Resolve);

    /// <summary>Finds libgnnsim_torch.so next to the assembly, in GNNSIM_NATIVE_DIR, or in the repository's build/native.</summary>
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Lib) return IntPtr.Zero;
        foreach (var dir in CandidateDirectories())
        {
            var path = Path.Combine(dir, "lib" + Lib + ".so");
            if (File.Exists(path)) return NativeLibrary.Load(path);
        }
        throw new DllNotFoundException(
            "libgnnsim_torch.so (the libtorch shim) was not found next to the program, in GNNSIM_NATIVE_DIR " +
            "or in build/native. Run ./setup.sh at the repository root to build it.");
    }

    private static IEnumerable<string> CandidateDirectories()
    {
        yield return AppContext.BaseDirectory;
        var fromEnvironment = Environment.GetEnvironmentVariable("GNNSIM_NATIVE_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment)) yield return fromEnvironment;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            yield return Path.Combine(dir.FullName, "build", "native");
    }

    /// <summary>Turns a NULL handle into a <see cref="TorchException"/> with libtorch's message.</summary>
    internal static IntPtr Check(IntPtr handle) => handle != IntPtr.Zero ? handle : throw LastError();

    internal static int Check(int status) => status >= 0 ? status : throw LastError();

    internal static TorchException LastError() =>
        new(Marshal.PtrToStringUTF8(gs_last_error()) ?? "unknown libtorch error");

    // ---- errors, lifetime, runtime ----
    [DllImport(Lib)] internal static extern IntPtr gs_last_error();
    [DllImport(Lib)] internal static extern long gs_live_tensors();
    [DllImport(Lib)] internal static extern void gs_free(IntPtr t);
    [DllImport(Lib)] internal static extern int gs_cuda_is_available();
    [DllImport(Lib)] internal static extern int gs_cuda_device_count();
    [DllImport(Lib)] internal static extern int gs_cuda_synchronize();
    [DllImport(Lib)] internal static extern void gs_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int gs_get_num_threads();
    [DllImport(Lib)] internal static extern int gs_set_blas_threads(int n);
    [DllImport(Lib)] internal static extern int gs_get_blas_threads();
    [DllImport(Lib)] internal static extern void gs_keep_freed_memory();
    [DllImport(Lib)] internal static extern void gs_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern IntPtr gs_get_rng_state();
    [DllImport(Lib)] internal static extern int gs_set_rng_state(IntPtr state);
    [DllImport(Lib)] internal static extern int gs_set_grad_enabled(int enabled);
    [DllImport(Lib)] internal static extern int gs_is_grad_enabled();
    [DllImport(Lib)] internal static extern int gs_set_autocast(int deviceType, int enabled, int dtype);

    // ---- creation and data ----
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_factory(int kind, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, double value, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr gs_arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex);
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_from_buffer(void* data, long* shape, int ndim, int dtype);
    [DllImport(Lib)] internal static extern unsafe int gs_copy_to_buffer(IntPtr t, void* dst, long nbytes);
    [DllImport(Lib)] internal static extern IntPtr gs_scalar_tensor(double value, int dtype);

    // ---- metadata ----
    [DllImport(Lib)] internal static extern int gs_dim(IntPtr t);
    [DllImport(Lib)] internal static extern unsafe int gs_sizes(IntPtr t, long* output);
    [DllImport(Lib)] internal static extern int gs_dtype(IntPtr t);
    [DllImport(Lib)] internal static extern unsafe int gs_device(IntPtr t, int* deviceType, int* deviceIndex);
    [DllImport(Lib)] internal static extern unsafe int gs_item(IntPtr t, double* output);
    [DllImport(Lib)] internal static extern unsafe int gs_item_long(IntPtr t, long* output);
    [DllImport(Lib)] internal static extern IntPtr gs_to_string(IntPtr t);
    [DllImport(Lib)] internal static extern void gs_free_string(IntPtr s);

    // ---- views and joins ----
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_view(IntPtr t, long* shape, int ndim);
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_reshape(IntPtr t, long* shape, int ndim);
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_expand(IntPtr t, long* shape, int ndim);
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_permute(IntPtr t, long* dims, int ndim);
    [DllImport(Lib)] internal static extern IntPtr gs_transpose(IntPtr t, long dim0, long dim1);
    [DllImport(Lib)] internal static extern IntPtr gs_contiguous(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr gs_squeeze(IntPtr t, long dim, int allDims);
    [DllImport(Lib)] internal static extern IntPtr gs_unsqueeze(IntPtr t, long dim);
    [DllImport(Lib)] internal static extern IntPtr gs_narrow(IntPtr t, long dim, long start, long length);
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_as_strided(IntPtr t, long* size, long* stride, int ndim, long offset);
    [DllImport(Lib)] internal static extern IntPtr gs_slice(IntPtr t, long dim, long start, long end, long step);
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_cat(IntPtr* ts, int n, long dim);
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_stack(IntPtr* ts, int n, long dim);
    [DllImport(Lib)] internal static extern unsafe int gs_split(IntPtr t, long size, long dim, int chunk, IntPtr* output, int capacity);

    // ---- elementwise ----
    [DllImport(Lib)] internal static extern IntPtr gs_unary(Unary op, IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr gs_binary(Binary op, IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr gs_binary_scalar(Binary op, IntPtr a, double value, int isInteger, int reverse);
    [DllImport(Lib)] internal static extern IntPtr gs_clamp(IntPtr t, double min, double max, int hasMin, int hasMax);
    [DllImport(Lib)] internal static extern IntPtr gs_where(IntPtr condition, IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr gs_masked_fill(IntPtr t, IntPtr mask, double value);
    [DllImport(Lib)] internal static extern IntPtr gs_nonzero(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr gs_leaky_relu(IntPtr t, double slope);
    [DllImport(Lib)] internal static extern IntPtr gs_elu(IntPtr t, double alpha);

    // ---- reductions ----
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_reduce(Reduce op, IntPtr t, long* dims, int ndim, int keepdim, double param);
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_minmax_dim(int op, IntPtr t, long dim, int keepdim, IntPtr* indices);
    [DllImport(Lib)] internal static extern IntPtr gs_argminmax(int op, IntPtr t, long dim, int hasDim, int keepdim);

    // ---- linear algebra and nn functions ----
    [DllImport(Lib)] internal static extern IntPtr gs_matmul(int op, IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr gs_linear(IntPtr x, IntPtr weight, IntPtr bias);
    [DllImport(Lib)] internal static extern int gs_linear_uses_onednn();
    [DllImport(Lib)] internal static extern IntPtr gs_softmax(IntPtr t, long dim, int log);
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_layer_norm(IntPtr x, long* shape, int ndim, IntPtr weight, IntPtr bias, double eps);
    [DllImport(Lib)] internal static extern IntPtr gs_dropout(IntPtr t, double p, int train);
    [DllImport(Lib)] internal static extern IntPtr gs_embedding(IntPtr weight, IntPtr indices);
    [DllImport(Lib)] internal static extern IntPtr gs_loss(int op, IntPtr input, IntPtr target, int reduction);

    // ---- graph primitives ----
    [DllImport(Lib)] internal static extern IntPtr gs_index_select(IntPtr t, long dim, IntPtr index);
    [DllImport(Lib)] internal static extern IntPtr gs_gather(IntPtr t, long dim, IntPtr index);
    [DllImport(Lib)] internal static extern IntPtr gs_index_add(IntPtr t, long dim, IntPtr index, IntPtr source, double alpha);
    [DllImport(Lib)] internal static extern IntPtr gs_scatter_add(IntPtr t, long dim, IntPtr index, IntPtr source);
    [DllImport(Lib)] internal static extern IntPtr gs_scatter_reduce(IntPtr t, long dim, IntPtr index, IntPtr source, int reduce, int includeSelf);
    [DllImport(Lib)] internal static extern IntPtr gs_one_hot(IntPtr index, long numClasses);
    [DllImport(Lib)] internal static extern IntPtr gs_graph_attention(IntPtr q, IntPtr k, IntPtr v, IntPtr senders, IntPtr receivers, double scale);
    [DllImport(Lib)] internal static extern int gs_graph_attention_fits(IntPtr q);
    [DllImport(Lib)] internal static extern unsafe void gs_set_segment_callbacks(
        delegate* unmanaged<long, IntPtr*, int, IntPtr*, int, int> run, delegate* unmanaged<long, void> release);
    [DllImport(Lib)] internal static extern void gs_set_error([MarshalAs(UnmanagedType.LPUTF8Str)] string message);
    [DllImport(Lib)] internal static extern unsafe int gs_checkpoint(long segment, IntPtr* inputs, int nInputs, IntPtr* outputs, int capacity);

    // ---- conversion, copies, in-place ----
    [DllImport(Lib)] internal static extern IntPtr gs_to(IntPtr t, int dtype, int deviceType, int deviceIndex, int copy);
    [DllImport(Lib)] internal static extern IntPtr gs_clone(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr gs_detach(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr gs_alias(IntPtr t);
    [DllImport(Lib)] internal static extern int gs_inplace_binary(InplaceBinary op, IntPtr t, IntPtr other, double alpha);
    [DllImport(Lib)] internal static extern int gs_inplace_scalar(InplaceScalar op, IntPtr t, double a, double b);
    [DllImport(Lib)] internal static extern int gs_set_data(IntPtr t, IntPtr source);

    // ---- autograd ----
    [DllImport(Lib)] internal static extern int gs_requires_grad(IntPtr t);
    [DllImport(Lib)] internal static extern int gs_set_requires_grad(IntPtr t, int requiresGrad);
    [DllImport(Lib)] internal static extern unsafe int gs_grad(IntPtr t, IntPtr* output);
    [DllImport(Lib)] internal static extern int gs_set_grad(IntPtr t, IntPtr grad);
    [DllImport(Lib)] internal static extern int gs_backward(IntPtr t, IntPtr gradient, int retainGraph);

    // ---- optimizers ----
    [DllImport(Lib)] internal static extern unsafe int gs_adam_step(IntPtr* parameters, IntPtr* expAvg, IntPtr* expAvgSq, long* steps, int n, double lr, double beta1, double beta2, double eps, double weightDecay, int decoupled);
    [DllImport(Lib)] internal static extern unsafe int gs_clip_grad_norm(IntPtr* parameters, int n, double maxNorm, double* totalNorm);

    // ---- serialization ----
    [DllImport(Lib)] internal static extern unsafe int gs_save(byte* path, byte** names, IntPtr* tensors, int n);

    // ---- distributed (c10d) ----
    [DllImport(Lib)] internal static extern unsafe int gs_dist_has_backend(byte* backend);
    [DllImport(Lib)] internal static extern unsafe IntPtr gs_dist_init(byte* backend, byte* masterAddress, int masterPort, int rank, int worldSize, long timeoutMs, int agentHostsStore, byte* keyPrefix);
    [DllImport(Lib)] internal static extern void gs_dist_destroy(IntPtr group);
    [DllImport(Lib)] internal static extern int gs_dist_all_reduce(IntPtr group, IntPtr t, int op);
    [DllImport(Lib)] internal static extern int gs_dist_broadcast(IntPtr group, IntPtr t, int root);
    [DllImport(Lib)] internal static extern unsafe int gs_dist_all_gather(IntPtr group, IntPtr input, IntPtr* outputs, int n);
    [DllImport(Lib)] internal static extern int gs_dist_barrier(IntPtr group);
    [DllImport(Lib)] internal static extern unsafe int gs_dist_store_set(IntPtr group, byte* key, byte* value, long length);
    [DllImport(Lib)] internal static extern unsafe long gs_dist_store_get(IntPtr group, byte* key, byte* value, long capacity);
}
