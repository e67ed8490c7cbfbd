using static GnnSim.Torch.Tests.TestSupport;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Torch.Tests;

public class MathTests
{
    [Fact]
    public void ArithmeticBroadcastsRowsAgainstColumns()
    {
        using var scope = torch.NewDisposeScope();
        var column = torch.tensor(new[] { 1f, 2f }, 2, 1);
        var row = torch.tensor(new[] { 10f, 20f, 30f }, 1, 3);
        Assert.Equal(new[] { 11f, 21f, 31f, 12f, 22f, 32f }, (column + row).ToArray<float>());
        Assert.Equal(new[] { -9f, -19f, -29f, -8f, -18f, -28f }, (column - row).ToArray<float>());
        Assert.Equal(new[] { 10f, 20f, 30f, 20f, 40f, 60f }, (column * row).ToArray<float>());
        Assert.Equal(new[] { 0.5f, 1f }, (column / 2.0).ToArray<float>());
        Assert.Equal(new[] { 2f, 1f }, (2.0 / column).ToArray<float>());
        Assert.Equal(new[] { 0f, -1f }, (1 - column).ToArray<float>());
        Assert.Equal(new[] { -1f, -2f }, (-column).ToArray<float>());
        Assert.Equal(new[] { 1f, 0f }, (torch.tensor(new[] { 3f, 4f }) % 2).ToArray<float>());
    }

    [Fact]
    public void ScalarsPromoteLikePythonNumbers()
    {
        using var scope = torch.NewDisposeScope();
        var f = torch.ones(2);
        var i = torch.arange(3);
        Assert.Equal(ScalarType.Float32, (f * 2.0).dtype);
        Assert.Equal(ScalarType.Float32, (f * 2).dtype);
        Assert.Equal(ScalarType.Int64, (i * 2).dtype);
        Assert.Equal(new long[] { 0, 2, 4 }, (i * 2).ToArray<long>());
        Assert.Equal(ScalarType.Float32, (i * 2.5).dtype);
        Assert.Equal(ScalarType.Float64, (torch.ones([2], ScalarType.Float64) + 1).dtype);
    }

    [Fact]
    public void UnaryFunctionsMatchTheirFormulas()
    {
        using var scope = torch.NewDisposeScope();
        double[] x = [-2.0, -0.5, 0.25, 3.0];
        var t = torch.tensor(x);
        Close(x.Select(Math.Abs).ToArray(), Values(t.abs()));
        Close(x.Select(v => -v).ToArray(), Values(t.neg()));
        Close(x.Select(Math.Exp).ToArray(), Values(t.exp()));
        Close(x.Select(v => v * v).ToArray(), Values(t.square()));
        Close(x.Select(v => Math.Pow(v, 3)).ToArray(), Values(t.pow(3)));
        Close(x.Select(Math.Tanh).ToArray(), Values(t.tanh()));
        Close(x.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(), Values(t.sigmoid()));
        var positive = torch.tensor(new[] { 0.25, 4.0 });
        Close([0.5, 2.0], Values(positive.sqrt()));
        Close([Math.Log(0.25), Math.Log(4.0)], Values(positive.log()));
        Close([2.0, 0.5], Values(positive.rsqrt()));
        Close([-0.5, -0.5, 0.25, 1.0], Values(t.clamp(-0.5, 1.0)));
        Close([0.1, 0.1, 0.25, 3.0], Values(t.clamp_min(0.1)));
        Close([-2.0, -0.5, 0.0, 0.0], Values(t.clamp_max(0.0)));
    }

