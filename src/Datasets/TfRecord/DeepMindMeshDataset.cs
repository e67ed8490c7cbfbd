using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using GnnSim.Datasets.Meshes;
using Google.Protobuf;

namespace GnnSim.Datasets.TfRecord;

/// <summary>How meta.json describes one feature: static (stored once, tiled over time), dynamic, or dynamic_varlen.</summary>
public sealed record DeepMindFeature(string Name, string Type, int[] Shape, string DType);

/// <summary>The meta.json of a DeepMind MeshGraphNets dataset directory.</summary>
public sealed record DeepMindMeta(IReadOnlyList<string> FieldNames, IReadOnlyDictionary<string, DeepMindFeature> Features, int TrajectoryLength, double? Dt)
{
    public static DeepMindMeta Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: file not found (a DeepMind dataset directory holds meta.json and <split>.tfrecord)");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: no \"features\" object");
            if (!root.TryGetProperty("trajectory_length", out var length) || !length.TryGetInt32(out var trajectoryLength) || trajectoryLength < 1)
                throw new InvalidDataException($"{path}: no positive \"trajectory_length\"");
            var specs = new Dictionary<string, DeepMindFeature>();
            foreach (var feature in features.EnumerateObject())
            {
                string Text(string key) => feature.Value.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
                    : throw new InvalidDataException($"{path}: feature {feature.Name} has no \"{key}\"");
                if (!feature.Value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array)
                    throw new InvalidDataException($"{path}: feature {feature.Name} has no \"shape\"");
                specs[feature.Name] = new DeepMindFeature(feature.Name, Text("type"), [.. shape.EnumerateArray().Select(e => e.GetInt32())], DTypeName(Text("dtype")));
            }
            var names = root.TryGetProperty("field_names", out var fieldNames) && fieldNames.ValueKind == JsonValueKind.Array
                ? fieldNames.EnumerateArray().Select(e => e.GetString()!).ToList() : specs.Keys.ToList();
            double? dt = root.TryGetProperty("dt", out var step) && step.ValueKind == JsonValueKind.Number ? step.GetDouble() : null;
            return new DeepMindMeta(names, specs, trajectoryLength, dt);
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}"); }
        catch (FormatException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
    }

    /// <summary>Some published meta.json files spell a dtype as "&lt;dtype: 'float32'&gt;".</summary>
    static string DTypeName(string dtype) => Regex.Match(dtype, @"'(\w+)'") is { Success: true } m ? m.Groups[1].Value : dtype;
}

/// <summary>
/// Reads the DeepMind MeshGraphNets datasets (cylinder_flow, airfoil, flag_simple, deforming_plate, ...):
/// <c>meta.json</c> plus <c>train|valid|test.tfrecord</c>, one <c>tf.train.Example</c> per
/// trajectory whose features are raw little-endian arrays in a one-element bytes list. Static
/// features (mesh_pos, cells, node_type) are stored once; other static features are tiled over
/// time as DeepMind's loader tiles them.
/// </summary>
public static class DeepMindMeshDataset
{
    public static string RecordPath(string directory, string split) => Path.Combine(directory, split + ".tfrecord");

