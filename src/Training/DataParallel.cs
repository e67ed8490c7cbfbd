using System.Diagnostics;
using GnnSim.Torch;
using GnnSim.Torch.Distributed;
using GnnSim.Torch.Modules;
using GnnSim.Training.Objectives;

namespace GnnSim.Training;

/// <summary>
/// What PyTorch's DistributedDataParallel does for the trainer, over a c10d <see cref="ProcessGroup"/>:
/// rank 0's weights and buffers broadcast at the start, gradients averaged after every backward in
/// flattened buckets (one all-reduce per bucket, DDP's 25 MB default), and the online normalizers'
/// batch sums all-reduced before they are added, so every rank normalizes alike. Every rank holds the
/// whole model and optimizer; with the same gradients, they stay identical step after step.
/// The buckets' flat buffers are made once and reused every step. Dispose to free them.
/// </summary>
public sealed class DataParallel : IDisposable
{
    /// <summary>DDP's default bucket size (bucket_cap_mb = 25).</summary>
    public const long DefaultBucketBytes = 25L << 20;

    private readonly Module module;
    private readonly Tensor[] parameters;
    // Where the collectives' own small tensors live: NCCL reduces only CUDA tensors, Gloo CPU ones.
    private readonly Device device;
    private readonly List<Bucket> buckets = [];

    /// <summary>Parameters First to First + Count - 1, their gradients laid end to end in Flat.</summary>
    private sealed record Bucket(int First, int Count, Tensor Flat);

    /// <summary>Data parallelism for <paramref name="module"/> (the trainer's: the <see cref="LearnedSimulator"/>) on <paramref name="group"/>.</summary>
    public DataParallel(ProcessGroup group, Module module, long bucketBytes = DefaultBucketBytes)
    {
        Group = group;
        this.module = module;
        parameters = module.parameters().ToArray();
        device = parameters.Length > 0 ? parameters[0].device : Device.CPU;
        // Buckets of consecutive parameters of one dtype, each at most bucketBytes (a larger parameter alone).
        var first = 0;
        long bytes = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            var size = parameters[i].numel() * parameters[i].element_size();
            if (i > first && (bytes + size > bucketBytes || parameters[i].dtype != parameters[first].dtype))
            {
                AddBucket(first, i - first);
                (first, bytes) = (i, 0);
            }
            bytes += size;
        }
        if (parameters.Length > first) AddBucket(first, parameters.Length - first);
        foreach (var normalizer in Modules(module).OfType<OnlineNormalizer>()) normalizer.Group = group;
    }

    private void AddBucket(int first, int count)
    {
        var elements = parameters.AsSpan(first, count).ToArray().Sum(p => p.numel());
        buckets.Add(new Bucket(first, count, torch.zeros([elements], parameters[first].dtype, device).DetachFromDisposeScope()));
    }

    public ProcessGroup Group { get; }
    public int BucketCount => buckets.Count;

    /// <summary>Wall-clock seconds spent in the gradient all-reduces so far (waiting for slower ranks included).</summary>
    public double GradientReduceSeconds { get; private set; }

    /// <summary>Copies rank 0's parameters and buffers into every rank's (run once, before the first step).</summary>
    public void BroadcastState()
    {
        using var noGrad = torch.no_grad();
        foreach (var (_, tensor) in module.state_dict()) Group.Broadcast(tensor, root: 0);
    }

    /// <summary>
    /// Replaces every gradient by its mean over the ranks. A parameter no rank has a gradient for keeps none
    /// (the optimizer skips it, as in one process); one that only some ranks have counts zero on the others.
    /// </summary>
    public void AverageGradients()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var clock = Stopwatch.StartNew();
        var present = torch.tensor(parameters.Select(p => p.grad is null ? 0f : 1f).ToArray()).to(device);
        Group.AllReduce(present);
        var anyRank = present.ToArray<float>();
        var scale = 1.0 / Group.WorldSize;
        foreach (var (first, count, flat) in buckets)
        {
            long offset = 0;
            for (var i = first; i < first + count; i++)
            {
                var n = parameters[i].numel();
                var part = flat.narrow(0, offset, n);
                if (parameters[i].grad is { } grad) part.copy_(grad.reshape(-1));
                else part.zero_();
                offset += n;
            }
            Group.AllReduce(flat);
            flat.mul_(scale);
            offset = 0;
            for (var i = first; i < first + count; i++)
            {
                var p = parameters[i];
                var n = p.numel();
                if (anyRank[i] > 0)
                {
                    var mean = flat.narrow(0, offset, n).view(p.shape);
                    if (p.grad is { } grad) grad.copy_(mean);
                    else p.grad = mean.clone();
                }
                offset += n;
            }
        }
        GradientReduceSeconds += clock.Elapsed.TotalSeconds;
    }

    /// <summary>The ranks' mean loss, and whether any rank asked to stop (so that all stop at the same step).</summary>
    public (double MeanLoss, bool Stop) Agree(double loss, bool stop)
    {
        using var scope = torch.NewDisposeScope();
        var both = torch.tensor(new[] { loss, stop ? 1.0 : 0.0 }).to(device);
        Group.AllReduce(both);
        var values = both.ToArray<double>();
        return (values[0] / Group.WorldSize, values[1] > 0);
    }

    /// <summary>Whether any rank says so: a step that went bad on one rank is skipped on all.</summary>
    public bool AnyRank(bool flag)
    {
        using var scope = torch.NewDisposeScope();
        var value = torch.tensor(new[] { flag ? 1.0 : 0.0 }).to(device);
        Group.AllReduce(value);
        return value.ToArray<double>()[0] > 0;
    }

    private static IEnumerable<Module> Modules(Module root) =>
        root.named_children().SelectMany(c => Modules(c.module)).Prepend(root);

    public void Dispose()
    {
        foreach (var bucket in buckets) bucket.Flat.Dispose();
    }
}
