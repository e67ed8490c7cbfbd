namespace GnnSim.Datasets.Meshes;

/// <summary>
/// How GnnSim's generators write a file of many trajectories so that a killed run resumes: each
/// finished trajectory is first kept as its own file in <c>PATH.parts/</c>; the final file appears
/// (atomically) only when all are done, recording the recipe (generator, count and settings) that
/// made it. A finished file with the same recipe is left as it is (a rerun is free); any other file
/// at the path is refused, never overwritten; parts made with other settings are refused too.
/// </summary>
public static class ResumableTrajectoryFile
{
    /// <param name="recipe">what the final file records as its generator: the same recipe, the same file</param>
    /// <param name="settings">the settings the parts depend on (the count aside), checked on resume</param>
    /// <param name="make">trajectory <c>index</c> (named by it), a function of the settings and index alone</param>
    /// <returns>how many trajectories were made now and how many were already done</returns>
    public static (int Written, int Skipped) Generate(string path, int count, string recipe, string settings,
        Func<int, MeshTrajectory> make, Action<int, int>? started = null) =>
        Generate(path, count, recipe, settings, make, started, MeshTrajectoryFile.Generator,
            (file, items, generator) => MeshTrajectoryFile.Write(file, items, generator: generator), file => MeshTrajectoryFile.ReadAll(file)[0]);

    /// <summary>The same for any trajectory type, given how its files are written and read.</summary>
    /// <param name="generatorOf">a file's recorded recipe, or null</param>
    /// <param name="write">writes items to a file, with the recipe when given</param>
    /// <param name="readOne">the single item of a part file</param>
    public static (int Written, int Skipped) Generate<T>(string path, int count, string recipe, string settings, Func<int, T> make, Action<int, int>? started,
        Func<string, string?> generatorOf, Action<string, IEnumerable<T>, string?> write, Func<string, T> readOne)
    {
        ArgumentNullException.ThrowIfNull(make);
        if (count < 1) throw new ArgumentException($"at least one trajectory, got {count}");
        var parts = Path.GetFullPath(path) + ".parts";
        if (File.Exists(path) && !Directory.Exists(parts))
        {
            var made = generatorOf(path);
            if (made == recipe) return (0, count);
            throw new IOException(made is null
                ? $"{path} exists and was not made by this generator; delete it or choose another --out"
                : $"{path} was made with other settings ({made}); delete it or rerun with those settings");
        }
        Directory.CreateDirectory(parts);
        var fingerprint = Path.Combine(parts, "settings.txt");
        if (File.Exists(fingerprint) && File.ReadAllText(fingerprint) != settings)
            throw new IOException($"{parts} holds trajectories made with other settings ({File.ReadAllText(fingerprint)}); delete it or rerun with those settings");
        AtomicFile.WriteAllText(fingerprint, settings); // a full disk must not leave a half-written fingerprint that refuses every rerun
        string Part(int index) => Path.Combine(parts, $"{index:D5}.h5");
        int written = 0, skipped = 0;
        for (var index = 0; index < count; index++)
        {
            if (File.Exists(Part(index))) { skipped++; continue; }
            started?.Invoke(index, count);
            write(Part(index), [make(index)], null);
            written++;
        }
        write(path, Enumerable.Range(0, count).Select(index => readOne(Part(index))), recipe);
        Directory.Delete(parts, recursive: true);
        return (written, skipped);
    }

    /// <summary>
    /// A seed for item <paramref name="index"/> of a dataset that is the same in every process
    /// (HashCode.Combine is randomised per process, so it would give another dataset on each run):
    /// the SplitMix64 finaliser over the dataset seed and the index.
    /// </summary>
    public static int ItemSeed(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }
}
