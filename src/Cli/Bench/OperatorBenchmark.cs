using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using GnnSim.Graph;
using GnnSim.Meshing;
using GnnSim.Operators;
using GnnSim.Training.Data;
using GnnSim.Training;
using GnnSim.Training.Objectives;
using GnnSim.Training.Experiments;
using GnnSim.Torch;
using GnnSim.Torch.Optimizers;
using Spectre.Console;

namespace GnnSim.Cli.Bench;

/// <summary>
/// `gnnsim bench operator --model NAME` (and `gnnsim bench mgn`): one training step (forward, loss,
/// backward, optimizer) and one rollout step of a registered operator at its default size (MeshGraphNet
/// 15 x 128, PhysGTO 4 x 128, the mesh transformer's small 4 x 64) on a triangulated unit square of about N nodes, and the process's peak
/// resident memory; beside them the same architecture written plainly in PyTorch's Python API (the
/// operator's twin under bench/) on the same libtorch, cores and malloc settings, in its own process,
/// with stock PyTorch's fastest thread split (see <see cref="PythonSide"/>). For an operator other
/// than MeshGraphNet, MeshGraphNet's steps at the same N are printed for scale (unless told not to:
/// at 300,000 nodes MeshGraphNet's training needs over 50 GB).
/// Sizes run in separate processes (each size re-launches this command), so peaks do not mix.
/// With <c>rolloutOnly</c> the training step is skipped: at sizes whose training does not fit in memory
/// (200,000 nodes on a 24 GB machine) the rollout step still shows how the cost grows.
/// </summary>
internal sealed class OperatorBenchmark(string modelName, int nodes, int repeats, bool rolloutOnly = false, bool scale = true, Device? on = null,
    IReadOnlyList<string>? modelOptions = null)
{
    private readonly Device device = on ?? Device.CPU;

    private const int Warmup = 2;
    private const string MeshGraphNetName = "meshgraphnet";

    /// <summary>Each benchmarked operator's PyTorch twin (bench/), and the optimizer both sides use.</summary>
    private static readonly Dictionary<string, (string Script, bool AdamW)> Twins = new()
    {
        [MeshGraphNetName] = ("mgn_bench.py", false),
        ["physgto"] = ("physgto_bench.py", true),
        ["transformer"] = ("transformer_bench.py", true),
    };

    public int Run(bool compareWithPython)
    {
        if (nodes < 16 || repeats < 1) throw new ArgumentException("--nodes must be at least 16 and --repeats at least 1");
        var registration = OperatorRegistry.Find(modelName) ?? throw new ArgumentException($"--model {modelName}: not a registered operator ({OperatorRegistry.Names})");
        if (!Twins.TryGetValue(modelName, out var twin)) throw new ArgumentException($"--model {modelName}: no PyTorch twin to benchmark against yet (those with one: {string.Join(", ", Twins.Keys)})");
        var side = (int)Math.Round(Math.Sqrt(nodes));
        var mesh = StructuredMesh.Rectangle(0, 0, 1, 1, side - 1, side - 1, CellShape.Triangles);
        var graph = mesh.EdgeGraph();
        var positions = mesh.Positions.Select(p => (float)p).ToArray();
        var types = new int[mesh.NodeCount];
        var states = new float[2 * mesh.NodeCount * 2];
        var random = new Random(0);
        for (var i = 0; i < states.Length; i++) states[i] = (float)random.NextDouble();
        var trajectory = new SimulationTrajectory("bench", graph, positions, types, ["u", "v"], states, [], 0.01);

        // --set KEY=VALUE is the config's model.KEY=VALUE, read (and refused) by the config's own rules.
        var options = ExperimentConfig.Parse($"model: {{ name: {modelName} }}", "bench operator --set", (modelOptions ?? []).Select(o => "model." + o)).Model.Options;
        var (trainMs, rolloutMs, parameters) = Measure(trajectory, registration, options, twin.AdamW);
        var peakMb = PeakResidentMegabytes();
        var meshGraphNetRegistration = OperatorRegistry.Find(MeshGraphNetName)!;
        var meshGraphNet = modelName == MeshGraphNetName || !scale ? ((double, double, long)?)null : Measure(trajectory, meshGraphNetRegistration, meshGraphNetRegistration.DefaultOptions(), adamW: false);
        // The allocator keeps freed memory (no trimming, see torch.Runtime); hand it back so that the
        // Python side, run next, has the machine's memory too: at 20,000 nodes each side peaks near 10 GB.
        GC.Collect();
        malloc_trim(0);
        var python = compareWithPython ? RunPython(twin.Script, side) : null;

        AnsiConsole.MarkupLine($"[grey]{registration.Name} ({options}; {parameters:N0} parameters) on {mesh.NodeCount:N0} nodes, {graph.EdgeCount:N0} edges, {device}; threads {torch.get_num_threads()} intra-op + {torch.get_blas_threads()} OpenBLAS; linear layers on {(torch.nn.functional.linear_uses_onednn() ? "oneDNN" : "libtorch's BLAS")}[/]");
        var table = new Table().AddColumns("measure", "GnnSim", "PyTorch (Python)", "GnnSim / PyTorch");
        table.AddRow("training step (ms, median)", Format(trainMs), Format(python?.TrainMs), Ratio(trainMs, python?.TrainMs));
        table.AddRow("rollout step (ms, median)", Format(rolloutMs), Format(python?.RolloutMs), Ratio(rolloutMs, python?.RolloutMs));
        table.AddRow("peak resident memory (MB)", Format(peakMb), Format(python?.PeakMb), Ratio(peakMb, python?.PeakMb));
        if (meshGraphNet is var (scaleTrain, scaleRollout, _))
        {
            table.AddRow("MeshGraphNet 15 x 128 training step (ms), for scale", Format(scaleTrain), "", "");
            table.AddRow("MeshGraphNet 15 x 128 rollout step (ms), for scale", Format(scaleRollout), "", "");
        }
        AnsiConsole.Write(table);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["bench"] = "operator",
            ["device"] = device.ToString(),
            ["model"] = modelName,
            ["parameters"] = parameters,
            ["nodes"] = mesh.NodeCount,
            ["edges"] = graph.EdgeCount,
            ["train_step_ms"] = Figure(trainMs),
            ["rollout_step_ms"] = Figure(rolloutMs),
            ["peak_rss_mb"] = Figure(peakMb, 0),
            ["python_train_step_ms"] = Figure(python?.TrainMs),
            ["python_rollout_step_ms"] = Figure(python?.RolloutMs),
            ["python_peak_rss_mb"] = Figure(python?.PeakMb, 0),
            ["train_step_ratio"] = Figure(trainMs / python?.TrainMs, 3),
            ["meshgraphnet_train_step_ms"] = Figure(meshGraphNet?.Item1),
            ["meshgraphnet_rollout_step_ms"] = Figure(meshGraphNet?.Item2),
            ["linear_on_onednn"] = torch.nn.functional.linear_uses_onednn(),
        }));
        return 0;
    }

    private (double TrainMs, double RolloutMs, long Parameters) Measure(SimulationTrajectory trajectory, OperatorRegistration registration, IOperatorOptions options, bool adamW)
    {
        torch.manual_seed(0);
        // The objective normalizes inputs and targets every step, as the PyTorch side's normalizers do.
        using var objective = new NextStateObjective(2, 0, new NextStateOptions());
        using var model = registration.Create(options, objective.Widths);
        objective.to(device);
        model.to(device);
        using Optimizer optimizer = adamW ? new AdamW(model.parameters(), lr: 1e-4, weight_decay: 1e-6) : new Adam(model.parameters(), lr: 1e-4);
        using var tensors = TrajectoryTensors.Create(trajectory, device, model.DerivedEdgeSets);
        using var state = tensors.State(0);
        using var target = torch.randn([trajectory.NodeCount, 2], device: device);

        var train = new List<double>();
        for (var i = 0; i < (rolloutOnly ? 0 : Warmup + repeats); i++)
        {
            var clock = Stopwatch.StartNew();
            using (torch.NewDisposeScope())
            {
                optimizer.zero_grad();
                var prediction = model.forward(objective.Inputs([(tensors, state)], accumulate: true, [0]));
                Losses.MaskedMse(prediction, objective.TargetNormalizer.forward(target, accumulate: true), tensors.PredictedMask).backward();
                optimizer.step();
            }
            torch.cuda.synchronize(); // a GPU's step is done when its queue is
            if (i >= Warmup) train.Add(clock.Elapsed.TotalMilliseconds);
        }
        model.eval();
        var rollout = new List<double>();
        using var noGrad = torch.no_grad();
        for (var i = 0; i < Warmup + repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            using (torch.NewDisposeScope()) objective.NextState(model, tensors, state, 0).ToArray<float>();
            if (i >= Warmup) rollout.Add(clock.Elapsed.TotalMilliseconds);
        }
        return (rolloutOnly ? double.NaN : Timing.Median(train), Timing.Median(rollout), model.parameters().Sum(p => p.numel()));
    }

    [DllImport("libc")]
    private static extern int malloc_trim(nuint pad);

    /// <summary>VmHWM: the most resident memory this process has held ("VmHWM:\t 1956 kB"; the padding is gone from 8 digits on, so split on any whitespace).</summary>
    internal static double PeakResidentMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private static string Format(double? value) => value is null || double.IsNaN(value.Value) ? "-" : value.Value.ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>A figure for the JSON line: rounded, or null where it was not measured.</summary>
    private static double? Figure(double? value, int digits = 1) => value is null || double.IsNaN(value.Value) ? null : Math.Round(value.Value, digits);

    private static string Ratio(double ours, double? theirs) => theirs is null || double.IsNaN(ours / theirs.Value) ? "-" : (ours / theirs.Value).ToString("F2", CultureInfo.InvariantCulture);

    private sealed record PythonFigures(double TrainMs, double RolloutMs, double PeakMb);

    /// <summary>The operator's twin on the same square and cores, with the same repeats.</summary>
    private PythonFigures? RunPython(string script, int side)
    {
        using var json = rolloutOnly
            ? PythonSide.Run(script, PythonSide.IntraThreads, side, Warmup, repeats, "rollout")
            : PythonSide.Run(script, PythonSide.IntraThreads, side, Warmup, repeats);
        if (json is null) return null;
        var r = json.RootElement;
        double Read(string key) => r.GetProperty(key).ValueKind == JsonValueKind.Null ? double.NaN : r.GetProperty(key).GetDouble();
        return new PythonFigures(Read("train_step_ms"), Read("rollout_step_ms"), Read("peak_rss_mb"));
    }
}
