using System.Text.Json;
using GnnSim.Datasets.Hdf5;

namespace GnnSim.Datasets.Meshes;

/// <summary>
/// Mesh trajectories in one HDF5 file, laid out like the graph-physics <c>.h5</c> files: a group per
/// trajectory holding <c>mesh_pos [N, 2]</c>, <c>cells [C, 3]</c>, <c>node_type [N]</c> and the
/// dynamic fields (<c>velocity [T, N, 2]</c>, <c>pressure [T, N, 1]</c>, ...), with attributes
/// <c>dt</c> and the case parameters. A group without fields is a mesh alone (a converted gmsh file).
/// </summary>
public static class MeshTrajectoryFile
{
    public const string MeshPositions = "mesh_pos", Cells = "cells", NodeType = "node_type";

    /// <summary>The file attribute in which a generator records what made the file.</summary>
    public const string GeneratorAttribute = "generator";

    /// <summary>
    /// Writes all trajectories to a new file, atomically: a reader never sees a half-written file.
    /// <paramref name="generator"/>, when given, is kept as the file's <see cref="GeneratorAttribute"/>.
    /// </summary>
    public static void Write(string path, IEnumerable<MeshTrajectory> trajectories, Hdf5Storage? storage = null, string? generator = null)
    {
        storage ??= Hdf5Storage.Compressed;
        AtomicFile.Replace(path, temporary =>
        {
            using var file = Hdf5File.Create(temporary);
            foreach (var trajectory in trajectories) WriteGroup(file, trajectory, storage);
            if (generator is not null) file.SetAttribute(GeneratorAttribute, generator);
        });
    }

