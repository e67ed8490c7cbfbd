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

    public static Option<string?> Device() => new("--device")
    {
        Description = "cpu, cuda or cuda:N (default: the config's training.device; a GPU needs the shim built against a CUDA libtorch)",
    };

    /// <summary>The device to run on: the option's, else <paramref name="configured"/>; a GPU this process cannot use is an error that says why.</summary>
    public static Device ResolveDevice(string? option, string configured)
    {
        var device = GnnSim.Torch.Device.Parse(option ?? configured);
        torch.cuda.require(device);
        return device;
    }

    /// <summary>Applies the measured thread and memory defaults for the user's --threads core budget.</summary>
    public static void ConfigureRuntime(int? cores)
    {
        if (cores is < 1) throw new ArgumentException("--threads must be at least 1");
        torch.ConfigureForTraining(cores);
    }
}
