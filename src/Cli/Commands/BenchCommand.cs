using System.CommandLine;
using GnnSim.Cli.Bench;
using GnnSim.Training.Experiments;

namespace GnnSim.Cli.Commands;

/// <summary><c>gnnsim bench ...</c>: speed and memory targets live here, never in tests.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: print a table and one JSON line of figures.");
        command.Subcommands.Add(Torch());
        command.Subcommands.Add(Graph());
        command.Subcommands.Add(Solver());
        command.Subcommands.Add(Mgn());
        command.Subcommands.Add(Operator());
        command.Subcommands.Add(Io());
        command.Subcommands.Add(Um2n());
        command.Subcommands.Add(Mpm());
        command.Subcommands.Add(Ddp());
        command.Subcommands.Add(Soak());
        command.Subcommands.Add(Fuzz());
        return command;
    }

    private static Command Ddp()
    {
        var nproc = new Option<string>("--nproc") { Description = "process counts to compare, e.g. 1,2", DefaultValueFactory = _ => "1,2" };
        var nodes = new Option<int>("--nodes") { Description = "nodes of the triangulated square (cylinder-sized: about 2,000)", DefaultValueFactory = _ => 2000 };
        var steps = new Option<int>("--steps") { Description = "timed training steps of each run", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch") { Description = "samples per rank and step", DefaultValueFactory = _ => 1 };
        var command = new Command("ddp", "Data-parallel MeshGraphNet training: samples/s of 1, 2, ... processes (one thread each) and the all-reduce time per step.")
        {
            nproc, nodes, steps, batch,
        };
        command.SetAction(result =>
        {
            var counts = result.GetValue(nproc)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => int.TryParse(t, out var n) ? n : throw new ArgumentException($"--nproc {t}: not a process count")).ToArray();
            var benchmark = new DdpBenchmark(counts, result.GetValue(nodes), result.GetValue(steps), result.GetValue(batch));
            return GnnSim.Torch.Distributed.TorchrunEnvironment.FromEnvironment() is { } worker ? benchmark.RunWorker(worker) : benchmark.Run();
        });
        return command;
    }

    private static Command Soak()
    {
        var steps = new Option<int>("--steps") { Description = "training steps, and as many rollout steps", DefaultValueFactory = _ => 10_000 };
        var nodes = new Option<int>("--nodes") { Description = "nodes of the triangulated square", DefaultValueFactory = _ => 500 };
        var every = new Option<int>("--sample-every") { Description = "steps between samples of memory and live tensors", DefaultValueFactory = _ => 100 };
        var csv = new Option<string?>("--csv") { Description = "write every sample (phase, step, resident MB, live tensors, seconds) here" };
        var command = new Command("soak", "A long MeshGraphNet training and rollout: resident memory and live tensors sampled as they go, and their slopes after the warm-up (flat: no leak).")
        {
            steps, nodes, every, csv,
        };
        command.SetAction(result => new SoakBenchmark(result.GetValue(steps), result.GetValue(nodes), result.GetValue(every), result.GetValue(csv)).Run());
        return command;
    }

    private static Command Fuzz()
    {
        var minutes = new Option<double>("--minutes") { Description = "how long to hunt", DefaultValueFactory = _ => 30 };
        var mutants = new Option<int?>("--mutants") { Description = "at most this many mutants of each reader's file (default: until the minutes are spent)" };
        var seed = new Option<int>("--seed") { Description = "seed of the mutations", DefaultValueFactory = _ => 0 };
        var only = new Option<string[]>("--only") { Description = "fuzz only these readers (by name; see the list printed at the start)", AllowMultipleArgumentsPerToken = true };
        var keep = new Option<string?>("--keep") { Description = "save each failing mutant in this folder, to reproduce it" };
        var command = new Command("fuzz", "Damage each reader's valid file in seeded ways and read it back: every mutant must end in a valid result or the reader's clear error naming the file.")
        {
            minutes, mutants, seed, only, keep,
        };
        command.SetAction(result =>
        {
            var targets = Fuzzing.Targets();
            if (result.GetValue(only) is { Length: > 0 } names)
                targets = names.Select(n => targets.FirstOrDefault(t => t.Name == n) ?? throw new ArgumentException($"--only {n}: no such reader (readers: {string.Join(", ", targets.Select(t => t.Name))})")).ToList();
            Console.WriteLine($"fuzzing {targets.Count} readers ({string.Join(", ", targets.Select(t => t.Name))}) for {result.GetValue(minutes)} min, seed {result.GetValue(seed)}");
            var (failures, count) = Fuzzing.Run(targets, result.GetValue(seed), result.GetValue(mutants), TimeSpan.FromMinutes(result.GetValue(minutes)), Console.WriteLine, result.GetValue(keep));
            Console.WriteLine($"{count} mutants, {failures.Count} failures");
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["bench"] = "fuzz", ["readers"] = targets.Count, ["mutants"] = count, ["failures"] = failures.Count, ["seed"] = result.GetValue(seed),
            }));
            return failures.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Mpm()
    {
        var particles = new Option<int[]>("--particles") { Description = "dam-break particle counts", DefaultValueFactory = _ => [10_000, 100_000], AllowMultipleArgumentsPerToken = true };
        var substeps = new Option<int>("--substeps") { Description = "timed substeps of each run", DefaultValueFactory = _ => 50 };
        var command = new Command("mpm", "MLS-MPM particle updates per second at 10k and 100k particles, every material.") { particles, substeps };
        command.SetAction(result => new MpmBenchmark(result.GetValue(particles)!, result.GetValue(substeps)).Run());
        return command;
    }

    private static Command Um2n()
    {
        var run = new Argument<string?>("RUN_DIR") { Description = "a trained UM2N run: adds its test-split scores and ER to the timing (optional)", Arity = ArgumentArity.ZeroOrOne };
        var sizes = new Option<double[]>("--element-sizes") { Description = "unit-square element sizes of the timed meshes", DefaultValueFactory = _ => [0.045, 0.02, 0.01], AllowMultipleArgumentsPerToken = true };
        var seed = new Option<int>("--seed") { Description = "the Helmholtz problem whose monitor moves the timed meshes", DefaultValueFactory = _ => 0 };
        var noPython = new Option<bool>("--no-python") { Description = "skip the PyTorch twin's side-by-side forward pass" };
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var command = new Command("um2n", "UM2N against the Monge-Ampere mover: time on about 1,000, 5,000 and 20,000 nodes, beside its PyTorch twin, and with a run, its tangles and error reduction.")
        {
            run, sizes, seed, noPython, threads, device,
        };
        command.SetAction(result =>
        {
            CommonOptions.ConfigureRuntime(result.GetValue(threads));
            var on = CommonOptions.ResolveDevice(result.GetValue(device), "cpu");
            // The twin times the CPU; on a GPU GnnSim's figures stand alone (as bench operator).
            var python = !result.GetValue(noPython) && on.Type == GnnSim.Torch.DeviceType.CPU;
            return new Um2nBenchmark(result.GetValue(run), result.GetValue(sizes)!, result.GetValue(seed), python, on).Run();
        });
        return command;
    }

    private static Command Solver()
    {
        var sizes = new Option<int[]>("--sizes") { Description = "cavity grid sizes for the cell-update rate", DefaultValueFactory = _ => [64, 256], AllowMultipleArgumentsPerToken = true };
        var steadyGrid = new Option<int>("--steady-grid") { Description = "grid of the time-to-steady-state run (even)", DefaultValueFactory = _ => 64 };
        var noOpenFoam = new Option<bool>("--no-openfoam") { Description = "skip the side-by-side icoFoam run" };
        var command = new Command("solver", "Navier-Stokes solver: cell updates/s, time to steady state at Re = 100, and icoFoam side by side.")
        {
            sizes, steadyGrid, noOpenFoam,
        };
        command.SetAction(result => new SolverBenchmark(result.GetValue(sizes)!, result.GetValue(steadyGrid), !result.GetValue(noOpenFoam)).Run());
        return command;
    }

    private static Command Graph()
    {
        var points = new Option<int>("--points") { Description = "points of the radius graph", DefaultValueFactory = _ => 100_000 };
        var queries = new Option<int>("--queries") { Description = "points interpolated from the 100k-node mesh", DefaultValueFactory = _ => 1_000_000 };
        var repeats = new Option<int>("--repeats") { Description = "timed runs of each job (the median is reported; this machine's noise needs about ten)", DefaultValueFactory = _ => 11 };
        var command = new Command("graph", "Radius graph, constrained Delaunay with refinement, and mesh interpolation at 100k scale.")
        {
            points, queries, repeats,
        };
        command.SetAction(result => new GraphBenchmark(result.GetValue(points), result.GetValue(queries), result.GetValue(repeats)).Run());
        return command;
    }

    private static Command Io()
    {
        var triangles = new Option<int>("--triangles") { Description = "triangles of the mesh", DefaultValueFactory = _ => 1_000_000 };
        var repeats = new Option<int>("--repeats") { Description = "timed writes, reads and copies of each format (the median is reported)", DefaultValueFactory = _ => 3 };
        var directory = new Option<string?>("--dir") { Description = "where to write the files (default: the temporary folder); they are deleted afterwards" };
        var command = new Command("io", "Write and read a 1,000,000-triangle mesh in every format GnnSim writes, in MB/s beside a plain file copy.")
        {
            triangles, repeats, directory,
        };
        command.SetAction(result => new IoBenchmark(result.GetValue(triangles), result.GetValue(repeats), result.GetValue(directory)).Run());
        return command;
    }

    private static Command Mgn()
    {
        var (nodes, repeats, noPython, threads) = OperatorOptions();
        var device = CommonOptions.Device();
        var command = new Command("mgn", "MeshGraphNet (15 x 128) training and rollout step time and peak memory, against the same model in PyTorch (bench operator --model meshgraphnet).")
        {
            nodes, repeats, noPython, threads, device,
        };
        command.SetAction(result => RunOperator(result, "meshgraphnet", nodes, repeats, noPython, threads, device));
        return command;
    }

    private static Command Operator()
    {
        var model = new Option<string>("--model") { Description = $"a registered operator with a PyTorch twin under bench/ ({OperatorRegistry.Names})", DefaultValueFactory = _ => "meshgraphnet" };
        var rolloutOnly = new Option<bool>("--rollout-only") { Description = "time the rollout step only, for sizes whose training does not fit in memory" };
        var noScale = new Option<bool>("--no-scale") { Description = "skip MeshGraphNet's steps for scale (at sizes where MeshGraphNet's training does not fit in memory)" };
        var particles = new Option<int>("--particles") { Description = "giorom: particles of the MPM dam break (GIOROM's step on a sample and its dense reconstruction against GNS on all)", DefaultValueFactory = _ => 20_000 };
        var fraction = new Option<double>("--fraction") { Description = "giorom: the sampled share of the particles", DefaultValueFactory = _ => 0.1 };
        var queries = new Option<int>("--queries") { Description = "giorom: query points the neural field answers at", DefaultValueFactory = _ => 100_000 };
        var set = new Option<string[]>("--set") { Description = "a model option KEY=VALUE (the config's model: keys, e.g. checkpoint_blocks=true); repeatable. The PyTorch twin keeps its defaults", AllowMultipleArgumentsPerToken = false };
        var (nodes, repeats, noPython, threads) = OperatorOptions();
        var device = CommonOptions.Device();
        var command = new Command("operator", "An operator's training and rollout step time and peak memory at its default size, against its PyTorch twin, with MeshGraphNet's for scale; for giorom its sparse rollout step and dense reconstruction against GNS on all particles.")
        {
            model, nodes, repeats, noPython, threads, device, rolloutOnly, noScale, particles, fraction, queries, set,
        };
        command.SetAction(result =>
        {
            if (result.GetValue(model) != "giorom")
                return RunOperator(result, result.GetValue(model)!, nodes, repeats, noPython, threads, device, result.GetValue(rolloutOnly), !result.GetValue(noScale), result.GetValue(set) ?? []);
            CommonOptions.ConfigureRuntime(result.GetValue(threads));
            return new ParticleBenchmark(result.GetValue(particles), result.GetValue(fraction), result.GetValue(queries), result.GetValue(repeats)).Run();
        });
        return command;
    }

    private static (Option<int> Nodes, Option<int> Repeats, Option<bool> NoPython, Option<int?> Threads) OperatorOptions() =>
    (
        new Option<int>("--nodes") { Description = "nodes of the triangulated square (2,000, 20,000 and 200,000 or 300,000 in the issues)", DefaultValueFactory = _ => 2000 },
        new Option<int>("--repeats") { Description = "timed steps (the median is reported)", DefaultValueFactory = _ => 5 },
        new Option<bool>("--no-python") { Description = "skip the side-by-side run of PyTorch's Python API" },
        CommonOptions.Threads()
    );

    private static int RunOperator(ParseResult result, string model, Option<int> nodes, Option<int> repeats, Option<bool> noPython, Option<int?> threads, Option<string?> device,
        bool rolloutOnly = false, bool scale = true, IReadOnlyList<string>? modelOptions = null)
    {
        CommonOptions.ConfigureRuntime(result.GetValue(threads));
        var on = CommonOptions.ResolveDevice(result.GetValue(device), "cpu");
        // The PyTorch twins time the CPU; on a GPU GnnSim's figures stand alone.
        var python = !result.GetValue(noPython) && on.Type == GnnSim.Torch.DeviceType.CPU;
        return new OperatorBenchmark(model, result.GetValue(nodes), result.GetValue(repeats), rolloutOnly, scale, on, modelOptions).Run(compareWithPython: python);
    }

    private static Command Torch()
    {
        var rows = new Option<int>("--rows") { Description = "rows of the MLP batch", DefaultValueFactory = _ => 60_000 };
        var repeats = new Option<int>("--repeats") { Description = "timed training steps (the median is reported)", DefaultValueFactory = _ => 10 };
        var noPython = new Option<bool>("--no-python") { Description = "skip the side-by-side run of PyTorch's Python API" };
        var threads = CommonOptions.Threads();
        var command = new Command("torch", "Per-op overhead of the binding and one MeshGraphNet-size MLP training step, against PyTorch.")
        {
            rows, repeats, noPython, threads,
        };
        command.SetAction(result =>
        {
            CommonOptions.ConfigureRuntime(result.GetValue(threads));
            return new TorchBenchmark(result.GetValue(rows), result.GetValue(repeats)).Run(compareWithPython: !result.GetValue(noPython));
        });
        return command;
    }
}