    /// <summary>What made the file, as its generator recorded it, or null (no record, or not our HDF5 file).</summary>
    public static string? Generator(string path)
    {
        try
        {
            using var file = Hdf5File.OpenRead(path);
            return file.HasAttribute(GeneratorAttribute) ? file.ReadString(GeneratorAttribute) : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    static void WriteGroup(Hdf5File file, MeshTrajectory trajectory, Hdf5Storage storage)
    {
        if (file.HasGroup(trajectory.Name)) throw new ArgumentException($"{file.FilePath}: two trajectories are named {trajectory.Name}");
        using var group = file.CreateGroup(trajectory.Name);
        int n = trajectory.NodeCount;
        group.Write<float>(MeshPositions, trajectory.MeshPositions, [n, trajectory.Dimension], storage);
        group.Write<int>(Cells, trajectory.Cells, [trajectory.CellCount, trajectory.VerticesPerCell], storage);
        group.Write<int>(NodeType, trajectory.NodeTypes, [n], storage);
        foreach (var field in trajectory.Fields)
            group.Write<float>(field.Name, field.Values, [trajectory.FrameCount, n, field.Width], storage);
        if (trajectory.Dt > 0) group.SetAttribute("dt", trajectory.Dt);
        foreach (var (key, value) in trajectory.Parameters) group.SetAttribute(key, value);
    }

    /// <summary>Every trajectory in the file, in name order (numeric names in numeric order).</summary>
    public static IReadOnlyList<MeshTrajectory> ReadAll(string path)
    {
        using var reader = new MeshTrajectoryReader(path);
        return reader.Names.Select(reader.Read).ToList();
    }
}

/// <summary>Reads the trajectories of one file one at a time, so that a large file never has to fit in memory.</summary>
public sealed class MeshTrajectoryReader : IDisposable
{
    readonly Hdf5File file;
    readonly double? fileDt;

    public MeshTrajectoryReader(string path)
    {
        this.file = Hdf5File.OpenRead(path);
        try
        {
            Names = this.file.GroupNames()
                .OrderBy(name => long.TryParse(name, out var number) ? number : long.MaxValue)
                .ThenBy(name => name, StringComparer.Ordinal).ToList();
            fileDt = this.file.HasAttribute("dt") ? this.file.ReadNumber("dt") : MetaJsonDt(path);
        }
        catch
        {
            this.file.Dispose();
            throw;
        }
    }

    public string Path => this.file.FilePath;
    public IReadOnlyList<string> Names { get; }

    public MeshTrajectory Read(string name)
    {
        using var group = this.file.OpenGroup(name);
        foreach (var required in new[] { MeshTrajectoryFile.MeshPositions, MeshTrajectoryFile.Cells, MeshTrajectoryFile.NodeType })
            if (!group.HasDataset(required))
                throw new InvalidDataException($"{Path}: trajectory {name} has no {required} dataset (it has {string.Join(", ", group.DatasetNames())})");

        // Static arrays may be stored once or tiled over time (the graph-physics conversions tile them); the first frame is the mesh.
        var positions = group.Read<float>(MeshTrajectoryFile.MeshPositions, out var positionShape);
        (positions, positionShape) = FirstFrame(positions, positionShape, 2, name, MeshTrajectoryFile.MeshPositions);
        var cells = group.Read<int>(MeshTrajectoryFile.Cells, out var cellShape);
        (cells, cellShape) = FirstFrame(cells, cellShape, 2, name, MeshTrajectoryFile.Cells);
        var types = group.Read<int>(MeshTrajectoryFile.NodeType, out var typeShape);
        int nodes = (int)positionShape[0];
        if (typeShape[^1] == 1 && typeShape.Length > 1) typeShape = typeShape[..^1];
        (types, typeShape) = FirstFrame(types, typeShape, 1, name, MeshTrajectoryFile.NodeType);
        if (typeShape[0] != nodes) throw new InvalidDataException($"{Path}: trajectory {name} has {typeShape[0]} node types for {nodes} nodes");

        var fields = new List<TrajectoryField>();
        int frames = -1;
        foreach (var dataset in group.DatasetNames())
        {
            if (dataset is MeshTrajectoryFile.MeshPositions or MeshTrajectoryFile.Cells or MeshTrajectoryFile.NodeType) continue;
            var (shape, type) = group.Describe(dataset);
            if (type is not (Hdf5ElementType.Float32 or Hdf5ElementType.Float64) || shape.Length is < 2 or > 3 || shape[1] != nodes) continue;
            if (frames >= 0 && shape[0] != frames)
                throw new InvalidDataException($"{Path}: trajectory {name}: {dataset} has {shape[0]} frames, other fields {frames}");
            frames = (int)shape[0];
            fields.Add(new TrajectoryField(dataset, shape.Length == 3 ? (int)shape[2] : 1, group.Read<float>(dataset, out _)));
        }
        frames = Math.Max(frames, 0); // no [frames, nodes, width] field: a mesh alone

        double dt = group.HasAttribute("dt") ? group.ReadNumber("dt")
            : fileDt ?? (frames < 2 ? 0 : throw new InvalidDataException($"{Path}: trajectory {name} has no dt attribute (nor has the file, nor a meta.json beside it)"));
        var parameters = new Dictionary<string, double>();
        foreach (var attribute in group.AttributeNames())
        {
            if (attribute == "dt") continue;
            double[] values;
            try { values = group.ReadNumbers(attribute); }
            catch (InvalidDataException) { continue; } // string attributes are descriptions, not parameters
            if (values.Length == 1) parameters[attribute] = values[0];
        }
        try
        {
            return new MeshTrajectory(name, positions, (int)positionShape[1], cells, (int)cellShape[1], types, frames, dt, fields, parameters);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{Path}: {e.Message}"); }
    }

    (T[] Values, long[] Shape) FirstFrame<T>(T[] values, long[] shape, int rank, string trajectory, string dataset)
    {
        if (shape.Length == rank) return (values, shape);
        if (shape.Length == rank + 1 && shape[0] >= 1)
        {
            long size = values.Length / shape[0];
            return (values.AsSpan(0, (int)size).ToArray(), shape[1..]);
        }
        throw new InvalidDataException($"{Path}: trajectory {trajectory}: {dataset} has shape ({string.Join(", ", shape)}), expected {rank} dimensions");
    }

    /// <summary>graph-physics keeps dt in a meta.json beside the .h5 file.</summary>
    static double? MetaJsonDt(string path)
    {
        var meta = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, "meta.json");
        if (!File.Exists(meta)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(meta));
            return document.RootElement.TryGetProperty("dt", out var dt) && dt.ValueKind == JsonValueKind.Number ? dt.GetDouble() : null;
        }
        catch (JsonException e) { throw new InvalidDataException($"{meta}: not valid JSON: {e.Message}"); }
    }

    public void Dispose() => this.file.Dispose();
}
