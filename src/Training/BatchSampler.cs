namespace GnnSim.Training;

/// <summary>
/// Which samples a training step draws: uniform with replacement over the training set, a pure function
/// of (seed, step, position in the global batch). PyTorch's DistributedSampler semantics: every rank
/// computes the same global batch and takes its own slice, so the ranks together see what one process
/// with the global batch sees, and a resumed run (on any number of processes) continues the sequence.
/// </summary>
public static class BatchSampler
{
    /// <summary>The <paramref name="count"/> sample indices of <paramref name="step"/>'s global batch, each in [0, total).</summary>
    public static long[] Draw(ulong seed, long step, int count, long total)
    {
        if (total < 1) throw new ArgumentException("the training set has no samples");
        var indices = new long[count];
        for (var i = 0; i < count; i++)
        {
            // Multiply-shift maps 64 uniform bits onto [0, total) without modulo's bias towards small indices.
            var high = Math.BigMul(Mix(seed, step, i), (ulong)total, out _);
            indices[i] = (long)high;
        }
        return indices;
    }

    /// <summary>SplitMix64 of the three numbers: well-mixed 64 bits, different for any change of any of them.</summary>
    public static ulong Mix(ulong seed, long a, long b)
    {
        var x = seed;
        x = SplitMix(x ^ SplitMix((ulong)a + 0x9E3779B97F4A7C15UL));
        x = SplitMix(x ^ SplitMix((ulong)b + 0xD1B54A32D192ED03UL));
        return x;
    }

    private static ulong SplitMix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
