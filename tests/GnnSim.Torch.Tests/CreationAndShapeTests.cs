using static GnnSim.Torch.Tests.TestSupport;

namespace GnnSim.Torch.Tests;

public class CreationAndShapeTests
{
    [Fact]
    public void FactoriesFillShapeDtypeAndValues()
    {
        using var scope = torch.NewDisposeScope();
        var z = torch.zeros(2, 3);
        Assert.Equal([2L, 3L], z.shape);
        Assert.Equal(ScalarType.Float32, z.dtype);
        Assert.Equal(Device.CPU.Type, z.device.Type);
        Assert.All(z.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(torch.ones([4], ScalarType.Float64).ToArray<double>(), v => Assert.Equal(1.0, v));
        Assert.All(torch.full([2, 2], 7, ScalarType.Int32).ToArray<int>(), v => Assert.Equal(7, v));
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, torch.arange(5).ToArray<long>());
        Close([0.5, 1.0, 1.5], Values(torch.arange(0.5, 2.0, 0.5)));
        Assert.Equal([2L, 5L], torch.empty([2, 5]).shape);
        Assert.Equal(ScalarType.Bool, torch.tensor(new[] { true, false }).dtype);
        Assert.Equal(new[] { true, false }, torch.tensor(new[] { true, false }).ToArray<bool>());
    }

    [Fact]
    public void ArraysRoundTripForEveryDtype()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new[] { 1.5f, -2f, 3f, 4f }, torch.tensor(new[] { 1.5f, -2f, 3f, 4f }, 2, 2).ToArray<float>());
        Assert.Equal(new[] { 1e-300, 2.0 }, torch.tensor(new[] { 1e-300, 2.0 }).ToArray<double>());
        Assert.Equal(new[] { long.MaxValue, -1L }, torch.tensor(new[] { long.MaxValue, -1L }).ToArray<long>());
        Assert.Equal(new[] { int.MinValue, 5 }, torch.tensor(new[] { int.MinValue, 5 }).ToArray<int>());
        Assert.Equal(3.0, torch.scalar_tensor(3).item());
        Assert.Equal(long.MaxValue, torch.tensor(new[] { long.MaxValue }).item_long());
    }

    [Fact]
    public void WrongSizesAndDtypesAreRefusedClearly()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => torch.tensor(new[] { 1f, 2f, 3f }, 2, 2));
        Assert.Contains("do not fill", e.Message);
        Assert.Throws<ArgumentException>(() => torch.zeros(2).ToArray<double>());
    }

    [Fact]
    public void SeededRandomDrawsRepeatAndHaveTheRightMoments()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(42);
        var a = torch.randn([100_000], ScalarType.Float64);
        torch.manual_seed(42);
        var b = torch.randn([100_000], ScalarType.Float64);
        Assert.Equal(a.ToArray<double>(), b.ToArray<double>());
        Assert.InRange(a.mean().item(), -0.02, 0.02);
        Assert.InRange(a.std().item(), 0.98, 1.02);
        var u = torch.rand([100_000], ScalarType.Float64);
        Assert.InRange(u.min().item(), 0.0, 0.001);
        Assert.InRange(u.max().item(), 0.999, 1.0);
        Assert.InRange(u.mean().item(), 0.49, 0.51);
    }

    [Fact]
    public void RngStateRestoresTheSequence()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var state = torch.get_rng_state();
        var first = torch.rand(10).ToArray<float>();
        torch.set_rng_state(state);
        Assert.Equal(first, torch.rand(10).ToArray<float>());
    }

    [Fact]
    public void RandomIntsCoverTheirRangeEvenlyAndRepeatWithTheSeed()
    {
        torch.manual_seed(5);
        var draws = Enumerable.Range(0, 3000).Select(_ => torch.random_int(3)).ToArray();
        torch.manual_seed(5);
        Assert.Equal(draws, Enumerable.Range(0, 3000).Select(_ => torch.random_int(3)));
        Assert.All(Enumerable.Range(0, 3), value => Assert.InRange(draws.Count(d => d == value), 900, 1100));
        Assert.Equal(0, torch.random_int(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => torch.random_int(0));
    }

    [Fact]
    public void ViewsReorderAndSelectElements()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(6).view(2, 3); // [[0,1,2],[3,4,5]]
        Assert.Equal(new long[] { 0, 3, 1, 4, 2, 5 }, x.t().contiguous().ToArray<long>());
        Assert.Equal(new long[] { 0, 3, 1, 4, 2, 5 }, x.permute(1, 0).reshape(-1).ToArray<long>());
        Assert.Equal([3L, 2L], x.transpose(0, 1).shape);
        Assert.Equal([2L, 1L, 3L], x.unsqueeze(1).shape);
        Assert.Equal([2L, 3L], x.unsqueeze(1).squeeze().shape);
        Assert.Equal([1L, 3L], torch.zeros(1, 1, 3).squeeze(0).shape);
        Assert.Equal(new long[] { 1, 2, 4, 5 }, x.narrow(1, 1, 2).contiguous().ToArray<long>());
        Assert.Equal(new long[] { 0, 2, 3, 5 }, x.slice(1, 0, 3, 2).contiguous().ToArray<long>());
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 2 }, torch.arange(3).view(1, 3).expand(2, 3).contiguous().ToArray<long>());
        Assert.Equal([6L], x.flatten().shape);
        Assert.Equal(2, x.dim());
        Assert.Equal(3, x.size(-1));
        Assert.Equal(6, x.numel());
    }

    [Fact]
    public void JoinsAndSplitsAreInverse()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new[] { 1f, 2f }, 1, 2);
        var b = torch.tensor(new[] { 3f, 4f }, 1, 2);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, torch.cat([a, b], 0).ToArray<float>());
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, torch.cat([a, b], 1).ToArray<float>());
        Assert.Equal([2L, 1L, 2L], torch.stack([a, b]).shape);
        var parts = torch.arange(7).split(3);
        Assert.Equal(new[] { 3L, 3L, 1L }, parts.Select(p => p.numel()).ToArray());
        Assert.Equal(new long[] { 6 }, parts[2].ToArray<long>());
        var chunks = torch.arange(10).chunk(3);
        Assert.Equal(new[] { 4L, 4L, 2L }, chunks.Select(p => p.numel()).ToArray());
        Assert.Equal(torch.arange(10).ToArray<long>(), torch.cat(chunks).ToArray<long>());
    }
}
