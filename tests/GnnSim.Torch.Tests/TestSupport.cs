using System.Diagnostics;

// libtorch's seed, grad mode per thread and the live-tensor count are process-wide: run tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace GnnSim.Torch.Tests;

internal static class TestSupport
{
    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    public static void Close(IReadOnlyList<float> expected, Tensor actual, double tolerance = 1e-5) =>
        Close(expected.Select(v => (double)v).ToArray(), actual.to(ScalarType.Float64).ToArray<double>(), tolerance);

    public static double[] Values(Tensor t) => t.to(ScalarType.Float64).ToArray<double>();

    /// <summary>
    /// Compares autograd's gradient of L(x) = sum(f(x) * w) (w fixed random weights) with central
    /// finite differences in float64.
    /// </summary>
    public static void GradientMatchesFiniteDifferences(double[] x0, long[] shape, Func<Tensor, Tensor> f, double tolerance = 1e-6)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(x0, shape).requires_grad_();
        var y = f(x);
        var random = new Random(7);
        var weights = torch.tensor(Enumerable.Range(0, (int)y.numel()).Select(_ => random.NextDouble() - 0.5).ToArray(), y.shape);
        (y * weights).sum().backward();
        var analytic = x.grad!.ToArray<double>();

        const double h = 1e-6;
        double Loss(double[] values)
        {
            using var inner = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            return (f(torch.tensor(values, shape)) * weights).sum().item();
        }
        var numeric = new double[x0.Length];
        for (var i = 0; i < x0.Length; i++)
        {
            var plus = (double[])x0.Clone();
            var minus = (double[])x0.Clone();
            plus[i] += h;
            minus[i] -= h;
            numeric[i] = (Loss(plus) - Loss(minus)) / (2 * h);
        }
        Close(numeric, analytic, tolerance);
    }

    /// <summary>Debian's Python with its torch (python3-torch, installed by setup.sh); PATH may hold another python3.</summary>
    public const string DebianPython = "/usr/bin/python3";

    public static string RunPython(string script)
    {
        var info = new ProcessStartInfo(DebianPython) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "python did not finish in 2 minutes");
        Assert.True(process.ExitCode == 0, $"python failed: {error.Result}");
        return output.Result;
    }
}
