namespace GnnSim.Cli.Reports;

/// <summary>
/// Short names for runs in legends and tables: the run directory for RUN/rollout.h5 (and for a run
/// directory itself), the file name otherwise; with its parent folder too where two would read the
/// same (runs/a/run and runs/b/run).
/// </summary>
internal static class RunLabels
{
    public static string[] For(IReadOnlyList<string> paths)
    {
        static string Label(string path, bool withParent)
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));   // runs/a/ is runs/a
            var named = Path.GetFileName(full) == RunReport.RolloutFileName ? Path.GetDirectoryName(full)! : Path.ChangeExtension(full, null);
            var parent = Path.GetFileName(Path.GetDirectoryName(named));
            return withParent && !string.IsNullOrEmpty(parent) ? $"{parent}/{Path.GetFileName(named)}" : Path.GetFileName(named);
        }
        var plain = paths.Select(p => Label(p, false)).ToArray();
        return paths.Select((p, i) => plain.Count(l => l == plain[i]) > 1 ? Label(p, true) : plain[i]).ToArray();
    }
}
