using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GnnSim.Torch;
using Spectre.Console;

namespace GnnSim.Cli.Bench;

/// <summary>
/// Runs the PyTorch side of a side-by-side benchmark (a script under bench/) with Debian's Python,
/// under this process's malloc policy and stock PyTorch's fastest thread split on the same cores,
/// and returns its last output line as JSON; null, with a warning, where Python, python3-torch or
/// the script is missing or fails.
/// </summary>
internal static class PythonSide
{
    private const string Python = "/usr/bin/python3";

    /// <summary>
    /// Intra-op threads for the Python side: half of the cores, with OpenBLAS (which stock PyTorch's
    /// float32 products run on) on all of them. PyTorch's default, both pools on every core, has them
    /// spin against each other: on two cores a MeshGraphNet step takes about 2.5x as long.
    /// </summary>
    public static int IntraThreads => Math.Max(1, torch.training_cores / 2);

    public static JsonDocument? Run(string scriptName, params object[] arguments)
    {
        var script = RepositoryPaths.Root() is { } root ? Path.Combine(root, "bench", scriptName) : null;
        if (!File.Exists(Python) || script is null || !File.Exists(script))
        {
            AnsiConsole.MarkupLine($"[yellow]PyTorch comparison skipped: needs {Python} (python3-torch) and bench/{scriptName} in the checkout[/]");
            return null;
        }
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments) info.ArgumentList.Add(Convert.ToString(argument, CultureInfo.InvariantCulture)!);
        info.Environment["OPENBLAS_NUM_THREADS"] = torch.training_cores.ToString(CultureInfo.InvariantCulture);
        if (torch.keeps_freed_memory)
        {
            // the policy torch.ConfigureForTraining applied to this process through mallopt
            info.Environment["MALLOC_MMAP_MAX_"] = "0";
            info.Environment["MALLOC_TRIM_THRESHOLD_"] = int.MaxValue.ToString(CultureInfo.InvariantCulture);
        }
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync(); // drained alongside stdout, so neither pipe fills and blocks
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            AnsiConsole.MarkupLine($"[yellow]PyTorch comparison failed (exit {process.ExitCode}):[/] {Markup.Escape(error.Result.Trim())}");
            return null;
        }
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]);
    }
}
