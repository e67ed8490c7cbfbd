using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using GnnSim.Datasets.TfRecord;

namespace GnnSim.Datasets.Particles;

/// <summary>
/// DeepMind's learning_to_simulate particle datasets, as GNS users have them: a folder with
/// <c>metadata.json</c> (bounds, sequence_length, default_connectivity_radius, dim, dt, and the
/// velocity and acceleration statistics) and <c>train|valid|test.tfrecord</c>, each record a
/// SequenceExample: context <c>particle_type</c> (the int64 types as raw bytes) and <c>key</c>,
/// feature list <c>position</c> (per step, the float32 positions [N, D] as raw bytes). The GNS
/// PyTorch layout, <c>train|valid|test.npz</c> beside the same metadata.json, reads too: either one
/// entry <c>gns_data</c>, an object array of (positions [T, N, D], particle types [N], ...) tuples
/// (GNS on Python 3.10 and later), or one entry per trajectory holding that pair (earlier GNS);
/// both are pickled object arrays, read by a restricted unpickler (<see cref="Npy.NpyPickle"/>).
/// </summary>
public static class GnsDataset
{
    public const string MetadataFile = "metadata.json";

    /// <summary>The metadata a folder's <c>metadata.json</c> gives.</summary>
    public sealed record Metadata(double[] Bounds, int SequenceLength, double ConnectivityRadius, int Dimension, double Dt,
        double[] VelocityMean, double[] VelocityStd, double[] AccelerationMean, double[] AccelerationStd);

    public static Metadata ReadMetadata(string directory)
    {
        var path = Path.Combine(directory, MetadataFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{directory}: no {MetadataFile} (a learning_to_simulate dataset has one beside its .tfrecord files)", path);
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            double[] Vector(string key) => root[key]?.AsArray().Select(v => v!.GetValue<double>()).ToArray() ?? throw new InvalidDataException($"{path}: no '{key}'");
            var dimension = root["dim"]?.GetValue<int>() ?? throw new InvalidDataException($"{path}: no 'dim'");
            var bounds = root["bounds"]?.AsArray().SelectMany(axis => axis!.AsArray().Select(v => v!.GetValue<double>())).ToArray() ?? throw new InvalidDataException($"{path}: no 'bounds'");
            if (dimension is not (2 or 3) || bounds.Length != 2 * dimension) throw new InvalidDataException($"{path}: dim {dimension} with {bounds.Length} bound values (expected [[low, high]] per axis)");
            var metadata = new Metadata(bounds, root["sequence_length"]?.GetValue<int>() ?? 0, root["default_connectivity_radius"]?.GetValue<double>() ?? 0, dimension,
                root["dt"]?.GetValue<double>() ?? throw new InvalidDataException($"{path}: no 'dt'"),
                Vector("vel_mean"), Vector("vel_std"), Vector("acc_mean"), Vector("acc_std"));
            foreach (var (name, v) in new[] { ("vel_mean", metadata.VelocityMean), ("vel_std", metadata.VelocityStd), ("acc_mean", metadata.AccelerationMean), ("acc_std", metadata.AccelerationStd) })
                if (v.Length != dimension) throw new InvalidDataException($"{path}: '{name}' has {v.Length} values for dim {dimension}");
            return metadata;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException) // ArgumentException: a key written twice
        {
            throw new InvalidDataException($"{path}: not learning_to_simulate metadata ({e.Message})", e);
        }
    }

