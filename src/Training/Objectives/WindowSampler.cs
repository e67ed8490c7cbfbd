namespace GnnSim.Training.Objectives;

/// <summary>
/// The samples of a set of trajectories that each span <see cref="Window"/> steps after their first
/// frame: frame pairs (window 1), k-step windows (window k) and single frames (window 0). Sample
/// <c>p</c> of trajectory <c>i</c> starts at frame <c>p - offsets[i]</c>.
/// </summary>
public sealed class WindowSampler
{
    private readonly long[] offsets;

    public WindowSampler(IReadOnlyList<int> frameCounts, int window)
    {
        if (window < 0) throw new ArgumentOutOfRangeException(nameof(window), "a window spans at least zero steps");
        Window = window;
        offsets = new long[frameCounts.Count + 1];
        for (var i = 0; i < frameCounts.Count; i++)
        {
            if (frameCounts[i] < window + 1) throw new ArgumentException($"trajectory {i} has {frameCounts[i]} frames, a window of {window} steps needs {window + 1}");
            offsets[i + 1] = offsets[i] + frameCounts[i] - window;
        }
    }

    public int Window { get; }
    public long Count => offsets[^1];

    /// <summary>The trajectory and start frame of sample <paramref name="index"/>.</summary>
    public (int Trajectory, int Frame) this[long index]
    {
        get
        {
            if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), $"sample {index} of {Count}");
            // Offsets strictly increase (every trajectory has at least one window, checked above).
            var trajectory = Array.BinarySearch(offsets, index);
            trajectory = trajectory >= 0 ? trajectory : ~trajectory - 1;
            return (trajectory, (int)(index - offsets[trajectory]));
        }
    }
}
