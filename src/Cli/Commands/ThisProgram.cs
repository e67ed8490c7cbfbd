using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GnnSim.Cli.Commands;

/// <summary>How to start gnnsim again as a child process (the launcher's workers, the benchmark's runs), and how to interrupt one.</summary>
internal static class ThisProgram
{
    /// <summary>Sends SIGINT, as Ctrl+C would: a child gnnsim cancels its command (a training checkpoints) and exits with 130.</summary>
    public static void Interrupt(int processId) => kill(processId, SignalInterrupt);

    private const int SignalInterrupt = 2;

    /// <summary>
    /// Set in a child's environment to the pid of the gnnsim that started it: the child stops (as if
    /// interrupted) when that parent dies, so a launcher or a benchmark killed with -9 leaves no orphans
    /// training on into the folders a rerun will resume.
    /// </summary>
    public const string ParentVariable = "GNNSIM_PARENT_PID";

    /// <summary>How to start gnnsim with <paramref name="arguments"/> as a child of this process, its output redirected.</summary>
    public static ProcessStartInfo ChildStart(IEnumerable<string> arguments)
    {
        var (program, leading) = Command();
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in leading.Concat(arguments)) start.ArgumentList.Add(argument);
        start.Environment[ParentVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return start;
    }

    /// <summary>The pid of the gnnsim that started this one and watches it, or null: started by a user, or by something else.</summary>
    public static int? WatchingParent()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), out var parent)) return null;
        // A process that is not the parent's child (the variable inherited through a shell it started) keeps to itself,
        // unless the parent is gone already: then it died before this process got here.
        return getppid() == parent || kill(parent, 0) != 0 ? parent : null;
    }

    /// <summary>Whether the process that started this one is still its parent (a dead parent's children are handed to init or a subreaper).</summary>
    public static bool IsParent(int parent) => getppid() == parent;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc")]
    private static extern int getppid();

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
