using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using static GnnSim.Torch.Native;

namespace GnnSim.Torch;

public static partial class torch
{
    /// <summary>
    /// Activation checkpointing (PyTorch's <c>torch.utils.checkpoint</c>, its reentrant form): runs
    /// <paramref name="segment"/> on <paramref name="inputs"/> without recording its graph, keeping only
    /// the inputs, and runs it again with a graph when the backward pass reaches it. The outputs and every
    /// gradient (the inputs', and those of the parameters the segment uses) are what a plain call gives;
    /// the segment's activations are held only while its own backward runs, for one more forward.
    /// Without grad mode, or when no input needs a gradient, it is a plain call (with its graph, then).
    /// <para>The segment must be a function of its inputs and of parameters only: every tensor it reads
    /// that carries a graph goes in <paramref name="inputs"/> (a captured one would be back-propagated
    /// through twice), and it must draw no random numbers (the recomputation would draw others).
    /// <c>torch.autograd.grad</c>-style partial backward passes do not see the parameters' gradients
    /// (as with PyTorch's reentrant checkpoint); <see cref="Tensor.backward"/> does.</para>
    /// </summary>
    public static Tensor[] checkpoint(Func<Tensor[], Tensor[]> segment, params Tensor[] inputs)
    {
        // The node is recorded only when an input needs a gradient (autograd's rule for any function);
        // without one, the segment's parameters would get none, so it is then a plain call with its graph.
        return is_grad_enabled() && inputs.Any(t => t.requires_grad) ? CheckpointedSegments.Run(segment, inputs) : segment(inputs);
    }

    /// <summary>Checkpointed segments whose graph node is alive (a backward may still run them): 0 once every such graph is freed, as a leak check counts.</summary>
    public static int pending_checkpoint_segments() => CheckpointedSegments.Pending;

    /// <summary>Checkpointed segments waiting for their backward, by id; the shim calls back into <see cref="RunSegment"/>.</summary>
    internal static unsafe class CheckpointedSegments
    {
        private const int Capacity = 16;
        private static readonly ConcurrentDictionary<long, Func<Tensor[], Tensor[]>> pending = new();
        private static long nextId;

        static CheckpointedSegments() => gs_set_segment_callbacks(&RunSegment, &ReleaseSegment);

        public static int Pending => pending.Count;

        public static Tensor[] Run(Func<Tensor[], Tensor[]> segment, Tensor[] inputs)
        {
            var id = Interlocked.Increment(ref nextId);
            pending[id] = segment;
            var handles = inputs.Select(t => t.Handle).ToArray();
            var outputs = new IntPtr[Capacity];
            int count;
            try
            {
                fixed (IntPtr* inputPointer = handles)
                fixed (IntPtr* outputPointer = outputs)
                    count = Check(gs_checkpoint(id, inputPointer, handles.Length, outputPointer, Capacity));
            }
            catch
            {
                pending.TryRemove(id, out _);   // a node that was never made releases nothing
                throw;
            }
            GC.KeepAlive(inputs);
            return outputs.Take(count).Select(h => new Tensor(h)).ToArray();
        }

        [UnmanagedCallersOnly]
        private static int RunSegment(long id, IntPtr* inputs, int count, IntPtr* outputs, int capacity)
        {
            try
            {
                if (!pending.TryGetValue(id, out var segment)) throw new InvalidOperationException($"checkpointed segment {id} was released");
                // Everything the segment makes here is freed on the way out; the shim keeps its own references to the outputs.
                using var scope = NewDisposeScope();
                var arguments = new Tensor[count];
                for (var i = 0; i < count; i++) arguments[i] = new Tensor(inputs[i]);
                var results = segment(arguments);
                if (results.Length > capacity) throw new ArgumentException($"a checkpointed segment returns at most {capacity} tensors, this one {results.Length}");
                for (var i = 0; i < results.Length; i++) outputs[i] = gs_alias(results[i].Handle);
                return results.Length;
            }
            catch (Exception e)
            {
                gs_set_error($"checkpointed segment: {e.GetType().Name}: {e.Message}");
                return -1;
            }
        }

        [UnmanagedCallersOnly]
        private static void ReleaseSegment(long id) => pending.TryRemove(id, out _);
    }
}
