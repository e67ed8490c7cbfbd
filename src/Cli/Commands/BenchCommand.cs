using System.CommandLine;
using GnnSim.Cli.Bench;

namespace GnnSim.Cli.Commands;

/// <summary><c>gnnsim bench ...</c>: speed and memory targets live here, never in tests.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: print a table and one JSON line of figures.");
        command.Subcommands.Add(Torch());
        return command;
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
