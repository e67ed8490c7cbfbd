using System.Runtime.InteropServices;

namespace GnnSim.Cli.Commands;

/// <summary>How to start gnnsim again as a child process (the launcher's workers, the benchmark's runs), and how to interrupt one.</summary>
internal static class ThisProgram
{
    /// <summary>Sends SIGINT, as Ctrl+C would: a child gnnsim cancels its command (a training checkpoints) and exits with 130.</summary>
    public static void Interrupt(int processId) => kill(processId, SignalInterrupt);

    private const int SignalInterrupt = 2;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>The program and its leading arguments: gnnsim itself (the apphost, or a single-file publish), or the dotnet host with gnnsim.dll.</summary>
    public static (string Program, string[] Leading) Command()
    {
        var process = Environment.ProcessPath ?? throw new IOException("cannot tell which program this is");
        if (Path.GetFileNameWithoutExtension(process) == "gnnsim") return (process, []);
        var dll = Path.Combine(AppContext.BaseDirectory, "gnnsim.dll");
        if (Path.GetFileNameWithoutExtension(process) == "dotnet") return (process, [dll]);
        // Another host of this code (a test runner): the SDK's dotnet, with gnnsim.dll beside this assembly.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        return (host, [dll]);
    }
}
