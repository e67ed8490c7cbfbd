using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GnnSim.Torch;
using GnnSim.Torch.Modules;
using GnnSim.Torch.Optimizers;
using Spectre.Console;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Cli.Bench;

/// <summary>
/// `gnnsim bench torch`: (1) the binding's overhead on a one-element add, where libtorch does almost
/// nothing and the cost is the call itself; (2) one training step (forward, MSE, backward, Adam) of a
/// MeshGraphNet-size MLP: three Linear(128, 128) layers and a LayerNorm over 60,000 rows. The same
/// measurements run through PyTorch's Python API (bench/torch_bench.py) on the same libtorch, cores
/// and malloc settings, with stock PyTorch's fastest thread split (see <see cref="PythonSide"/>).
/// </summary>
internal sealed class TorchBenchmark(int rows, int repeats)
{
    private const int Width = 128;
    private const int Warmup = 3;
    private const int OpIterations = 200_000;

    public int Run(bool compareWithPython)
    {
        if (rows < 1 || repeats < 1) throw new ArgumentException("--rows and --repeats must be at least 1");
        var intra = torch.get_num_threads();
        var blas = torch.get_blas_threads();
        AnsiConsole.MarkupLine($"[grey]threads: {intra} intra-op, {(blas < 0 ? "no OpenBLAS" : blas + " OpenBLAS")}; linear layers on {(F.linear_uses_onednn() ? "oneDNN" : "libtorch's BLAS")}; MLP 3 x Linear({Width}, {Width}) + LayerNorm on {rows:N0} rows[/]");

        var opOverhead = OpOverheadMicroseconds();
        var stepMs = MlpStepMilliseconds();
        var python = compareWithPython ? RunPython(PythonSide.IntraThreads) : null;

        var table = new Table().AddColumns("measure", "GnnSim", "PyTorch (Python)", "GnnSim / PyTorch");
        table.AddRow("per-op overhead, 1-element add (µs)", $"{opOverhead:F2}", Format(python?.OpOverheadUs), Ratio(opOverhead, python?.OpOverheadUs));
        table.AddRow("MLP training step (ms, median)", $"{stepMs:F1}", Format(python?.MlpStepMs), Ratio(stepMs, python?.MlpStepMs));
        AnsiConsole.Write(table);

        var figures = new Dictionary<string, object?>
        {
            ["bench"] = "torch",
            ["rows"] = rows,
            ["intra_threads"] = intra,
            ["blas_threads"] = blas,
            ["linear_on_onednn"] = F.linear_uses_onednn(),
            ["op_overhead_us"] = Math.Round(opOverhead, 3),
            ["mlp_step_ms"] = Math.Round(stepMs, 2),
            ["python_op_overhead_us"] = python is null ? null : Math.Round(python.OpOverheadUs, 3),
            ["python_mlp_step_ms"] = python is null ? null : Math.Round(python.MlpStepMs, 2),
            ["mlp_step_ratio"] = python is null ? null : Math.Round(stepMs / python.MlpStepMs, 3),
        };
        Console.WriteLine(JsonSerializer.Serialize(figures));
        return 0;
    }

    private static string Format(double? value) => value is null ? "-" : value.Value.ToString(value < 10 ? "F2" : "F1", CultureInfo.InvariantCulture);

    private static string Ratio(double ours, double? theirs) => theirs is null ? "-" : (ours / theirs.Value).ToString("F2", CultureInfo.InvariantCulture);

    private static double OpOverheadMicroseconds()
    {
        using var a = torch.ones(1);
        using var b = torch.ones(1);
        for (var i = 0; i < 1000; i++)
        {
            using var warm = a + b;
        }
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < OpIterations; i++)
        {
            using var c = a + b;
        }
        return clock.Elapsed.TotalMicroseconds / OpIterations;
    }

    private double MlpStepMilliseconds()
    {
        torch.manual_seed(0);
        using var model = new Sequential(
            new Linear(Width, Width), new ReLU(),
            new Linear(Width, Width), new ReLU(),
            new Linear(Width, Width), new LayerNorm(Width));
        using var optimizer = new Adam(model.parameters(), lr: 1e-4);
        using var x = torch.randn(rows, Width);
        using var y = torch.randn(rows, Width);
        var times = new List<double>();
        for (var i = 0; i < Warmup + repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            using (torch.NewDisposeScope())
            {
                optimizer.zero_grad();
                F.mse_loss(model.call(x), y).backward();
                optimizer.step();
            }
            if (i >= Warmup) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Timing.Median(times);
    }

    private sealed record PythonFigures(double OpOverheadUs, double MlpStepMs);

    /// <summary>bench/torch_bench.py with the same sizes, on the same cores.</summary>
    private PythonFigures? RunPython(int intraThreads)
    {
        using var json = PythonSide.Run("torch_bench.py", intraThreads, rows, Width, Warmup, repeats, OpIterations);
        return json is null ? null : new PythonFigures(json.RootElement.GetProperty("op_overhead_us").GetDouble(), json.RootElement.GetProperty("mlp_step_ms").GetDouble());
    }
}
