using GnnSim.Solvers;

namespace GnnSim.Datasets.CfdBench;

public enum DataSplit { Train, Dev, Test }

/// <summary>
/// The cases of one problem (one or more subsets) under a CFDBench root, split by case 80/10/10 after
/// a seeded shuffle, as CFDBench's loaders do. Serves frame pairs (t, t + k) and whole trajectories.
/// </summary>
public sealed class CfdBenchDataset
{
    public CfdProblem Problem { get; }
    public IReadOnlyList<CfdBenchCaseData> Cases { get; }

    CfdBenchDataset(CfdProblem problem, IReadOnlyList<CfdBenchCaseData> cases) { Problem = problem; Cases = cases; }

    /// <summary>
    /// The case directories of the given subsets, ordered by case number. <paramref name="root"/> is the
    /// data folder holding {problem}/ or the problem folder itself.
    /// </summary>
    public static List<string> CaseDirectories(string root, CfdProblem problem, IEnumerable<CfdSubset> subsets)
    {
        string problemRoot = ProblemFolder(root, problem)
            ?? throw new InvalidDataException($"{root}: no {CfdBenchCase.Name(problem)} folder (expected ROOT/{CfdBenchCase.Name(problem)}/ or the problem folder itself)");
        var result = new List<string>();
        foreach (var subset in subsets)
        {
            string folder = Path.Combine(problemRoot, CfdBenchSweeps.Name(subset));
            if (!Directory.Exists(folder)) continue;
            result.AddRange(Directory.GetDirectories(folder, "case*")
                .Select(d => (Dir: d, Number: int.TryParse(Path.GetFileName(d)[4..], out int n) ? n : -1))
                .Where(d => d.Number >= 0) // caseNNNN.partial is an unfinished case
                .OrderBy(d => d.Number)
                .Select(d => d.Dir));
        }
        if (result.Count == 0)
            throw new InvalidDataException($"{problemRoot}: no case directories under {string.Join(", ", subsets.Select(CfdBenchSweeps.Name))}");
        return result;
    }

    /// <summary>
    /// Where a problem's subsets live: ROOT/problem, or ROOT itself when it is the problem's folder;
    /// null when neither exists (a folder named for another problem never stands in for this one).
    /// </summary>
    public static string? ProblemFolder(string root, CfdProblem problem)
    {
        string name = CfdBenchCase.Name(problem);
        if (Directory.Exists(Path.Combine(root, name))) return Path.Combine(root, name);
        return Directory.Exists(root) && Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root))) == name ? root : null;
    }

    /// <summary>Loads the cases of one split.</summary>
    public static CfdBenchDataset Open(string root, CfdProblem problem, IEnumerable<CfdSubset> subsets, DataSplit split, int seed = 0)
    {
        var directories = CaseDirectories(root, problem, subsets);
        var chosen = Split(directories, seed)[(int)split];
        return new CfdBenchDataset(problem, chosen.Select(d => CfdBenchCaseData.Load(d, problem)).ToList());
    }

    /// <summary>Seeded shuffle, then the first 80% train, the next 10% dev, the rest test (rounded as CFDBench).</summary>
    public static IReadOnlyList<string>[] Split(IReadOnlyList<string> directories, int seed)
    {
        var shuffled = directories.ToArray();
        new Random(seed).Shuffle(shuffled);
        int train = (int)Math.Round(shuffled.Length * 0.8, MidpointRounding.ToEven);
        int dev = (int)Math.Round(shuffled.Length * 0.1, MidpointRounding.ToEven);
        return [shuffled[..train], shuffled[train..(train + dev)], shuffled[(train + dev)..]];
    }

    /// <summary>Every (case, t) whose target frame t + step exists.</summary>
    public IEnumerable<(int Case, int Frame)> FramePairs(int step = 1)
    {
        if (step < 1) throw new ArgumentException($"step must be at least 1, got {step}");
        for (int c = 0; c < Cases.Count; c++)
            for (int t = 0; t + step < Cases[c].Frames; t++) yield return (c, t);
    }
}
