using static GnnSim.Torch.Native;

namespace GnnSim.Torch;

/// <summary><c>torch.nn.functional</c> and <c>torch.nn.utils</c>; the module classes are in GnnSim.Torch.Modules.</summary>
public static partial class torch
{
    public static partial class nn
    {
        /// <summary>How a loss reduces its per-element values (at::Reduction's numbering).</summary>
        public enum Reduction
        {
            None = 0,
            Mean = 1,
            Sum = 2,
        }

        public static class functional
        {
            /// <summary>
            /// y = x W^T + b with W [out, in]. On CPU float32 its products run on oneDNN's AVX-512 sgemm
            /// when libtorch brought oneDNN along (see <see cref="linear_uses_onednn"/>), else at::linear.
            /// </summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) =>
                new(gs_linear(input.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero));

            /// <summary>
            /// True when float32 CPU <see cref="linear"/> (and mm, bmm, matmul) run on oneDNN's sgemm
            /// (libtorch's libdnnl, found in the process) rather than libtorch's BLAS; GNNSIM_GEMM=libtorch
            /// turns it off.
            /// </summary>
            public static bool linear_uses_onednn() => gs_linear_uses_onednn() != 0;

            /// <summary>Normalizes over the trailing <paramref name="normalizedShape"/> dimensions, then scales and shifts.</summary>
            public static unsafe Tensor layer_norm(Tensor input, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                fixed (long* p = normalizedShape)
                    return new Tensor(gs_layer_norm(input.Handle, p, normalizedShape.Length,
                        weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero, eps));
            }

            /// <summary>Zeroes each element with probability p while training, scaling the rest by 1/(1-p).</summary>
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), $"dropout probability {p} is outside [0, 1]");
                return new Tensor(gs_dropout(input.Handle, p, training ? 1 : 0));
            }

            /// <summary>Rows of <paramref name="weight"/> picked by int64 indices.</summary>
            public static Tensor embedding(Tensor indices, Tensor weight) => new(gs_embedding(weight.Handle, indices.Handle));

            /// <summary>Mean (or sum, or per element) of squared differences, in one fused kernel.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                new(gs_loss(0, input.Handle, target.Handle, (int)reduction));

            /// <summary>Mean (or sum, or per element) of absolute differences.</summary>
            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                new(gs_loss(1, input.Handle, target.Handle, (int)reduction));

            public static Tensor relu(Tensor x) => x.relu();
            public static Tensor gelu(Tensor x) => x.gelu();
            public static Tensor silu(Tensor x) => x.silu();
            public static Tensor softmax(Tensor x, long dim) => x.softmax(dim);
            public static Tensor log_softmax(Tensor x, long dim) => x.log_softmax(dim);
        }

        public static class utils
        {
            /// <summary>Scales all gradients together so that their global 2-norm is at most maxNorm; returns the norm before.</summary>
            public static unsafe double clip_grad_norm_(IEnumerable<Tensor> parameters, double maxNorm)
            {
                var handles = parameters.Select(p => p.Handle).ToArray();
                double total;
                fixed (IntPtr* p = handles) Check(gs_clip_grad_norm(p, handles.Length, maxNorm, &total));
                return total;
            }
        }
    }
}
