using GnnSim.Datasets.Npy;

namespace GnnSim.Datasets.Meshes;

/// <summary>
/// A trajectory in the MeshGraphNets .npz layout of the JAX and PyTorch ports: <c>mesh_pos [1|T, N, 2]</c>,
/// <c>cells [1|T, C, 3]</c> (int32 or int64), <c>node_type [1|T, N, 1]</c>, and every other array of
/// shape <c>[T, N, F]</c> a node field (velocity, pressure, temperature, or any name). A mesh given
/// per frame must not move (the next-state operators take fixed nodes). The files record no time
/// step: the caller gives <paramref name="dt"/> unless the file has a scalar <c>dt</c> (or one frame, which needs none).
/// </summary>
public static class MeshGraphNetsNpz
{
    public static MeshTrajectory Read(string path, double? dt = null)
    {
        var arrays = NpzFile.Read(path);
        NpyArray Required(string name) => arrays.TryGetValue(name, out var array)
            ? array
            : throw new InvalidDataException($"{path}: no '{name}' array (it has {string.Join(", ", arrays.Keys)}); the MeshGraphNets layout needs mesh_pos, cells and node_type");
        var positions = Required("mesh_pos");
        var cells = Required("cells");
        var types = Required("node_type");
        if (positions.Shape is not [_, _, 2]) throw new InvalidDataException($"{path}: mesh_pos has shape ({string.Join(", ", positions.Shape)}), expected [1 or T, N, 2]");
        int n = positions.Shape[1];
        if (cells.Shape is not [_, _, 3] || cells.Type is not (NpyType.Int32 or NpyType.Int64))
            throw new InvalidDataException($"{path}: cells is {cells.Type} ({string.Join(", ", cells.Shape)}), expected int32 or int64 [1 or T, C, 3]");
        if (types.Shape is not [_, _, 1] || types.Shape[1] != n) throw new InvalidDataException($"{path}: node_type has shape ({string.Join(", ", types.Shape)}), expected [1 or T, {n}, 1]");

        var fields = arrays.Where(a => a.Key is not ("mesh_pos" or "cells" or "node_type" or "dt")).OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
        if (fields.Count == 0) throw new InvalidDataException($"{path}: no field arrays [T, N, F] besides mesh_pos, cells and node_type");
        var frames = fields[0].Value.Shape.Length == 3 ? fields[0].Value.Shape[0] : 0;
        foreach (var (name, array) in fields)
        {
            if (array.Shape.Length != 3 || array.Shape[0] != frames || array.Shape[1] != n || array.Type is not (NpyType.Float32 or NpyType.Float64))
                throw new InvalidDataException($"{path}: field '{name}' is {array.Type} ({string.Join(", ", array.Shape)}), expected float [{frames}, {n}, F] like {fields[0].Key}");
            if (array.Values.Any(v => !double.IsFinite(v))) throw new InvalidDataException($"{path}: field '{name}' has non-finite values");
        }
        foreach (var (name, array) in new[] { ("mesh_pos", positions), ("cells", cells), ("node_type", types) })
        {
            if (array.Shape[0] != 1 && array.Shape[0] != frames) throw new InvalidDataException($"{path}: {name} has {array.Shape[0]} frames; the fields have {frames} (give 1 or {frames})");
            var size = array.Values.Length / array.Shape[0];
            for (var t = 1; t < array.Shape[0]; t++)
                if (!array.Values.AsSpan(t * size, size).SequenceEqual(array.Values.AsSpan(0, size)))
                    throw new InvalidDataException($"{path}: {name} changes at frame {t}: GnnSim's mesh trajectories keep one mesh for all frames");
        }
        var meshPositions = positions.Values.AsSpan(0, 2 * n).ToArray().Select(v => (float)v).ToArray();
        if (meshPositions.Any(v => !float.IsFinite(v))) throw new InvalidDataException($"{path}: mesh_pos has non-finite coordinates");
        var cellCount = cells.Shape[1];
        var cellIndices = new int[3 * cellCount];
        for (var k = 0; k < cellIndices.Length; k++)
        {
            var index = cells.Values[k];
            if (index < 0 || index >= n || index != Math.Floor(index)) throw new InvalidDataException($"{path}: cells[0, {k / 3}] names node {index}, outside 0..{n - 1}");
            cellIndices[k] = (int)index;
        }
        var nodeTypes = types.Values.AsSpan(0, n).ToArray().Select(v => (int)v).ToArray();
        var step = dt ?? (arrays.TryGetValue("dt", out var stored) && stored.Values.Length == 1 ? stored.Values[0] : (double?)null)
            ?? (frames < 2 ? 0 : throw new InvalidDataException($"{path}: the file records no time step: give it (data.dt in a config, --dt to convert)"));
        var trajectoryFields = fields.Select(f => new TrajectoryField(f.Key, f.Value.Shape[2], f.Value.ToSingle())).ToList();
        try
        {
            return new MeshTrajectory(Path.GetFileNameWithoutExtension(path), meshPositions, 2, cellIndices, 3, nodeTypes, frames, step, trajectoryFields);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
    }

    /// <summary>
    /// Writes a trajectory in the layout <see cref="Read"/> takes (and the MeshGraphNets ports load):
    /// <c>mesh_pos [1, N, 2]</c> float32, <c>cells [1, C, 3]</c> int32, <c>node_type [1, N, 1]</c> int32,
    /// each field <c>[T, N, F]</c> float32, and the scalar <c>dt</c> where it is known.
    /// </summary>
    public static void Write(string path, MeshTrajectory trajectory, bool compressed = true)
    {
        if (trajectory.Dimension != 2 || trajectory.VerticesPerCell != 3) throw new ArgumentException($"trajectory {trajectory.Name}: the MeshGraphNets layout holds 2D triangle meshes");
        if (trajectory.FrameCount == 0) throw new ArgumentException($"trajectory {trajectory.Name} has no frames; the MeshGraphNets layout needs fields [T, N, F]");
        foreach (var field in trajectory.Fields)
            if (field.Name is "mesh_pos" or "cells" or "node_type" or "dt") throw new ArgumentException($"trajectory {trajectory.Name}: a field named {field.Name} would shadow the layout's own array");
        int n = trajectory.NodeCount;
        var arrays = new List<NpzFile.Entry>
        {
            new("mesh_pos", [1, n, 2], trajectory.MeshPositions),
            new("cells", [1, trajectory.CellCount, 3], trajectory.Cells),
            new("node_type", [1, n, 1], trajectory.NodeTypes),
        };
        arrays.AddRange(trajectory.Fields.Select(f => new NpzFile.Entry(f.Name, [trajectory.FrameCount, n, f.Width], f.Values)));
        if (trajectory.Dt > 0) arrays.Add(new("dt", [], new[] { trajectory.Dt }));
        NpzFile.Write(path, arrays, compressed);
    }
}
