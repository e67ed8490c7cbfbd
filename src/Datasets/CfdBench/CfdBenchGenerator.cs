using GnnSim.Datasets.Npy;
using GnnSim.Solvers;

namespace GnnSim.Datasets.CfdBench;

/// <summary>How a case is simulated and sampled.</summary>
public sealed record GenerationSettings(double EndTime, double FrameDt, int OutputNx = 64, int OutputNy = 64, (int Nx, int Ny)? SolverGrid = null)
{
    /// <summary>
    /// CFDBench's frame interval (0.1 s; 0.001 s for the cylinder) with 100 frames after the start
    /// (the cylinder: 500), on a 64 x 64 output grid.
    /// </summary>
    public static GenerationSettings Defaults(CfdProblem problem) => problem == CfdProblem.Cylinder
        ? new GenerationSettings(0.5, 0.001)
        : new GenerationSettings(10, 0.1);
}

/// <summary>
/// Writes CFDBench's layout: root/{problem}/{subset}/caseNNNN/{u.npy, v.npy, case.json}. A case is
/// built in caseNNNN.partial and renamed when complete, so a re-run skips finished cases and a
/// half-written case never looks finished.
/// </summary>
public static class CfdBenchGenerator
{
    public static string CaseDirectory(string root, CfdProblem problem, CfdSubset subset, int index) =>
        Path.Combine(root, CfdBenchCase.Name(problem), CfdBenchSweeps.Name(subset), $"case{index:D4}");

    public static bool IsComplete(string caseDirectory) =>
        File.Exists(Path.Combine(caseDirectory, "case.json")) && File.Exists(Path.Combine(caseDirectory, "u.npy")) && File.Exists(Path.Combine(caseDirectory, "v.npy"));

    /// <summary>Simulates one case and writes its directory.</summary>
    public static void WriteCase(string caseDirectory, CfdBenchCase @case, GenerationSettings settings, int caseNumber,
        Action<int, int>? frameProgress = null, CancellationToken cancel = default)
    {
        var grid = settings.SolverGrid;
        var config = @case.Configuration(grid?.Nx, grid?.Ny);
        var frames = CaseSimulation.Run(config, settings.EndTime, settings.FrameDt, (settings.OutputNx, settings.OutputNy),
            @case.FluidMask(settings.OutputNx, settings.OutputNy), frameProgress, cancel);

        var (_, _, width, height) = @case.Domain;
        WriteFrames(caseDirectory, @case, frames, includePressure: false,
        [
            new("case_no", caseNumber), new("dx", width / frames.Nx), new("dy", height / frames.Ny),
            new("frame_dt", settings.FrameDt), new("solver_nx", config.Nx), new("solver_ny", config.Ny),
        ]);
    }

    /// <summary>
    /// Writes a case directory (u.npy, v.npy, optionally p.npy, and case.json with the case's
    /// parameters and <paramref name="extra"/> entries) through caseNNNN.partial and a rename, so an
    /// interrupted write never leaves a case that looks complete.
    /// </summary>
    public static void WriteFrames(string caseDirectory, CfdBenchCase @case, SimulationFrames frames, bool includePressure,
        IEnumerable<KeyValuePair<string, double>> extra)
    {
        string partial = caseDirectory.TrimEnd(Path.DirectorySeparatorChar) + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        int[] shape = [frames.Frames, frames.Ny, frames.Nx];
        NpyFile.Write(Path.Combine(partial, "u.npy"), shape, frames.U);
        NpyFile.Write(Path.Combine(partial, "v.npy"), shape, frames.V);
        if (includePressure) NpyFile.Write(Path.Combine(partial, "p.npy"), shape, frames.P);
        CaseJson.Write(Path.Combine(partial, "case.json"), @case, extra);
        if (Directory.Exists(caseDirectory)) Directory.Delete(caseDirectory, recursive: true);
        Directory.Move(partial, caseDirectory);
    }

    /// <summary>
    /// Generates the first <paramref name="maxCases"/> cases of a subset (all when null), skipping
    /// complete ones. Returns how many were written and how many were already there.
    /// </summary>
    public static (int Written, int Skipped) Generate(string root, CfdProblem problem, CfdSubset subset, GenerationSettings settings,
        int? maxCases = null, Action<int, int, CfdBenchCase>? caseStarted = null, Action<int, int>? frameProgress = null,
        CancellationToken cancel = default)
    {
        var cases = CfdBenchSweeps.Cases(problem, subset);
        int count = Math.Min(maxCases ?? cases.Count, cases.Count);
        int written = 0, skipped = 0;
        for (int index = 0; index < count; index++)
        {
            string directory = CaseDirectory(root, problem, subset, index);
            if (IsComplete(directory)) { skipped++; continue; }
            caseStarted?.Invoke(index, count, cases[index]);
            WriteCase(directory, cases[index], settings, index, frameProgress, cancel);
            written++;
        }
        return (written, skipped);
    }
}
