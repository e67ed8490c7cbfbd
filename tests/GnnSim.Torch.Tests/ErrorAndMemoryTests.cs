using GnnSim.Torch.Modules;
using GnnSim.Torch.Optimizers;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Torch.Tests;

public class ErrorAndMemoryTests
{
    [Fact]
    public void ShapeMismatchesThrowWithLibtorchsMessageAndTheProcessLivesOn()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.zeros(2, 3);
        var e = Assert.Throws<TorchException>(() => a.mm(torch.zeros(2, 3)));
        Assert.Contains("cannot be multiplied", e.Message);
        Assert.DoesNotContain("Exception raised from", e.Message); // no C++ backtrace
        Assert.Throws<TorchException>(() => a + torch.zeros(4));
        Assert.Throws<TorchException>(() => a.view(4, 2));
        Assert.Throws<TorchException>(() => a.index_select(0, torch.tensor(new long[] { 5 })));
        Assert.Throws<TorchException>(() => torch.cat([a, torch.zeros(2, 4)], 0));
        Assert.Throws<TorchException>(() => a.sum(5));
        Assert.Throws<TorchException>(() => torch.zeros(2).index_add(0, torch.tensor(new[] { 0.5f }), torch.ones(1)));
        Assert.Throws<TorchException>(() => torch.zeros(3).backward()); // does not require grad
        // still fine afterwards
        Assert.Equal(6.0, (a + 1.0).sum().item());
    }

    [Fact]
    public void DtypeDeviceAndIndexErrorsThrowAndTheProcessLivesOn()
    {
        using var scope = torch.NewDisposeScope();
        var floats = torch.ones(2, 2);
        var longs = torch.tensor(new long[] { 1, 2, 3, 4 }).view(2, 2);
        // dtype: libtorch's matrix product does not mix float and long
        Assert.Contains("Long", Assert.Throws<TorchException>(() => floats.mm(longs)).Message, StringComparison.OrdinalIgnoreCase);
        // index out of range, through gather and scatter as well as index_select
        Assert.Throws<TorchException>(() => floats.gather(1, torch.tensor(new long[] { 0, 7, 0, 0 }).view(2, 2)));
        Assert.Throws<TorchException>(() => torch.zeros(3).index_add(0, torch.tensor(new long[] { 3 }), torch.ones(1)));
        // device: a CPU build has no CUDA device to move to
        if (!torch.cuda.is_available())
            Assert.Contains("CUDA", Assert.Throws<TorchException>(() => floats.to(new Device(DeviceType.CUDA, 0))).Message);
        // still fine afterwards
        Assert.Equal(4.0, floats.sum().item());
        Assert.Equal(10, longs.sum().item_long());
    }

    [Fact]
    public void ADisposedTensorCannotBeUsed()
    {
        var t = torch.ones(2);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.sum());
        t.Dispose(); // twice is harmless
    }

    [Fact]
    public void DisposeScopesFreeTemporariesAndKeepWhatIsMovedOut()
    {
        var before = torch.live_tensor_count();
        Tensor kept;
        using (var outer = torch.NewDisposeScope())
        {
            using (var inner = torch.NewDisposeScope())
            {
                var x = torch.ones(3);
                var y = x * 2.0 + 1.0;
                kept = y.MoveToOuterDisposeScope();
                Assert.Equal(2, inner.Count); // x and x * 2; y left with MoveToOuter
            }
            Assert.False(kept.IsDisposed);
            Assert.Equal(before + 1, torch.live_tensor_count());
        }
        Assert.True(kept.IsDisposed);
        Assert.Equal(before, torch.live_tensor_count());
    }

    [Fact]
    public void AThousandTrainingStepsInDisposeScopesLeaveNoLiveTensors()
    {
        torch.manual_seed(1);
        using var model = new Sequential(new Linear(8, 32), new ReLU(), new Linear(32, 32), new LayerNorm(32), new Linear(32, 1));
        using var optimizer = new Adam(model.parameters(), lr: 1e-3);
        var schedule = new ExponentialLR(optimizer, 0.999);
        using var x = torch.randn(64, 8);
        using var y = torch.randn(64, 1);
        using var receivers = torch.tensor(Enumerable.Range(0, 64).Select(i => (long)(i % 16)).ToArray());

        // unreachable tensors of earlier tests would be finalized during the loop and skew the count
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = torch.live_tensor_count();
        for (var step = 0; step < 1000; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var h = model.forward(x);
            var pooled = torch.scatter_sum(h, receivers, 16).index_select(0, receivers);
            var attention = torch.segment_softmax(h, receivers, 16);
            var loss = F.mse_loss(h + 0.1 * pooled * attention, y);
            loss.backward();
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
            schedule.step();
            _ = model.parameters().First().grad; // a handle to a gradient, freed by the scope
        }
        Assert.Equal(before, torch.live_tensor_count());
    }
}
