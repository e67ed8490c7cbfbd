using System.CommandLine;
using GnnSim.Cli.Commands;
using GnnSim.Torch;
using GnnSim.Torch.Distributed;

namespace GnnSim.Cli;

/// <summary>The one front door: <c>gnnsim quickstart</c>, <c>gnnsim bench torch</c>, ...</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("GnnSim: graph neural network surrogates for physics simulation, on libtorch.");
        root.Subcommands.Add(QuickstartCommand.Create());
        root.Subcommands.Add(DataCommands.Solve());
        root.Subcommands.Add(DataCommands.Generate());
        root.Subcommands.Add(DataCommands.Convert());
        root.Subcommands.Add(DataCommands.Info());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(TrainingCommands.Train());
        root.Subcommands.Add(TrainingCommands.RolloutCommand());
        root.Subcommands.Add(TrainingCommands.Eval());
        root.Subcommands.Add(VizCommands.Plot());
        root.Subcommands.Add(VizCommands.Report());
        root.Subcommands.Add(VizCommands.Export());
        root.Subcommands.Add(MeshMoveCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(BenchmarkCommand.Create());
        try
        {
            using var interrupts = new Interrupts();
            var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return root.Parse(args).InvokeAsync(configuration, interrupts.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or TorchException or DistributedException or DllNotFoundException or ArithmeticException)
        {
            // What a user can fix gets one line, not a stack trace.
            Console.Error.WriteLine($"gnnsim: {e.Message}");
            return 2;
        }
    }
}