    /// <summary>The trajectories of one split, parsed one record at a time.</summary>
    public static IEnumerable<MeshTrajectory> Read(string directory, string split, double? dt = null)
    {
        var meta = DeepMindMeta.Read(Path.Combine(directory, "meta.json"));
        var path = RecordPath(directory, split);
        double step = dt ?? meta.Dt ?? throw new InvalidDataException($"{Path.Combine(directory, "meta.json")}: no \"dt\"; give the time step explicitly");
        int index = 0;
        foreach (var record in TfRecordFile.Read(path))
        {
            Dictionary<string, TfFeature> example;
            try { example = TfExample.Parse(record); }
            catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"{path}: record {index}: not a tf.train.Example: {e.Message}"); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{path}: record {index}: {e.Message}"); }
            yield return Trajectory(example, meta, step, index.ToString(), $"{path}: record {index}");
            index++;
        }
    }

    static MeshTrajectory Trajectory(Dictionary<string, TfFeature> example, DeepMindMeta meta, double dt, string name, string where)
    {
        foreach (var required in new[] { MeshTrajectoryFile.MeshPositions, MeshTrajectoryFile.Cells, MeshTrajectoryFile.NodeType })
            if (!meta.Features.ContainsKey(required)) throw new InvalidDataException($"{where}: meta.json describes no {required} feature");
        var positions = Decode(example, meta.Features[MeshTrajectoryFile.MeshPositions], meta, where);
        int nodes = positions.Shape[^2], dimension = positions.Shape[^1];
        var cells = Decode(example, meta.Features[MeshTrajectoryFile.Cells], meta, where);
        var types = Decode(example, meta.Features[MeshTrajectoryFile.NodeType], meta, where);
        if (types.Shape[^2] != nodes) throw new InvalidDataException($"{where}: {types.Shape[^2]} node types for {nodes} nodes");

        int frames = meta.TrajectoryLength;
        var perNode = new List<(DeepMindFeature Spec, RawArray Field)>();
        foreach (var spec in meta.Features.Values)
        {
            if (spec.Name is MeshTrajectoryFile.MeshPositions or MeshTrajectoryFile.Cells or MeshTrajectoryFile.NodeType) continue;
            var field = Decode(example, spec, meta, where);
            if (field.Shape[^2] != nodes) continue; // not a per-node field (per-cell data, for instance)
            if (spec.Type != "static" && field.Shape[0] != frames)
                throw new InvalidDataException($"{where}: {spec.Name} has {field.Shape[0]} frames, meta.json says trajectory_length {frames}");
            perNode.Add((spec, field));
        }
        // The frames a dynamic field holds are what justify tiling the static ones that many times.
        if (!perNode.Any(f => f.Spec.Type != "static"))
            throw new InvalidDataException($"{where}: no dynamic per-node field: nothing in the trajectory changes over time");

        var fields = new List<TrajectoryField>();
        foreach (var (spec, field) in perNode)
        {
            int width = field.Shape[^1], perFrame = nodes * width;
            var values = field.AsFloats();
            if (spec.Type == "static")
            {
                var tiled = new float[frames * perFrame];
                for (int f = 0; f < frames; f++) values.AsSpan(0, perFrame).CopyTo(tiled.AsSpan(f * perFrame));
                values = tiled;
            }
            fields.Add(new TrajectoryField(spec.Name, width, values));
        }
        var positionFrame = positions.AsFloats().AsSpan(0, nodes * dimension).ToArray();
        var cellFrame = cells.AsInts(where).AsSpan(0, cells.Shape[^2] * cells.Shape[^1]).ToArray();
        var typeFrame = types.AsInts(where).AsSpan(0, nodes).ToArray();
        try
        {
            return new MeshTrajectory(name, positionFrame, dimension, cellFrame, cells.Shape[^1], typeFrame, frames, dt, fields);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{where}: {e.Message}"); }
    }

    sealed record RawArray(byte[] Bytes, string DType, int[] Shape)
    {
        public float[] AsFloats() => DType switch
        {
            "float32" => MemoryMarshal.Cast<byte, float>(Bytes).ToArray(),
            "float64" => [.. MemoryMarshal.Cast<byte, double>(Bytes).ToArray().Select(v => (float)v)],
            "int32" => [.. MemoryMarshal.Cast<byte, int>(Bytes).ToArray().Select(v => (float)v)],
            _ => [.. MemoryMarshal.Cast<byte, long>(Bytes).ToArray().Select(v => (float)v)],
        };

        public int[] AsInts(string where) => DType switch
        {
            "int32" => MemoryMarshal.Cast<byte, int>(Bytes).ToArray(),
            "int64" => [.. MemoryMarshal.Cast<byte, long>(Bytes).ToArray().Select(v => checked((int)v))],
            _ => throw new InvalidDataException($"{where}: expected integer data, found {DType}"),
        };
    }

    /// <summary>Decodes a feature's raw bytes and resolves its shape: one -1 is inferred; with two, the dynamic one is the trajectory length.</summary>
    static RawArray Decode(Dictionary<string, TfFeature> example, DeepMindFeature spec, DeepMindMeta meta, string where)
    {
        if (spec.Type == "dynamic_varlen")
            throw new InvalidDataException($"{where}: {spec.Name} is dynamic_varlen (a remeshing dataset); GnnSim reads fixed-mesh datasets only");
        if (spec.Type is not ("static" or "dynamic")) throw new InvalidDataException($"{where}: {spec.Name} has unknown type {spec.Type}");
        int elementSize = spec.DType switch
        {
            "float32" or "int32" => 4,
            "float64" or "int64" => 8,
            _ => throw new InvalidDataException($"{where}: {spec.Name} has unsupported dtype {spec.DType}"),
        };
        if (!example.TryGetValue(spec.Name, out var feature)) throw new InvalidDataException($"{where}: no feature {spec.Name}");
        if (feature.Kind != TfFeatureKind.Bytes || feature.Bytes.Count != 1)
            throw new InvalidDataException($"{where}: {spec.Name} is not one raw byte string");
        var bytes = feature.Bytes[0];
        if (bytes.Length % elementSize != 0) throw new InvalidDataException($"{where}: {spec.Name} has {bytes.Length} bytes, not a whole number of {spec.DType}");
        var shape = (int[])spec.Shape.Clone();
        if (shape.Length != 3) throw new InvalidDataException($"{where}: {spec.Name} has shape [{string.Join(", ", shape)}], expected [time, nodes, width]");
        if (shape[0] == -1 && shape.Count(e => e == -1) > 1) shape[0] = spec.Type == "static" ? 1 : meta.TrajectoryLength;
        if (shape.Any(e => e is 0 or < -1) || shape.Count(e => e == -1) > 1)
            throw new InvalidDataException($"{where}: {spec.Name} has shape [{string.Join(", ", spec.Shape)}]: each size positive, or -1 for the node count");
        long count = bytes.Length / elementSize, known = shape.Where(e => e != -1).Aggregate(1L, (a, b) => a * b);
        int unknown = Array.IndexOf(shape, -1);
        if (unknown >= 0)
        {
            if (known == 0 || count % known != 0) throw new InvalidDataException($"{where}: {spec.Name}: {count} values do not fit shape [{string.Join(", ", spec.Shape)}]");
            shape[unknown] = (int)(count / known);
        }
        else if (known != count) throw new InvalidDataException($"{where}: {spec.Name}: {count} values do not fit shape [{string.Join(", ", spec.Shape)}]");
        return new RawArray(bytes, spec.DType, shape);
    }
}
