using System.Text.RegularExpressions;
using GnnSim.Training.Experiments;

namespace GnnSim.Training;

/// <summary>
/// One training at a time in a run directory: two writing the same checkpoint and log (a run started
/// twice, or a rerun while an orphan trains on) would interleave their steps. The lock is an
/// exclusive lock on <c>train.lock</c>, held while the training runs; the kernel releases it when the
/// process ends, however it ends, so a kill -9 never leaves a stale lock behind.
/// </summary>
public sealed partial class RunDirectoryLock : IDisposable
{
    public const string FileName = "train.lock";

    private readonly FileStream stream;

    private RunDirectoryLock(FileStream stream) => this.stream = stream;

    /// <summary>Takes the lock of <paramref name="runDirectory"/> (creating the directory), or says which training holds it.</summary>
    public static RunDirectoryLock Acquire(string runDirectory)
    {
        Directory.CreateDirectory(runDirectory);
        var path = Path.Combine(runDirectory, FileName);
        FileStream stream;
        try
        {
            // .NET takes FileShare.None on Unix as an exclusive advisory lock (flock) that other processes' opens respect.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new IOException($"{runDirectory} is in use by another training (it holds {path}): wait for it to end, or train into another directory", e);
        }
        RemoveLeftoverTemporaries(runDirectory);
        return new RunDirectoryLock(stream);
    }

    // A training killed while it wrote a file atomically leaves the temporary (NAME.tmpPID) behind, or
    // the temporary of a temporary (checkpoint.pt.tmpPID.tmp-PID: torch.save renames its own output into
    // place too). With the lock held no other training writes here, so the temporaries of the files a
    // training writes are litter (whatever their pid: pids are reused, so whether one is alive says nothing).
    private static void RemoveLeftoverTemporaries(string runDirectory)
    {
        string[] written = [Checkpoint.FileName, Checkpoint.SummaryFileName, Experiment.ConfigFileName];
        foreach (var file in Directory.EnumerateFiles(runDirectory))
            if (Temporary().Match(Path.GetFileName(file)) is { Success: true } match && written.Contains(match.Groups[1].Value))
                File.Delete(file);
    }

    [GeneratedRegex(@"^(.+?)(\.tmp-?\d+)+$")]
    private static partial Regex Temporary();

    public void Dispose() => stream.Dispose();
}
