using GnnSim.Datasets.Hdf5;

namespace GnnSim.Datasets.Particles;

/// <summary>
/// Particle trajectories in one HDF5 file (file attribute <c>format = gnnsim-particles-1</c>): a
/// group per trajectory holding <c>position [T, N, D]</c> float32 and <c>particle_type [N]</c> int32,
/// with attributes <c>dt</c>, <c>bounds</c> (low, high per axis), <c>material</c> and the case
/// parameters. Written atomically; read back with every shape and value checked.
/// </summary>
public static class ParticleTrajectoryFile
{
    public const string FormatName = "gnnsim-particles-1", Position = "position", ParticleType = "particle_type";
    const string FormatAttribute = "format", Dt = "dt", BoundsAttribute = "bounds", MaterialAttribute = "material";
    static readonly HashSet<string> Reserved = [Dt, BoundsAttribute, MaterialAttribute];

    public static void Write(string path, IEnumerable<ParticleTrajectory> trajectories, string? generator = null)
    {
        AtomicFile.Replace(path, temporary =>
        {
            using var file = Hdf5File.Create(temporary);
            file.SetAttribute(FormatAttribute, FormatName);
            if (generator is not null) file.SetAttribute(Meshes.MeshTrajectoryFile.GeneratorAttribute, generator);
            foreach (var t in trajectories)
            {
                if (file.HasGroup(t.Name)) throw new ArgumentException($"{path}: two trajectories are named {t.Name}");
                using var group = file.CreateGroup(t.Name);
                group.Write<float>(Position, t.Positions, [t.FrameCount, t.ParticleCount, t.Dimension], Hdf5Storage.Compressed);
                group.Write<int>(ParticleType, t.ParticleTypes, [t.ParticleCount], Hdf5Storage.Compressed);
                group.SetAttribute(Dt, t.Dt);
                group.SetAttribute(BoundsAttribute, t.Bounds);
                group.SetAttribute(MaterialAttribute, t.Material);
                foreach (var (key, value) in t.Parameters)
                {
                    if (Reserved.Contains(key)) throw new ArgumentException($"{path}: parameter '{key}' clashes with the layout's own attribute");
                    group.SetAttribute(key, value);
                }
            }
        });
    }

    /// <summary>Whether the file is one of ours (its format attribute says so).</summary>
    public static bool IsParticleFile(string path)
    {
        if (!Hdf5File.HasSignature(path)) return false;
        using var file = Hdf5File.OpenRead(path);
        return file.HasAttribute(FormatAttribute) && file.ReadString(FormatAttribute) == FormatName;
    }

    public static string? Generator(string path)
    {
        try
        {
            using var file = Hdf5File.OpenRead(path);
            return file.HasAttribute(Meshes.MeshTrajectoryFile.GeneratorAttribute) ? file.ReadString(Meshes.MeshTrajectoryFile.GeneratorAttribute) : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>Every trajectory, in name order (numeric names in numeric order).</summary>
    public static List<ParticleTrajectory> ReadAll(string path)
    {
        using var file = Hdf5File.OpenRead(path);
        if (!file.HasAttribute(FormatAttribute) || file.ReadString(FormatAttribute) != FormatName)
            throw new InvalidDataException($"{path}: not a GnnSim particle file (no format attribute '{FormatName}')");
        var names = file.GroupNames().OrderBy(n => int.TryParse(n, out var k) ? k : int.MaxValue).ThenBy(n => n, StringComparer.Ordinal).ToList();
        if (names.Count == 0) throw new InvalidDataException($"{path}: holds no trajectory");
        return names.Select(name => Read(file, name, path)).ToList();
    }

    static ParticleTrajectory Read(Hdf5File file, string name, string path)
    {
        using var group = file.OpenGroup(name);
        string Where(string what) => $"{path}: trajectory {name}: {what}";
        if (!group.HasDataset(Position) || !group.HasDataset(ParticleType)) throw new InvalidDataException(Where($"needs '{Position}' and '{ParticleType}'"));
        var positions = group.Read<float>(Position, 3, out var shape);
        var types = group.Read<int>(ParticleType, 1, out var typeShape);
        if (shape[1] != typeShape[0]) throw new InvalidDataException(Where($"{shape[1]} particles in '{Position}' but {typeShape[0]} types"));
        foreach (var v in positions)
            if (!float.IsFinite(v)) throw new InvalidDataException(Where("a position is not finite"));
        foreach (var key in new[] { Dt, BoundsAttribute, MaterialAttribute })
            if (!group.HasAttribute(key)) throw new InvalidDataException(Where($"no '{key}' attribute"));
        var parameters = group.AttributeNames().Where(a => !Reserved.Contains(a)).ToDictionary(a => a, group.ReadNumber);
        try
        {
            return new ParticleTrajectory(name, (int)shape[2], positions, types, group.ReadNumber(Dt), group.ReadNumbers(BoundsAttribute), group.ReadString(MaterialAttribute), parameters);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(Where(e.Message), e);
        }
    }
}
