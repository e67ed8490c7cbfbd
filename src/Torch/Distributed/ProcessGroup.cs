using System.Globalization;
using System.Text;
using static GnnSim.Torch.Native;

namespace GnnSim.Torch.Distributed;

/// <summary>How <see cref="ProcessGroup.AllReduce"/> combines the ranks' tensors.</summary>
public enum ReduceOp { Sum = 0, Max = 1, Min = 2, Product = 3 }

/// <summary>A collective that failed or timed out; the message names the ranks that fell behind where it can tell.</summary>
public sealed class DistributedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A c10d process group: <c>torch.distributed.init_process_group</c> over a TCPStore that rank 0 hosts
/// on the master address, with Gloo (CPU tensors) or NCCL (CUDA tensors, in a shim built against a CUDA
/// libtorch). Collectives work in place on contiguous tensors and wait at most the group's timeout:
/// a rank that died or hangs ends in a <see cref="DistributedException"/>, never a hang. Ranks may
/// record how far they got (<see cref="MarkProgress"/>), so that a failure can say which rank is behind.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    private IntPtr handle;
    private long progress = -1;

    private ProcessGroup(IntPtr handle, string backend, int rank, int worldSize, string masterAddress, int masterPort, TimeSpan timeout)
    {
        this.handle = handle;
        Backend = backend;
        Rank = rank;
        WorldSize = worldSize;
        MasterAddress = masterAddress;
        MasterPort = masterPort;
        Timeout = timeout;
    }

    public string Backend { get; }
    public int Rank { get; }
    public int WorldSize { get; }
    public string MasterAddress { get; }
    public int MasterPort { get; }
    public TimeSpan Timeout { get; }

    /// <summary>Whether this shim was built with the backend ("gloo", "nccl").</summary>
    public static unsafe bool HasBackend(string backend)
    {
        fixed (byte* name = Utf8(backend)) return gs_dist_has_backend(name) == 1;
    }

    /// <summary>
    /// Joins the group: rank 0 opens the store on <paramref name="masterAddress"/>:<paramref name="masterPort"/>,
    /// the others connect to it, and every rank waits for all <paramref name="worldSize"/> of them; one that
    /// does not come within <paramref name="timeout"/> is named in the error. Under torchrun's agent
    /// (<paramref name="agentHostsStore"/>) the agent hosts the store and every rank connects to it; the keys
    /// then go under <paramref name="keyPrefix"/> (one prefix per restart, as PyTorch's own rendezvous does).
    /// </summary>
    public static unsafe ProcessGroup Join(string backend, string masterAddress, int masterPort, int rank, int worldSize, TimeSpan timeout,
        bool agentHostsStore = false, string keyPrefix = "")
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "the timeout must be positive");
        IntPtr group;
        fixed (byte* name = Utf8(backend))
        fixed (byte* address = Utf8(masterAddress))
        fixed (byte* prefix = Utf8(keyPrefix))
            group = gs_dist_init(name, address, masterPort, rank, worldSize, (long)timeout.TotalMilliseconds, agentHostsStore ? 1 : 0, prefix);
        if (group == IntPtr.Zero) throw new DistributedException(LastError().Message);
        return new ProcessGroup(group, backend, rank, worldSize, masterAddress, masterPort, timeout);
    }

    /// <summary>Joins the group the torchrun variables describe (<see cref="TorchrunEnvironment"/>).</summary>
    public static ProcessGroup Join(TorchrunEnvironment environment, string backend, TimeSpan timeout) =>
        Join(backend, environment.MasterAddress, environment.MasterPort, environment.Rank, environment.WorldSize, timeout,
            environment.AgentHostsStore, environment.AgentHostsStore ? $"/worker/attempt_{environment.RestartCount}/" : "");

    /// <summary>Combines <paramref name="tensor"/> across the ranks, in place (every rank ends with the result).</summary>
    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) =>
        Collective("all_reduce", gs_dist_all_reduce(Handle, tensor.Handle, (int)op));

    /// <summary>Copies <paramref name="root"/>'s <paramref name="tensor"/> into every rank's, in place.</summary>
    public void Broadcast(Tensor tensor, int root = 0) =>
        Collective("broadcast", gs_dist_broadcast(Handle, tensor.Handle, root));

    /// <summary>Every rank's <paramref name="tensor"/>, in rank order (the caller disposes them).</summary>
    public unsafe Tensor[] AllGather(Tensor tensor)
    {
        var outputs = Enumerable.Range(0, WorldSize).Select(_ => torch.empty(tensor.shape, tensor.dtype, tensor.device)).ToArray();
        var handles = outputs.Select(o => o.Handle).ToArray();
        int status;
        fixed (IntPtr* p = handles) status = gs_dist_all_gather(Handle, tensor.Handle, p, WorldSize);
        if (status < 0)
        {
            foreach (var o in outputs) o.Dispose();
            Collective("all_gather", status);
        }
        return outputs;
    }

    /// <summary>Returns once every rank has called it.</summary>
    public void Barrier() => Collective("barrier", gs_dist_barrier(Handle));

    /// <summary>Records in the store that this rank reached <paramref name="step"/> (read back when a collective fails).</summary>
    public void MarkProgress(long step)
    {
        progress = step;
        SetValue(ProgressKey(Rank), step.ToString(CultureInfo.InvariantCulture));
    }

    public unsafe void SetValue(string key, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        fixed (byte* k = Utf8(key))
        fixed (byte* v = bytes)
            if (gs_dist_store_set(Handle, k, v, bytes.Length) < 0) throw new DistributedException(StoreGone(LastError().Message));
    }

    /// <summary>The key's value in the store, or null when no rank has set it.</summary>
    public unsafe string? GetValue(string key)
    {
        var buffer = new byte[256];
        long length;
        fixed (byte* k = Utf8(key))
        fixed (byte* v = buffer)
            length = gs_dist_store_get(Handle, k, v, buffer.Length);
        if (length == -2) return null;
        if (length < 0) throw new DistributedException(StoreGone(LastError().Message));
        if (length > buffer.Length) throw new DistributedException($"the store's value of {key} is longer than {buffer.Length} bytes");
        return Encoding.UTF8.GetString(buffer, 0, (int)length);
    }

    private void Collective(string what, int status)
    {
        if (status >= 0) return;
        var cause = LastError().Message;
        throw new DistributedException($"{what} failed on rank {Rank} of {WorldSize} (timeout {Timeout.TotalSeconds:G4} s): {Behind()}. libtorch said: {cause}");
    }

    // Which ranks had not reached this rank's step when it failed, as their store keys tell.
    private string Behind()
    {
        try
        {
            if (progress < 0) return "a rank did not answer";
            var behind = new List<string>();
            for (var r = 0; r < WorldSize; r++)
            {
                if (r == Rank) continue;
                var value = GetValue(ProgressKey(r));
                var step = value is null ? -1 : long.Parse(value, CultureInfo.InvariantCulture);
                if (step < progress) behind.Add(value is null ? $"rank {r} (no step recorded)" : $"rank {r} (last at step {step})");
            }
            return behind.Count > 0
                ? $"at step {progress}, {string.Join(", ", behind)} did not answer"
                : $"at step {progress}, every rank had got there; one of them failed inside the collective";
        }
        catch (DistributedException gone)
        {
            return gone.Message;
        }
    }

    private string StoreGone(string cause) =>
        $"rank 0's store at {MasterAddress}:{MasterPort} does not answer (rank 0 is gone or unreachable): {cause}";

    private static string ProgressKey(int rank) => "gnnsim/progress/" + rank.ToString(CultureInfo.InvariantCulture);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text + "\0");

    private IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(ProcessGroup));

    public void Dispose()
    {
        if (handle == IntPtr.Zero) return;
        gs_dist_destroy(handle);
        handle = IntPtr.Zero;
    }
}
