using System.CommandLine;
using GnnSim.Torch;

namespace GnnSim.Cli.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static Option<int?> Threads() => new("--threads")
    {
        Description = "CPU cores to use (default: all): libtorch's intra-op pool (elementwise ops and oneDNN's products) runs on all of them",
    };

    /// <summary>Applies the measured thread and memory defaults for the user's --threads core budget.</summary>
    public static void ConfigureRuntime(int? cores)
    {
        if (cores is < 1) throw new ArgumentException("--threads must be at least 1");
        torch.ConfigureForTraining(cores);
    }
}
