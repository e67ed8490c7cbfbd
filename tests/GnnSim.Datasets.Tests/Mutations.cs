namespace GnnSim.Datasets.Tests;

/// <summary>Seeded damage for the readers' robustness tests: every third file cut short, the others with 1 to 4 bytes overwritten.</summary>
internal static class Mutations
{
    /// <summary>Writes each mutated copy of <paramref name="original"/> to <paramref name="path"/> and hands the path to <paramref name="read"/>.</summary>
    public static void Each(byte[] original, int seed, int trials, string path, Action<string> read)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < trials; trial++)
        {
            var bytes = trial % 3 == 0 ? original[..random.Next(original.Length)] : (byte[])original.Clone();
            if (trial % 3 != 0)
                for (var k = 0; k < 1 + trial % 4; k++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            File.WriteAllBytes(path, bytes);
            read(path);
        }
    }
}
