using GnnSim.Torch.Modules;
using GnnSim.Torch.Optimizers;
using static GnnSim.Torch.Tests.TestSupport;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Torch.Tests;

public class AutogradAndModuleTests
{
    [Fact]
    public void BackwardAccumulatesGradientsAndTakesAnOutputGradient()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 1.0, 2.0, 3.0 }).requires_grad_();
        Assert.Null(x.grad);
        (x * x).sum().backward();
        Close([2, 4, 6], Values(x.grad!));
        (x * 3.0).sum().backward(); // accumulates
        Close([5, 7, 9], Values(x.grad!));
        x.grad = null;
        (x * 2.0).backward(torch.tensor(new[] { 1.0, 10.0, 100.0 }));
        Close([2, 20, 200], Values(x.grad!));
    }

    [Fact]
    public void NoGradStopsRecordingAndRestoresTheMode()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones([2], requires_grad: true);
        Assert.True((x * 2.0).requires_grad);
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            Assert.False((x * 2.0).requires_grad);
        }
        Assert.True(torch.is_grad_enabled());
        Assert.False((x * 2.0).detach().requires_grad);
    }

    [Fact]
    public void ModulesNameTheirParametersLikePytorch()
    {
        using var model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2), new LayerNorm(2));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"], model.named_parameters().Select(p => p.name));
        Assert.Equal(3 * 4 + 4 + 4 * 2 + 2 + 2 + 2, model.parameter_count());
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
        var list = new ModuleList<Linear>([new Linear(2, 2), new Linear(2, 2, hasBias: false)]);
        Assert.Equal(["0.weight", "0.bias", "1.weight"], list.named_parameters().Select(p => p.name));
        list.Dispose();
    }

    [Fact]
    public void AnOutputWatchSeesEveryCalledLayerInnermostFirstUntilDisposed()
    {
        using var inner = new Sequential(new Linear(3, 4), new ReLU());
        using var model = new Sequential(inner, new Linear(4, 2));
        Assert.Equal(["0", "0.0", "0.1", "1"], model.named_modules().Select(m => m.name));
        using var x = torch.ones(5, 3);
        var seen = new List<(Module Module, long[] Shape)>();
        using (Module.WatchOutputs((module, output) => seen.Add((module, ((Tensor)output!).shape))))
            model.call(x).Dispose();
        Assert.Equal<Module>([inner[0], inner[1], inner, model[1], model], seen.Select(s => s.Module));
        Assert.Equal([5L, 4], seen[0].Shape);
        Assert.Equal([5L, 2], seen[^1].Shape);
        model.call(x).Dispose(); // the watch ended with its scope
        Assert.Equal(5, seen.Count);
    }

    [Fact]
    public void LinearInitializationFollowsPytorchBounds()
    {
        using var layer = new Linear(100, 50);
        var bound = 1 / Math.Sqrt(100);
        Assert.InRange(layer.weight.abs().max().item(), 0.9 * bound, bound);
        Assert.InRange(layer.bias!.abs().max().item(), 0.5 * bound, bound);
        Assert.Equal([50L, 100L], layer.weight.shape);
    }

    [Fact]
    public void LoadStateDictCopiesValuesAndRefusesWhatDoesNotFit()
    {
        using var a = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
        using var b = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(5, 3);
        b.load_state_dict(a.state_dict());
        Assert.Equal(a.forward(x).ToArray<float>(), b.forward(x).ToArray<float>());

        var missing = a.state_dict();
        missing.Remove("2.bias");
        Assert.Contains("missing [2.bias]", Assert.Throws<ArgumentException>(() => b.load_state_dict(missing)).Message);
        b.load_state_dict(missing, strict: false);

        using var wide = new Sequential(new Linear(3, 5), new ReLU(), new Linear(5, 2));
        Assert.Contains("shape", Assert.Throws<ArgumentException>(() => b.load_state_dict(wide.state_dict())).Message);
    }

    [Fact]
    public void EvalModeTurnsDropoutOffAndToKeepsParameterIdentity()
    {
        using var model = new Sequential(new Dropout(0.5));
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(1000);
        Assert.Contains(0f, model.forward(x).ToArray<float>());
        model.eval();
        Assert.False(model.training);
        Assert.Equal(x.ToArray<float>(), model.forward(x).ToArray<float>());

        using var layer = new Linear(2, 2);
        var weight = layer.weight;
        layer.to(Device.CPU);
        Assert.Same(weight, layer.parameters().First());
        Assert.True(weight.requires_grad);
    }

    /// <summary>A module with a buffer: saved and loaded with the state, never trained.</summary>
    private sealed class Shift : Module<Tensor, Tensor>
    {
        public Shift()
        {
            offset = RegisterBuffer(nameof(offset), torch.zeros(3));
            layer = RegisterModule(nameof(layer), new Linear(3, 3));
        }

        public Tensor offset { get; }
        private readonly Linear layer;

        public override Tensor forward(Tensor input) => layer.forward(input) + offset;
    }

    [Fact]
    public void BuffersTravelInTheStateDictButAreNotParameters()
    {
        using var a = new Shift();
        using var b = new Shift();
        using (torch.no_grad()) a.offset.fill_(2.5);
        Assert.Equal(["layer.weight", "layer.bias"], a.named_parameters().Select(p => p.name));
        Assert.Equal(["layer.weight", "layer.bias", "offset"], a.state_dict().Keys);
        b.load_state_dict(a.state_dict());
        Assert.Equal(new[] { 2.5f, 2.5f, 2.5f }, b.offset.ToArray<float>());
        Assert.False(b.offset.requires_grad);
    }

    [Fact]
    public void DevicesParseAndAMissingGpuIsAnErrorNotACrash()
    {
        Assert.Equal(Device.CUDA(1), Device.Parse("cuda:1"));
        Assert.Equal(Device.CUDA(0), Device.Parse("CUDA"));
        Assert.Equal(Device.CPU, Device.Parse("cpu"));
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
        Assert.Equal(torch.cuda.device_count() > 0, torch.cuda.is_available());
        if (torch.cuda.is_available()) return;
        using var t = torch.ones(2);
        Assert.Throws<TorchException>(() => t.to(Device.CUDA()));
    }

    [Fact]
    public void EmbeddingLooksUpRows()
    {
        using var table = new Embedding(5, 3);
        using var scope = torch.NewDisposeScope();
        var rows = table.forward(torch.tensor(new long[] { 4, 0, 4 }));
        var all = table.weight.ToArray<float>();
        Assert.Equal(all.Skip(12).Take(3).Concat(all.Take(3)).Concat(all.Skip(12).Take(3)), rows.ToArray<float>());
    }

    [Fact]
    public void MlpLearnsASmooth2dFunction()
    {
        torch.manual_seed(0);
        using var model = new Sequential(new Linear(2, 64), new Tanh(), new Linear(64, 64), new Tanh(), new Linear(64, 1));
        using var optimizer = new Adam(model.parameters(), lr: 1e-2);
        var schedule = new ExponentialLR(optimizer, ExponentialLR.GammaFor(0.1, 1500));

        // f(x, y) = sin(pi x) cos(pi y) on a 24 x 24 grid over [-1, 1]^2
        var points = new List<float>();
        var values = new List<float>();
        for (var i = 0; i < 24; i++)
        for (var j = 0; j < 24; j++)
        {
            var x = -1 + 2 * i / 23.0;
            var y = -1 + 2 * j / 23.0;
            points.AddRange([(float)x, (float)y]);
            values.Add((float)(Math.Sin(Math.PI * x) * Math.Cos(Math.PI * y)));
        }
        using var inputs = torch.tensor(points.ToArray(), values.Count, 2);
        using var targets = torch.tensor(values.ToArray(), values.Count, 1);

        double Loss()
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            return F.mse_loss(model.forward(inputs), targets).item();
        }

        var initial = Loss();
        for (var step = 0; step < 1500; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            F.mse_loss(model.forward(inputs), targets).backward();
            optimizer.step();
            schedule.step();
        }
        var final = Loss();
        Assert.True(final < initial / 100, $"loss fell from {initial} to {final}, less than 100x");
    }

    [Fact]
    public void AutocastRunsLinearLayersInBfloat16AndRestoresFloat32()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var layer = new Linear(8, 4);
        var x = torch.randn(5, 8);
        var exact = layer.forward(x);
        Tensor low;
        using (torch.autocast(Device.CPU)) low = layer.forward(x);
        Assert.Equal(ScalarType.BFloat16, low.dtype);
        Assert.Equal(ScalarType.Float32, layer.forward(x).dtype); // off again
        // bfloat16 keeps 8 bits of mantissa: close to the float32 product, not equal to it.
        var difference = (low.to(ScalarType.Float32) - exact).abs().max().item();
        Assert.InRange(difference, 1e-6, 0.05 * exact.abs().max().item());
        low.to(ScalarType.Float32).sum().backward(); // the backward runs outside, through the casts
        Assert.Equal(ScalarType.Float32, layer.weight.grad!.dtype);
        Assert.Throws<ArgumentException>(() => torch.autocast(Device.CPU, ScalarType.Float64));
    }
}