    /// <summary>The trajectories of one split (<c>split.tfrecord</c>, or GNS's <c>split.npz</c>), named by their position in the file (by entry for .npz).</summary>
    public static List<ParticleTrajectory> Read(string directory, string split)
    {
        var metadata = ReadMetadata(directory);
        var path = Path.Combine(directory, split + ".tfrecord");
        var npz = Path.Combine(directory, split + ".npz");
        if (!File.Exists(path) && File.Exists(npz)) return ReadNpz(npz, metadata);
        if (!File.Exists(path)) throw new FileNotFoundException($"{directory}: no {split}.tfrecord or {split}.npz", path);
        var trajectories = new List<ParticleTrajectory>();
        foreach (var record in TfRecordFile.Read(path))
        {
            var name = trajectories.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string Where(string what) => $"{path}: record {name}: {what}";
            var (context, lists) = TfSequenceExample.Parse(record);
            if (!context.TryGetValue("particle_type", out var typeFeature) || typeFeature.Bytes.Count != 1) throw new InvalidDataException(Where("no context feature 'particle_type' (one bytes value)"));
            if (!lists.TryGetValue("position", out var steps) || steps.Count < 1) throw new InvalidDataException(Where("no feature list 'position'"));
            var typeBytes = typeFeature.Bytes[0];
            if (typeBytes.Length % 8 != 0 || typeBytes.Length == 0) throw new InvalidDataException(Where($"'particle_type' holds {typeBytes.Length} bytes, not int64 values"));
            var types = MemoryMarshal.Cast<byte, long>(typeBytes).ToArray().Select(t => (int)t).ToArray();
            var frameBytes = types.Length * metadata.Dimension * 4;
            var positions = new float[(long)steps.Count * types.Length * metadata.Dimension];
            for (var t = 0; t < steps.Count; t++)
            {
                var step = steps[t];
                if (step.Kind != TfFeatureKind.Bytes || step.Bytes.Count != 1 || step.Bytes[0].Length != frameBytes)
                    throw new InvalidDataException(Where($"step {t} of 'position' is not {frameBytes} bytes ({types.Length} particles x {metadata.Dimension} float32)"));
                MemoryMarshal.Cast<byte, float>(step.Bytes[0]).CopyTo(positions.AsSpan(t * types.Length * metadata.Dimension));
            }
            try
            {
                trajectories.Add(new ParticleTrajectory(name, metadata.Dimension, positions, types, metadata.Dt, metadata.Bounds, MaterialOf(types),
                    new Dictionary<string, double> { ["connectivity_radius"] = metadata.ConnectivityRadius }));
            }
            catch (ArgumentException e) { throw new InvalidDataException(Where(e.Message), e); }
        }
        if (trajectories.Count == 0) throw new InvalidDataException($"{path}: holds no record");
        return trajectories;
    }

