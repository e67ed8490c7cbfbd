using System.Diagnostics;
using System.Globalization;
using GnnSim.Torch.Distributed;

namespace GnnSim.Cli.Commands;

/// <summary>Where a multi-process run's workers come from: this machine's share of them and how they meet.</summary>
internal sealed record LaunchPlan(int ProcessesPerNode, int Nodes, int NodeRank, string MasterAddress, int MasterPort)
{
    public int WorldSize => ProcessesPerNode * Nodes;

    /// <summary>The torchrun variables of this node's local worker <paramref name="localRank"/>.</summary>
    public TorchrunEnvironment Worker(int localRank) =>
        new(MasterAddress, MasterPort, NodeRank * ProcessesPerNode + localRank, WorldSize, localRank);
}

/// <summary>
/// <c>gnnsim train --nproc N</c>: what <c>torchrun --standalone</c> does (and with --nnodes, a node of a
/// multi-machine run). Starts this node's N workers, each this same command line with the torchrun
/// variables set, forwards their output (rank 0's as it is, the others' prefixed with their rank),
/// and waits. The first worker that fails takes the run down: the others are killed and the message
/// names it. Checkpoints are written atomically by rank 0, so the last one stays valid.
/// </summary>
internal static class WorkerLauncher
{
    /// <summary>Runs the workers; <paramref name="lines"/>, when given, receives each line a worker prints (rank, line) instead of the console.</summary>
    public static int Run(LaunchPlan plan, IReadOnlyList<string> workerArguments, CancellationToken cancel, Action<int, string>? lines = null)
    {
        var output = new object();
        var workers = new List<(int Rank, Process Process)>();
        try
        {
            for (var local = 0; local < plan.ProcessesPerNode; local++)
            {
                var environment = plan.Worker(local);
                var start = ThisProgram.ChildStart(workerArguments);
                foreach (var (name, value) in environment.ToVariables()) start.Environment[name] = value;
                var process = Process.Start(start) ?? throw new IOException($"could not start worker rank {environment.Rank} ({start.FileName})");
                var prefix = environment.Rank == 0 ? "" : $"[rank {environment.Rank}] ";
                process.OutputDataReceived += (_, line) =>
                {
                    if (lines is not null && line.Data is not null) lock (output) lines(environment.Rank, line.Data);
                    else Forward(output, Console.Out, prefix, line.Data);
                };
                process.ErrorDataReceived += (_, line) => Forward(output, Console.Error, $"[rank {environment.Rank}] ", line.Data);
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                workers.Add((environment.Rank, process));
            }
            if (lines is null)
                lock (output)
                    Console.WriteLine($"gnnsim: {plan.ProcessesPerNode} worker{(plan.ProcessesPerNode == 1 ? "" : "s")} of {plan.WorldSize} on this node (ranks " +
                        $"{workers[0].Rank}-{workers[^1].Rank}; pids {string.Join(", ", workers.Select(w => w.Process.Id))}), meeting at {plan.MasterAddress}:{plan.MasterPort}");
            return Supervise(workers, output, cancel);
        }
        finally
        {
            foreach (var (_, process) in workers)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.WaitForExit(); // drains the forwarded output
                process.Dispose();
            }
        }
    }

    // Waits for all; on the first failure kills the rest and names it. An interrupt of the launcher
    // (Ctrl+C, SIGTERM) is passed on to the workers as SIGINT: they stop together and rank 0 checkpoints.
    private static int Supervise(List<(int Rank, Process Process)> workers, object output, CancellationToken cancel)
    {
        var interrupted = false;
        while (true)
        {
            if (cancel.IsCancellationRequested && !interrupted)
            {
                interrupted = true;
                foreach (var (_, process) in workers)
                    if (!process.HasExited) ThisProgram.Interrupt(process.Id);
            }
            // After an interrupt a worker that stopped as asked (130) has not failed: rank 0 may still be checkpointing.
            var failed = workers.Where(w => w.Process.HasExited && w.Process.ExitCode != 0 && !(interrupted && w.Process.ExitCode == 130))
                .OrderBy(w => w.Process.ExitTime).ToList();
            if (failed.Count > 0)
            {
                var (rank, process) = failed[0];
                var code = process.ExitCode;
                foreach (var (_, other) in workers)
                    if (!other.HasExited) other.Kill(entireProcessTree: true);
                foreach (var (_, other) in workers) other.WaitForExit();
                if (cancel.IsCancellationRequested) return 130;
                lock (output)
                    Console.Error.WriteLine($"gnnsim: worker rank {rank} (pid {process.Id}) {Describe(code)}; the other workers were stopped " +
                        "(its own message, if it left one, is above). A checkpoint the run wrote stays whole: --resume continues from it.");
                return 1;
            }
            if (workers.All(w => w.Process.HasExited)) return cancel.IsCancellationRequested ? 130 : 0;
            Thread.Sleep(50);
        }
    }


    private static string Describe(int code) => code > 128 && code < 128 + 65
        ? $"was killed by signal {code - 128} (exit code {code})"
        : $"exited with code {code}";

    private static void Forward(object gate, TextWriter writer, string prefix, string? line)
    {
        if (line is null) return;
        lock (gate) writer.WriteLine(prefix + line);
    }

    /// <summary>The command line a worker runs: this one without the launcher's options (which the variables now carry).</summary>
    public static List<string> WorkerArguments(IEnumerable<string> arguments, int? threadsPerWorker)
    {
        string[] launcherOptions = ["--nproc", "--nnodes", "--node-rank", "--master-addr", "--master-port"];
        var result = new List<string>();
        var list = arguments.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var name = list[i].Split('=')[0];
            if (launcherOptions.Contains(name))
            {
                if (!list[i].Contains('=')) i++; // its value
                continue;
            }
            result.Add(list[i]);
        }
        if (threadsPerWorker is { } threads && !result.Any(a => a == "--threads" || a.StartsWith("--threads=", StringComparison.Ordinal)))
            result.AddRange(["--threads", threads.ToString(CultureInfo.InvariantCulture)]);
        return result;
    }
}
