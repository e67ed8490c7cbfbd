using System.CommandLine;
using GnnSim.Torch;

namespace GnnSim.Cli.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static Option<int?> Threads() => new("--threads")
    {
        Description = "CPU cores to use (default: all): half of them run libtorch's intra-op threads, all of them OpenBLAS's",
    };

    /// <summary>Applies the measured thread and memory defaults for the user's --threads core budget.</summary>
    public static void ConfigureRuntime(int? cores)
    {
        if (cores is < 1) throw new ArgumentException("--threads must be at least 1");
        torch.ConfigureForTraining(cores);
    }
}
