using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using GnnSim.Datasets.Meshes;
using GnnSim.Meshing;

namespace GnnSim.Datasets.Vtu;

/// <summary>
/// VTU time series as mesh trajectories: a ParaView .pvd collection (<c>DataSet timestep="..." file="..."</c>,
/// files relative to the .pvd, played in time order) whose steps share one mesh, or a single .vtu
/// (one step). Point data become fields by <see cref="PointFields"/>' conventions (our own rollout
/// export reads back as truth_*, prediction_*, error_* fields).
/// </summary>
public static class VtuTrajectory
{
    /// <param name="dt">seconds between steps; null: from the .pvd's timesteps (0 for a single step)</param>
    /// <param name="boundary">node types from the geometry (<see cref="MeshTrajectory.WithBoundaryTypes"/>) instead of the file's</param>
    public static MeshTrajectory Read(string path, double? dt = null, string? boundary = null)
    {
        var steps = path.EndsWith(".pvd", StringComparison.OrdinalIgnoreCase) ? Collection(path) : [(0.0, path)];
        var first = VtuReader.Read(steps[0].File);
        var pointData = new List<IReadOnlyDictionary<string, PointArray>> { Arrays(first) };
        for (var k = 1; k < steps.Count; k++)
        {
            var mesh = VtuReader.Read(steps[k].File);
            if (!mesh.Positions.AsSpan().SequenceEqual(first.Positions) || !mesh.Triangles.AsSpan().SequenceEqual(first.Triangles))
                throw new InvalidDataException($"{path}: step {k} ({steps[k].File}) has another mesh than step 0: GnnSim's mesh trajectories keep one mesh for all steps");
            pointData.Add(Arrays(mesh));
        }
        var source = steps.Count == 1 ? steps[0].File : path;
        var (nodeTypes, fields) = PointFields.Gather(pointData, first.NodeCount, source);
        var step = dt ?? (steps.Count == 1 ? 0 : steps[1].Time - steps[0].Time);
        try
        {
            var trajectory = new MeshTrajectory(Path.GetFileNameWithoutExtension(path), first.Positions.Select(v => (float)v).ToArray(), 2,
                first.Triangles, 3, nodeTypes ?? new int[first.NodeCount], fields.Count == 0 ? 0 : steps.Count, fields.Count == 0 ? 0 : step, fields); // no fields: a mesh alone
            if (boundary is not null) return trajectory.WithBoundaryTypes(boundary);
            return nodeTypes is not null ? trajectory
                : throw new InvalidDataException($"{source}: no node_type point data (it has {string.Join(", ", pointData[0].Keys)}): give node types from the geometry (--boundary, data.boundary)");
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
    }

    /// <summary>
    /// Writes a trajectory for ParaView: <c>{name}.pvd</c> beside <paramref name="pvdPath"/>'s folder
    /// <c>{name}/step_NNNNNN.vtu</c>, one per frame at start + k dt, with the node types and every
    /// field (appended raw binary unless told otherwise). A mesh alone (no frames) is one .vtu
    /// instead, at <paramref name="pvdPath"/> with the extension .vtu. Returns the path written.
    /// </summary>
    public static string Write(string pvdPath, MeshTrajectory trajectory, double startTime = 0, VtuEncoding encoding = VtuEncoding.AppendedRaw)
    {
        if (trajectory.Dimension != 2) throw new ArgumentException($"trajectory {trajectory.Name} is {trajectory.Dimension}D; VTU export writes planar meshes");
        var mesh = new Mesh2D(trajectory.MeshPositions.Select(v => (double)v).ToArray(), trajectory.Cells, trajectory.VerticesPerCell);
        var nodeTypes = new VtuField("node_type", trajectory.NodeTypes.Select(t => (float)t).ToArray());
        int n = trajectory.NodeCount;
        if (trajectory.FrameCount == 0)
        {
            var single = Path.ChangeExtension(pvdPath, ".vtu");
            VtuWriter.Write(single, mesh, [nodeTypes], includeNodeTypes: false, encoding);
            return single;
        }
        var name = Path.GetFileNameWithoutExtension(pvdPath);
        var folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(pvdPath))!, name);
        var steps = new List<(double Time, string File)>();
        for (var frame = 0; frame < trajectory.FrameCount; frame++)
        {
            var fields = new List<VtuField> { nodeTypes };
            foreach (var field in trajectory.Fields)
                fields.Add(new VtuField(field.Name, field.Values.AsSpan(frame * n * field.Width, n * field.Width).ToArray(), field.Width));
            var file = $"step_{frame:D6}.vtu";
            VtuWriter.Write(Path.Combine(folder, file), mesh, fields, includeNodeTypes: false, encoding);
            steps.Add((startTime + frame * trajectory.Dt, $"{name}/{file}"));
        }
        VtuWriter.WriteCollection(pvdPath, steps);
        return pvdPath;
    }

    private static Dictionary<string, PointArray> Arrays(VtuMesh mesh) =>
        mesh.PointData.ToDictionary(p => p.Key, p => new PointArray(p.Value.Components, p.Value.Values));

    /// <summary>The steps of a .pvd collection in time order, with their files' full paths.</summary>
    public static List<(double Time, string File)> Collection(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such .pvd file", path);
        XElement root;
        try { root = XDocument.Load(path).Root!; }
        catch (XmlException e) { throw new InvalidDataException($"{path}: not well-formed XML: {e.Message}"); }
        if (root.Name.LocalName != "VTKFile" || (string?)root.Attribute("type") != "Collection")
            throw new InvalidDataException($"{path}: not a VTK Collection file (VTKFile type=\"Collection\")");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var steps = new List<(double Time, string File)>();
        foreach (var dataSet in root.Descendants().Where(e => e.Name.LocalName == "DataSet"))
        {
            if ((string?)dataSet.Attribute("part") is { } part && part != "0") throw new InvalidDataException($"{path}: DataSet part {part}: GnnSim reads single-part collections");
            var file = (string?)dataSet.Attribute("file") ?? throw new InvalidDataException($"{path}: a DataSet without a file");
            var text = (string?)dataSet.Attribute("timestep") ?? "0";
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var time) || !double.IsFinite(time))
                throw new InvalidDataException($"{path}: DataSet {file} has timestep '{text}', not a number");
            var full = Path.IsPathRooted(file) ? file : Path.Combine(folder, file);
            if (!File.Exists(full)) throw new InvalidDataException($"{path}: names {file}, which is not there");
            steps.Add((time, full));
        }
        if (steps.Count == 0) throw new InvalidDataException($"{path}: a collection with no DataSet");
        return steps.OrderBy(s => s.Time).ToList();
    }
}
