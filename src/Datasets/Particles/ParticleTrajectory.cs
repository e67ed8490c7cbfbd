namespace GnnSim.Datasets.Particles;

/// <summary>
/// Particle type codes as GNS and DeepMind's learning_to_simulate use them (9 types, 3 kinematic);
/// Water, Sand and Goop are their datasets' codes; Elastic is GnnSim's choice among the unused ones.
/// </summary>
public static class GnsParticleTypes
{
    public const int Rigid = 0, Elastic = 2, Kinematic = 3, Water = 5, Sand = 6, Goop = 7;
    public const int Count = 9;
}

/// <summary>
/// One particle trajectory: positions <c>[T, N, D]</c> every <see cref="Dt"/>, a type per particle,
/// the box the particles live in (<c>[D, 2]</c>: lower and upper bound per axis), the material's
/// name and the case parameters.
/// </summary>
public sealed class ParticleTrajectory
{
    public ParticleTrajectory(string name, int dimension, float[] positions, int[] particleTypes, double dt, double[] bounds, string material,
        IReadOnlyDictionary<string, double>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(particleTypes);
        ArgumentNullException.ThrowIfNull(bounds);
        if (dimension is not (2 or 3)) throw new ArgumentException($"trajectory {name}: particles live in 2 or 3 dimensions, not {dimension}");
        if (particleTypes.Length == 0) throw new ArgumentException($"trajectory {name}: no particles");
        var frameSize = (long)particleTypes.Length * dimension;
        if (positions.Length == 0 || positions.Length % frameSize != 0)
            throw new ArgumentException($"trajectory {name}: {positions.Length} coordinates are not whole frames of {particleTypes.Length} particles x {dimension}");
        if (bounds.Length != 2 * dimension) throw new ArgumentException($"trajectory {name}: {bounds.Length} bound values, expected {2 * dimension} (low, high per axis)");
        for (var d = 0; d < dimension; d++)
            if (!(bounds[2 * d] < bounds[2 * d + 1])) throw new ArgumentException($"trajectory {name}: bounds of axis {d} [{bounds[2 * d]}, {bounds[2 * d + 1]}] are empty");
        foreach (var type in particleTypes)
            if ((uint)type >= GnsParticleTypes.Count) throw new ArgumentException($"trajectory {name}: particle type {type} is outside 0..{GnsParticleTypes.Count - 1}");
        var frames = positions.Length / frameSize;
        if (frames >= 2 ? !(dt > 0 && double.IsFinite(dt)) : !(dt >= 0)) throw new ArgumentException($"trajectory {name}: time step {dt} is not positive");
        Name = name;
        Dimension = dimension;
        Positions = positions;
        ParticleTypes = particleTypes;
        Dt = dt;
        Bounds = bounds;
        Material = material;
        FrameCount = (int)frames;
        Parameters = parameters ?? new Dictionary<string, double>();
    }

    public string Name { get; }
    public int Dimension { get; }
    /// <summary>[T, N, D]</summary>
    public float[] Positions { get; }
    /// <summary>[N]</summary>
    public int[] ParticleTypes { get; }
    public double Dt { get; }
    /// <summary>[D, 2]: low, high per axis.</summary>
    public double[] Bounds { get; }
    public string Material { get; }
    public int FrameCount { get; }
    public int ParticleCount => ParticleTypes.Length;
    public IReadOnlyDictionary<string, double> Parameters { get; }

    /// <summary>The same trajectory for the particles <paramref name="indices"/> only, in that order.</summary>
    public ParticleTrajectory Select(IReadOnlyList<int> indices)
    {
        if (indices.Count == 0 || indices.Any(i => (uint)i >= (uint)ParticleCount)) throw new ArgumentException($"trajectory {Name}: a sample of its {ParticleCount} particles needs indices in 0..{ParticleCount - 1}, and at least one");
        var positions = new float[(long)FrameCount * indices.Count * Dimension];
        for (var f = 0; f < FrameCount; f++)
        {
            var frame = Frame(f);
            for (var k = 0; k < indices.Count; k++)
                frame.Slice(indices[k] * Dimension, Dimension).CopyTo(positions.AsSpan(checked((f * indices.Count + k) * Dimension), Dimension));
        }
        return new ParticleTrajectory(Name, Dimension, positions, indices.Select(i => ParticleTypes[i]).ToArray(), Dt, Bounds, Material, Parameters);
    }

    public ReadOnlySpan<float> Frame(int frame)
    {
        if ((uint)frame >= (uint)FrameCount) throw new ArgumentOutOfRangeException(nameof(frame), $"{Name} has frames 0..{FrameCount - 1}, not {frame}");
        var size = ParticleCount * Dimension;
        return Positions.AsSpan(frame * size, size);
    }
}