    [Fact]
    public void ActivationsMatchTheirDefinitions()
    {
        using var scope = torch.NewDisposeScope();
        double[] x = [-2.0, -0.5, 0.0, 0.7, 3.0];
        var t = torch.tensor(x);
        static double Erf(double v)
        {
            // Abramowitz-Stegun 7.1.26 is too coarse for 1e-6; integrate the series instead.
            double sum = 0, term = v;
            for (var n = 0; n < 60; n++)
            {
                sum += term / (2 * n + 1);
                term *= -v * v / (n + 1);
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        Close(x.Select(v => Math.Max(v, 0)).ToArray(), Values(t.relu()));
        Close(x.Select(v => 0.5 * v * (1 + Erf(v / Math.Sqrt(2)))).ToArray(), Values(t.gelu()));
        Close(x.Select(v => v / (1 + Math.Exp(-v))).ToArray(), Values(t.silu()));
        Close(x.Select(v => v > 0 ? v : 0.2 * v).ToArray(), Values(t.leaky_relu(0.2)));
        Close(x.Select(v => v > 0 ? v : 1.5 * (Math.Exp(v) - 1)).ToArray(), Values(t.elu(1.5)));
        const double alpha = 1.6732632423543772, lambda = 1.0507009873554805;
        Close(x.Select(v => lambda * (v > 0 ? v : alpha * (Math.Exp(v) - 1))).ToArray(), Values(t.selu()));
    }

    [Fact]
    public void SoftmaxAndLogSoftmaxNormalizeEachRow()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(new[] { 1.0, 2.0, 3.0, 0.0, 0.0, 0.0 }, 2, 3);
        var z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Close([Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z, 1 / 3.0, 1 / 3.0, 1 / 3.0], Values(t.softmax(1)));
        Close([1 - Math.Log(z), 2 - Math.Log(z), 3 - Math.Log(z)], Values(t.log_softmax(1)).Take(3).ToArray());
    }

    [Fact]
    public void ComparisonsWhereAndMaskedFillSelectElements()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new[] { 1f, 5f, 3f });
        var b = torch.tensor(new[] { 2f, 4f, 3f });
        Assert.Equal(new[] { true, false, false }, (a < b).ToArray<bool>());
        Assert.Equal(new[] { false, true, false }, (a > b).ToArray<bool>());
        Assert.Equal(new[] { true, false, true }, (a <= b).ToArray<bool>());
        Assert.Equal(new[] { false, false, true }, a.eq(b).ToArray<bool>());
        Assert.Equal(new[] { true, true, false }, a.ne(b).ToArray<bool>());
        Assert.Equal(new[] { false, true, true }, (a >= 3.0).ToArray<bool>());
        Assert.Equal(new[] { 2f, 5f, 3f }, torch.maximum(a, b).ToArray<float>());
        Assert.Equal(new[] { 1f, 4f, 3f }, torch.minimum(a, b).ToArray<float>());
        Assert.Equal(new[] { 2f, 5f, 3f }, torch.where(a > b, a, b).maximum(b).ToArray<float>());
        Assert.Equal(new[] { 1f, -1f, -1f }, a.masked_fill(a >= 3.0, -1).ToArray<float>());
        Assert.Equal(new[] { false, true, false }, ((a > b) & !(a.eq(b))).ToArray<bool>());
        Assert.Equal(new long[] { 1, 2 }, (a >= 3.0).nonzero().ToArray<long>()); // [K, 1]: the indices of the true elements
        Assert.Equal([2L, 1], (a >= 3.0).nonzero().shape);
    }

    [Fact]
    public void ReductionsRespectDimsAndKeepdim()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(new[] { 1.0, 2.0, 3.0, 4.0, 6.0, 8.0 }, 2, 3);
        Assert.Equal(24.0, t.sum().item());
        Close([5, 8, 11], Values(t.sum(0)));
        Assert.Equal([2L, 1L], t.sum(1, keepdim: true).shape);
        Close([2, 6], Values(t.mean(1)));
        Close([3, 8], Values(t.amax(1)));
        Assert.Equal(1.0, t.min().item());
        Assert.Equal(8.0, t.max().item());
        var (values, indices) = t.max(1);
        Close([3, 8], Values(values));
        Assert.Equal(new long[] { 2, 2 }, indices.ToArray<long>());
        Assert.Equal(new long[] { 0, 0 }, t.min(1).indices.ToArray<long>());
        Assert.Equal(5, t.argmax().item_long());
        Assert.Equal(new long[] { 1, 1, 1 }, t.argmax(0).ToArray<long>());
        Close([1, 4], Values(t.var(1)));               // unbiased: (1+0+1)/2, (4+0+4)/2
        Close([2.0 / 3, 8.0 / 3], Values(t.var(1, unbiased: false)));
        Close([1, 2], Values(t.std(1)));
        Assert.Equal(Math.Sqrt(1 + 4 + 9 + 16 + 36 + 64), t.norm().item(), 9);
        Close([Math.Sqrt(14), Math.Sqrt(116)], Values(t.norm(1)));
        Close([6, 192], Values(t.prod(1)));
        Close([Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3))], Values(t.logsumexp(1)).Take(1).ToArray());
        Assert.Equal(24.0, t.sum(new long[] { 0, 1 }).item());
    }

    [Fact]
    public void MatrixProductsMatchHandValues()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new[] { 1f, 2f, 3f, 4f }, 2, 2);
        var b = torch.tensor(new[] { 5f, 6f, 7f, 8f }, 2, 2);
        Assert.Equal(new[] { 19f, 22f, 43f, 50f }, a.mm(b).ToArray<float>());
        Assert.Equal(new[] { 19f, 22f, 43f, 50f }, a.matmul(b).ToArray<float>());
        var batch = torch.stack([a, b]).bmm(torch.stack([b, a]));
        Assert.Equal(new[] { 19f, 22f, 43f, 50f, 23f, 34f, 31f, 46f }, batch.ToArray<float>());
        var bias = torch.tensor(new[] { 1f, -1f });
        // linear: x W^T + b
        Assert.Equal(new[] { 18f, 22f, 40f, 52f }, F.linear(a, b, bias).ToArray<float>());
    }

    [Fact]
    public void Float32LinearMatchesFloat64LinearWithItsGradients()
    {
        // Debian's libtorch brings oneDNN, and float32 linear layers run their products on its sgemm;
        // float64 stays on at::linear, so this compares the two paths. The weight is a column slice of
        // a wider matrix (the concat trick's case: its rows are not contiguous), the input 3-d.
        Assert.True(F.linear_uses_onednn(), "libtorch's oneDNN was not found in the process");
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var wide = torch.randn([5, 11], ScalarType.Float64);
        var input64 = torch.randn([2, 7, 4], ScalarType.Float64).requires_grad_();
        var weight64 = wide.narrow(1, 3, 4).detach().requires_grad_();
        var bias64 = torch.randn([5], ScalarType.Float64).requires_grad_();
        var outputGradient = torch.randn([2, 7, 5], ScalarType.Float64);
        F.linear(input64, weight64, bias64).backward(outputGradient);

        foreach (var withBias in new[] { true, false })
        {
            var input = input64.detach().@float().requires_grad_();
            var weight = wide.@float().narrow(1, 3, 4).requires_grad_();
            var bias = withBias ? bias64.detach().@float().requires_grad_() : null;
            var output = F.linear(input, weight, bias);
            Assert.Equal(new long[] { 2, 7, 5 }, output.shape);
            var expected = withBias ? F.linear(input64, weight64, bias64) : F.linear(input64, weight64);
            Close(Values(expected), Values(output), 1e-5);
            output.backward(outputGradient.@float());
            Close(Values(input64.grad!), Values(input.grad!), 1e-5);
            Close(Values(weight64.grad!), Values(weight.grad!), 1e-5);
            if (bias is not null) Close(Values(bias64.grad!), Values(bias.grad!), 1e-5);
        }
    }

    [Fact]
    public void Float32ProductsMatchFloat64ProductsWithTheirGradients()
    {
        // mm, bmm and matmul in float32 run on oneDNN's sgemm, float64 on libtorch's; the operands
        // include transposed views (q k^T) and a column slice, which sgemm takes without a copy.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var cases = new (string Name, long[] A, long[] B, Func<Tensor, Tensor, Tensor> Product)[]
        {
            ("mm", [6, 4], [4, 5], (a, b) => a.mm(b)),
            ("mm a b^T", [6, 4], [5, 4], (a, b) => a.mm(b.t())),
            ("mm a^T b", [4, 6], [4, 5], (a, b) => a.t().mm(b)),
            ("mm of a column slice", [6, 9], [4, 5], (a, b) => a.narrow(1, 2, 4).mm(b)),
            ("bmm q k^T", [3, 6, 4], [3, 5, 4], (a, b) => a.bmm(b.transpose(1, 2))),
            ("matmul 3-d by 2-d", [2, 3, 4], [4, 5], (a, b) => a.matmul(b)),
            ("matmul 3-d by 3-d", [2, 3, 4], [2, 4, 5], (a, b) => a.matmul(b)),
        };
        foreach (var (name, aShape, bShape, product) in cases)
        {
            var a64 = torch.randn(aShape, ScalarType.Float64).requires_grad_();
            var b64 = torch.randn(bShape, ScalarType.Float64).requires_grad_();
            var expected = product(a64, b64);
            var outputGradient = torch.randn(expected.shape, ScalarType.Float64);
            expected.backward(outputGradient);

            var a = a64.detach().@float().requires_grad_();
            var b = b64.detach().@float().requires_grad_();
            var output = product(a, b);
            Assert.True(expected.shape.SequenceEqual(output.shape), $"{name}: shape");
            Close(Values(expected), Values(output), 1e-5);
            output.backward(outputGradient.@float());
            Close(Values(a64.grad!), Values(a.grad!), 1e-5);
            Close(Values(b64.grad!), Values(b.grad!), 1e-5);
        }
    }

    [Fact]
    public void TrainingConfigurationGivesTheOpenMPPoolEveryCoreWhenLinearLayersRunOnOneDNN()
    {
        var (intra, blas) = (torch.get_num_threads(), torch.get_blas_threads());
        try
        {
            torch.ConfigureForTraining(2);
            Assert.Equal(2, torch.training_cores);
            Assert.Equal(2, torch.get_num_threads());
            // OpenBLAS keeps the products that are not linear layers, on one thread so that its pool
            // does not spin against OpenMP's (-1: libtorch is not on OpenBLAS at all).
            Assert.Contains(torch.get_blas_threads(), new[] { 1, -1 });
        }
        finally
        {
            torch.set_num_threads(intra);
            if (blas > 0) torch.set_blas_threads(blas);
        }
    }

    [Fact]
    public void LossesReduceSquaredAndAbsoluteDifferences()
    {
        using var scope = torch.NewDisposeScope();
        var prediction = torch.tensor(new[] { 1.0, 2.0, 4.0 });
        var target = torch.tensor(new[] { 1.5, 2.0, 1.0 });
        Assert.Equal((0.25 + 0 + 9) / 3, F.mse_loss(prediction, target).item(), 12);
        Assert.Equal(9.25, F.mse_loss(prediction, target, torch.nn.Reduction.Sum).item(), 12);
        Close([0.25, 0, 9], Values(F.mse_loss(prediction, target, torch.nn.Reduction.None)));
        Assert.Equal(3.5 / 3, F.l1_loss(prediction, target).item(), 12);
        GradientMatchesFiniteDifferences([1.0, 2.0, 4.0], [3], p => F.mse_loss(p, target).view(1));
    }

    [Fact]
    public void LayerNormNormalizesThenScalesAndShifts()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 1.0, 2.0, 3.0, 4.0 }, 1, 4);
        var weight = torch.tensor(new[] { 1.0, 2.0, 1.0, 1.0 });
        var bias = torch.tensor(new[] { 0.0, 0.0, 0.0, 10.0 });
        var mean = 2.5;
        var std = Math.Sqrt((2.25 + 0.25 + 0.25 + 2.25) / 4 + 1e-5);
        Close([(1 - mean) / std, 2 * (2 - mean) / std, (3 - mean) / std, (4 - mean) / std + 10],
            Values(F.layer_norm(x, [4], weight, bias)));
    }

    [Fact]
    public void DropoutZeroesAFractionAndRescalesOnlyWhileTraining()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var x = torch.ones(100_000);
        var dropped = F.dropout(x, 0.3, training: true).ToArray<float>();
        var zeros = dropped.Count(v => v == 0);
        Assert.InRange(zeros / 100_000.0, 0.29, 0.31);
        Assert.All(dropped.Where(v => v != 0), v => Assert.Equal(1 / 0.7f, v, 5));
        Assert.Equal(x.ToArray<float>(), F.dropout(x, 0.3, training: false).ToArray<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => F.dropout(x, 1.5));
    }
}