    /// <summary>
    /// Writes trajectories as <c>split.tfrecord</c> and <c>metadata.json</c> (their statistics: velocity
    /// and acceleration in position units per step, as learning_to_simulate computes them), so GNS
    /// reads them. All must share the dimension, dt and bounds.
    /// </summary>
    public static void Write(string directory, string split, IReadOnlyList<ParticleTrajectory> trajectories, double connectivityRadius = 0.015)
    {
        if (trajectories.Count == 0) throw new ArgumentException("no trajectories to write");
        var first = trajectories[0];
        foreach (var t in trajectories)
            if (t.Dimension != first.Dimension || t.Dt != first.Dt || !t.Bounds.SequenceEqual(first.Bounds))
                throw new ArgumentException($"trajectory {t.Name} differs from {first.Name} in dimension, dt or bounds: one metadata.json cannot describe both");
        Directory.CreateDirectory(directory);
        var records = trajectories.Select((t, k) => TfSequenceExample.Encode(
            new Dictionary<string, TfFeature>
            {
                ["key"] = TfFeature.OfInt64s(k),
                ["particle_type"] = TfFeature.OfBytes(MemoryMarshal.AsBytes(t.ParticleTypes.Select(v => (long)v).ToArray().AsSpan()).ToArray()),
            },
            new Dictionary<string, IReadOnlyList<TfFeature>>
            {
                ["position"] = Enumerable.Range(0, t.FrameCount).Select(f => TfFeature.OfBytes(MemoryMarshal.AsBytes(t.Frame(f)).ToArray())).ToList(),
            }));
        TfRecordFile.Write(Path.Combine(directory, split + ".tfrecord"), records);

        var (velocityMean, velocityStd, accelerationMean, accelerationStd) = Statistics(trajectories);
        var metadata = new JsonObject
        {
            ["bounds"] = new JsonArray(Enumerable.Range(0, first.Dimension).Select(d => (JsonNode)new JsonArray(first.Bounds[2 * d], first.Bounds[2 * d + 1])).ToArray()),
            ["sequence_length"] = first.FrameCount - 1,
            ["default_connectivity_radius"] = connectivityRadius,
            ["dim"] = first.Dimension,
            ["dt"] = first.Dt,
            ["vel_mean"] = new JsonArray(velocityMean.Select(v => (JsonNode)v).ToArray()),
            ["vel_std"] = new JsonArray(velocityStd.Select(v => (JsonNode)v).ToArray()),
            ["acc_mean"] = new JsonArray(accelerationMean.Select(v => (JsonNode)v).ToArray()),
            ["acc_std"] = new JsonArray(accelerationStd.Select(v => (JsonNode)v).ToArray()),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, MetadataFile), metadata.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Mean and std per axis of x_t - x_(t-1) and of x_(t+1) - 2 x_t + x_(t-1) over every particle and step.</summary>
    static (double[] VelocityMean, double[] VelocityStd, double[] AccelerationMean, double[] AccelerationStd) Statistics(IReadOnlyList<ParticleTrajectory> trajectories)
    {
        var d = trajectories[0].Dimension;
        double[] vSum = new double[d], vSquares = new double[d], aSum = new double[d], aSquares = new double[d];
        long vCount = 0, aCount = 0;
        foreach (var t in trajectories)
        for (var f = 1; f < t.FrameCount; f++)
        {
            ReadOnlySpan<float> now = t.Frame(f), before = t.Frame(f - 1);
            for (var k = 0; k < now.Length; k++) { var v = now[k] - before[k]; vSum[k % d] += v; vSquares[k % d] += v * v; }
            vCount += now.Length / d;
            if (f + 1 >= t.FrameCount) continue;
            var after = t.Frame(f + 1);
            for (var k = 0; k < now.Length; k++) { var a = after[k] - 2 * now[k] + before[k]; aSum[k % d] += a; aSquares[k % d] += a * a; }
            aCount += now.Length / d;
        }
        double[] Mean(double[] sum, long count) => sum.Select(s => count > 0 ? s / count : 0).ToArray();
        double[] Std(double[] sum, double[] squares, long count) => sum.Zip(squares, (s, q) => count > 0 ? Math.Sqrt(Math.Max(0, q / count - (s / count) * (s / count))) : 0).ToArray();
        return (Mean(vSum, vCount), Std(vSum, vSquares, vCount), Mean(aSum, aCount), Std(aSum, aSquares, aCount));
    }

    /// <summary>GNS's PyTorch .npz: <c>gns_data</c> (an object array of trajectory tuples) or one pickled (positions, types) entry per trajectory.</summary>
    public static List<ParticleTrajectory> ReadNpz(string path, Metadata metadata)
    {
        var trajectories = new List<ParticleTrajectory>();
        foreach (var (name, where, bytes) in Npy.NpzFile.ReadEntries(path).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var array = Npy.NpyFile.ParseObjects(bytes, where);
            if (name == "gns_data")
                for (var i = 0; i < array.Objects!.Count; i++)
                    trajectories.Add(FromPair(array.Objects[i] as object?[], i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{where}[{i}]", metadata));
            else
                trajectories.Add(FromPair(array.Objects!.ToArray(), name, where, metadata));
        }
        if (trajectories.Count == 0) throw new InvalidDataException($"{path}: holds no trajectory");
        return trajectories;
    }

    /// <summary>One trajectory from its (positions [T, N, D], particle types [N], anything else) tuple.</summary>
    static ParticleTrajectory FromPair(object?[]? pair, string name, string where, Metadata metadata)
    {
        if (pair is not { Length: >= 2 } || pair[0] is not Npy.PickledArray positions || pair[1] is not Npy.PickledArray types)
            throw new InvalidDataException($"{where}: not a (positions, particle types) pair of arrays");
        var d = metadata.Dimension;
        if (positions.Shape.Length != 3 || positions.Shape[2] != d)
            throw new InvalidDataException($"{where}: positions are ({string.Join(", ", positions.Shape)}), expected (T, N, {d}) as metadata.json's dim says");
        if (types.Shape.Length != 1 || types.Shape[0] != positions.Shape[1])
            throw new InvalidDataException($"{where}: {string.Join(" x ", types.Shape)} particle types for {positions.Shape[1]} particles");
        float[] values = positions.Descr switch
        {
            "<f4" when positions.Data!.Length == 4 * positions.Count => MemoryMarshal.Cast<byte, float>(positions.Data).ToArray(),
            "<f8" when positions.Data!.Length == 8 * positions.Count => MemoryMarshal.Cast<byte, double>(positions.Data).ToArray().Select(v => (float)v).ToArray(),
            _ => throw new InvalidDataException($"{where}: positions of dtype '{positions.Descr}' with {positions.Data?.Length ?? 0} bytes for shape ({string.Join(", ", positions.Shape)}) (expected <f4 or <f8)"),
        };
        int[] kinds = types.Descr switch
        {
            "<i8" when types.Data!.Length == 8 * types.Count => MemoryMarshal.Cast<byte, long>(types.Data).ToArray().Select(v => (int)v).ToArray(),
            "<i4" when types.Data!.Length == 4 * types.Count => MemoryMarshal.Cast<byte, int>(types.Data).ToArray(),
            _ => throw new InvalidDataException($"{where}: particle types of dtype '{types.Descr}' with {types.Data?.Length ?? 0} bytes (expected <i8 or <i4)"),
        };
        try
        {
            return new ParticleTrajectory(name, d, values, kinds, metadata.Dt, metadata.Bounds, MaterialOf(kinds),
                new Dictionary<string, double> { ["connectivity_radius"] = metadata.ConnectivityRadius });
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{where}: {e.Message}", e); }
    }

    static string MaterialOf(int[] types)
    {
        var kinds = types.Where(t => t != GnsParticleTypes.Kinematic).Distinct().ToList();
        return kinds.Count != 1 ? "mixed" : kinds[0] switch
        {
            GnsParticleTypes.Water => "water",
            GnsParticleTypes.Sand => "sand",
            GnsParticleTypes.Goop => "goop",
            GnsParticleTypes.Elastic => "elastic",
            _ => $"type {kinds[0]}",
        };
    }
}
