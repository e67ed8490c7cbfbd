using static GnnSim.Torch.Native;

namespace GnnSim.Torch;

/// <summary>Seeds, threads, memory policy, devices and grad mode.</summary>
public static partial class torch
{
    /// <summary>Seeds libtorch's global generators (CPU and CUDA).</summary>
    public static void manual_seed(ulong seed) => gs_manual_seed(seed);

    /// <summary>The CPU generator's state (a byte tensor), to be restored with <see cref="set_rng_state"/>.</summary>
    public static Tensor get_rng_state() => new(gs_get_rng_state());

    public static void set_rng_state(Tensor state) => Check(gs_set_rng_state(state.Handle));

    /// <summary>Native tensors alive now (every handle not yet freed); a leak check counts these.</summary>
    public static long live_tensor_count() => gs_live_tensors();

    /// <summary>libtorch's intra-op thread count.</summary>
    public static void set_num_threads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "thread count must be at least 1");
        gs_set_num_threads(threads);
    }

    public static int get_num_threads() => gs_get_num_threads();

    /// <summary>OpenBLAS's own thread count (matrix products); false when libtorch is not on OpenBLAS.</summary>
    public static bool set_blas_threads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "thread count must be at least 1");
        return gs_set_blas_threads(threads) != 0;
    }

    /// <summary>OpenBLAS's thread count, or -1 when libtorch is not on OpenBLAS.</summary>
    public static int get_blas_threads() => gs_get_blas_threads();

    /// <summary>
    /// Uses <paramref name="cores"/> cores (all by default) the way measured best for training on CPU.
    /// Where float32 matrix products run on oneDNN (<see cref="nn.functional.linear_uses_onednn"/>), its
    /// sgemm and the elementwise ops share libtorch's OpenMP pool, so that pool gets every core and
    /// OpenBLAS (left with what oneDNN does not take) one thread: the two pools never spin against each other (`gnnsim bench mgn`, 2,000 nodes on two cores: 458 ms a training step, against
    /// 675 ms with the pool on one core and 864 ms on OpenBLAS). On OpenBLAS alone, libtorch's pool gets
    /// half of the cores and OpenBLAS all of them (1 + 2 on two cores: 168 ms per MLP step, against
    /// 209 ms for 2 + 2 and 237 ms for 1 + 1; `gnnsim bench torch`). Freed activation buffers are kept
    /// by malloc rather than handed back to the OS every step (GNNSIM_MALLOC=system turns that off).
    /// OPENBLAS_NUM_THREADS, when set and no core count is given, keeps OpenBLAS's own count.
    /// </summary>
    public static void ConfigureForTraining(int? cores = null)
    {
        if (cores is < 1) throw new ArgumentOutOfRangeException(nameof(cores), "core count must be at least 1");
        var budget = cores ?? Environment.ProcessorCount;
        training_cores = budget;
        var onOneDnn = nn.functional.linear_uses_onednn();
        set_num_threads(onOneDnn ? budget : Math.Max(1, budget / 2));
        if (cores.HasValue || Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS") == null)
            set_blas_threads(onOneDnn ? 1 : budget);
        if (Environment.GetEnvironmentVariable("GNNSIM_MALLOC") == "system") return;
        gs_keep_freed_memory();
        keeps_freed_memory = true;
    }

    /// <summary>The cores <see cref="ConfigureForTraining"/> was given (all of them until it is called).</summary>
    public static int training_cores { get; private set; } = Environment.ProcessorCount;

    /// <summary>True once <see cref="ConfigureForTraining"/> has told malloc to keep freed buffers.</summary>
    public static bool keeps_freed_memory { get; private set; }

    /// <summary>Turns autograd recording off until the returned guard is disposed.</summary>
    public static GradModeGuard no_grad() => new(false);

    /// <summary>Turns autograd recording on until the returned guard is disposed.</summary>
    public static GradModeGuard enable_grad() => new(true);

    public static bool is_grad_enabled() => gs_is_grad_enabled() != 0;

    /// <summary>
    /// Automatic mixed precision on <paramref name="device"/>'s type until the guard is disposed (torch.autocast):
    /// products and convolutions run in <paramref name="dtype"/>, precision-sensitive ops stay in float32.
    /// Run the forward pass and the loss inside, the backward outside.
    /// </summary>
    public static AutocastGuard autocast(Device device, ScalarType dtype = ScalarType.BFloat16)
    {
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16)) throw new ArgumentException($"autocast runs in bfloat16 or float16, not {dtype}");
        return new AutocastGuard(device.Type, dtype);
    }

    public readonly struct AutocastGuard : IDisposable
    {
        private readonly DeviceType type;
        private readonly ScalarType dtype;
        private readonly bool previous;

        internal AutocastGuard(DeviceType type, ScalarType dtype)
        {
            (this.type, this.dtype) = (type, dtype);
            previous = Check(gs_set_autocast((int)type, 1, (int)dtype)) != 0;
        }

        public void Dispose() => Check(gs_set_autocast((int)type, previous ? 1 : 0, (int)dtype));
    }

    /// <summary>Restores the previous grad mode when disposed (grad mode is per thread).</summary>
    public readonly struct GradModeGuard : IDisposable
    {
        private readonly bool previous;

        internal GradModeGuard(bool enabled) => previous = gs_set_grad_enabled(enabled ? 1 : 0) != 0;

        public void Dispose() => gs_set_grad_enabled(previous ? 1 : 0);
    }

    public static class cuda
    {
        /// <summary>True when the shim was built against a CUDA libtorch and a GPU is visible.</summary>
        public static bool is_available() => gs_cuda_is_available() != 0;

        public static int device_count() => gs_cuda_device_count();

        /// <summary>Waits for the GPU's queued work to finish (for timing); does nothing where no GPU is visible.</summary>
        public static void synchronize() => Check(gs_cuda_synchronize());

        /// <summary>Throws, saying what to do, when <paramref name="device"/> is a GPU this process cannot use.</summary>
        public static void require(Device device)
        {
            if (device.Type != DeviceType.CUDA) return;
            if (!is_available())
                throw new ArgumentException($"device {device}: no GPU is usable here: either the libtorch shim was built against a CPU-only libtorch " +
                    "(build it against a CUDA one: LIBTORCH_DIR=/path/to/libtorch ./setup.sh, README \"GPUs\"), or no GPU is visible");
            if (device.Index >= device_count())
                throw new ArgumentException($"device {device}: this machine has {device_count()} GPU(s), cuda:0 to cuda:{device_count() - 1}");
        }
    }
}
