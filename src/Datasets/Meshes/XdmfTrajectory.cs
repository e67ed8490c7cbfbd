using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using GnnSim.Datasets.Hdf5;

namespace GnnSim.Datasets.Meshes;

/// <summary>
/// Reads XDMF 3 + HDF5 as meshio writes it (graph-physics and PhysicsNeMo datasets): one uniform
/// grid, or a temporal collection whose later grids include the first grid's mesh through
/// <c>xi:include</c>. Geometry (XY or XYZ, planar) and a Triangle topology make the mesh; node-centred
/// attributes per time step make the fields, scalar components named <c>X_x</c>, <c>X_y</c> gathered
/// into the vector <c>X</c>. Node types come from a <c>Node_type</c> (or <c>node_type</c>) attribute.
/// Data items are HDF (<c>file.h5:/path</c>, relative to the .xdmf) or inline XML numbers.
/// </summary>
public static class XdmfTrajectory
{
    public static MeshTrajectory Read(string path, double? dt = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such .xdmf file", path);
        XElement root;
        try { root = XDocument.Load(path).Root!; }
        catch (XmlException e) { throw new InvalidDataException($"{path}: not well-formed XML: {e.Message}"); }
        if (root.Name.LocalName != "Xdmf") throw new InvalidDataException($"{path}: the root element is <{root.Name.LocalName}>, not <Xdmf>");
        // A temporal collection when there is one (meshio puts the shared "mesh" grid beside it), else the first grid.
        var all = root.Descendants().Where(e => e.Name.LocalName == "Grid").ToList();
        var top = all.FirstOrDefault(g => (string?)g.Attribute("GridType") == "Collection") ?? all.FirstOrDefault() ?? throw new InvalidDataException($"{path}: no <Grid>");
        var grids = (string?)top.Attribute("GridType") == "Collection" ? top.Elements().Where(e => e.Name.LocalName == "Grid").ToList() : [top];
        if (grids.Count == 0) throw new InvalidDataException($"{path}: a grid collection with no grids");
        using var files = new HdfFiles(path);

        var (geometry, topology) = MeshOf(grids[0], root, path);
        var xyz = Numbers(Item(geometry, path), files, path, out _);
        var geometryType = (string?)geometry.Attribute("GeometryType") ?? "XYZ";
        var dimension = geometryType switch { "XY" => 2, "XYZ" => 3, _ => throw new InvalidDataException($"{path}: GeometryType {geometryType}: GnnSim reads XY and XYZ") };
        if (xyz.Length % dimension != 0) throw new InvalidDataException($"{path}: {xyz.Length} coordinates are not {dimension}-D points");
        var n = xyz.Length / dimension;
        var positions = new float[2 * n];
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(xyz[dimension * i]) || !double.IsFinite(xyz[dimension * i + 1])) throw new InvalidDataException($"{path}: point {i} has a non-finite coordinate");
            if (dimension == 3 && Math.Abs(xyz[3 * i + 2] - xyz[2]) > 1e-9 * (1 + Math.Abs(xyz[2]))) throw new InvalidDataException($"{path}: point {i} has z = {xyz[3 * i + 2]}: GnnSim reads planar 2D meshes");
            positions[2 * i] = (float)xyz[dimension * i];
            positions[2 * i + 1] = (float)xyz[dimension * i + 1];
        }
        if ((string?)topology.Attribute("TopologyType") is not "Triangle") throw new InvalidDataException($"{path}: TopologyType {(string?)topology.Attribute("TopologyType")}: GnnSim reads Triangle topologies");
        var cellValues = Numbers(Item(topology, path), files, path, out _);
        if (cellValues.Length % 3 != 0) throw new InvalidDataException($"{path}: {cellValues.Length} triangle indices are not [C, 3]");
        var cells = cellValues.Select((v, k) => v >= 0 && v < n && v == Math.Floor(v) ? (int)v : throw new InvalidDataException($"{path}: triangle {k / 3} names node {v}, outside 0..{n - 1}")).ToArray();

        // Per time step: the node attributes, and the time.
        var frames = new List<Dictionary<string, double[]>>();
        var times = new List<double>();
        foreach (var grid in grids)
        {
            var attributes = new Dictionary<string, double[]>();
            foreach (var attribute in grid.Elements().Where(e => e.Name.LocalName == "Attribute"))
            {
                if ((string?)attribute.Attribute("Center") is { } center && center != "Node") continue;
                var name = (string?)attribute.Attribute("Name") ?? throw new InvalidDataException($"{path}: an Attribute without a Name");
                var values = Numbers(Item(attribute, path), files, path, out _);
                if (values.Length % n != 0) throw new InvalidDataException($"{path}: attribute {name} holds {values.Length} values for {n} nodes");
                attributes[name] = values;
            }
            frames.Add(attributes);
            if (grid.Elements().FirstOrDefault(e => e.Name.LocalName == "Time") is { } time && double.TryParse((string?)time.Attribute("Value"), NumberStyles.Float, CultureInfo.InvariantCulture, out var t)) times.Add(t);
        }
        var typeName = frames[0].Keys.FirstOrDefault(k => k is "Node_type" or "node_type")
            ?? throw new InvalidDataException($"{path}: no Node_type point attribute (it has {string.Join(", ", frames[0].Keys)}); DeepMind node types are needed");
        var nodeTypes = frames[0][typeName].Take(n).Select(v => (int)Math.Round(v)).ToArray();

        // Scalars X_x, X_y (and X_z) become the vector X; everything else keeps its width.
        var names = frames[0].Keys.Where(k => k != typeName).ToList();
        var fields = new List<TrajectoryField>();
        foreach (var group in names.GroupBy(k => k.Length > 2 && k[^2] == '_' && "xyz".Contains(k[^1]) && names.Contains(k[..^2] + "_x") ? k[..^2] : k).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.OrderBy(k => k, StringComparer.Ordinal).ToList();
            var width = members.Sum(m => frames[0][m].Length / n);
            var values = new float[frames.Count * n * width];
            for (var f = 0; f < frames.Count; f++)
            {
                var column = 0;
                foreach (var member in members)
                {
                    if (!frames[f].TryGetValue(member, out var data)) throw new InvalidDataException($"{path}: time step {f} has no attribute {member}");
                    var w = data.Length / n;
                    for (var i = 0; i < n; i++)
                    for (var c = 0; c < w; c++) values[(f * n + i) * width + column + c] = (float)data[i * w + c];
                    column += w;
                }
            }
            fields.Add(new TrajectoryField(group.Key, width, values));
        }
        var step = dt ?? (times.Count == frames.Count && times.Count > 1 ? times[1] - times[0] : (double?)null)
            ?? throw new InvalidDataException($"{path}: {(frames.Count == 1 ? "one time step" : "no Time values")}, so no time step between frames: give it (data.dt in a config)");
        try { return new MeshTrajectory(Path.GetFileNameWithoutExtension(path), positions, 2, cells, 3, nodeTypes, frames.Count, step, fields); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
    }

    /// <summary>The grid's Geometry and Topology, its own or included from another grid (meshio's xi:include of <c>//Grid[@Name="..."]</c>).</summary>
    private static (XElement Geometry, XElement Topology) MeshOf(XElement grid, XElement root, string path)
    {
        XElement? Own(XElement g, string name) => g.Elements().FirstOrDefault(e => e.Name.LocalName == name);
        var geometry = Own(grid, "Geometry");
        var topology = Own(grid, "Topology");
        // xi:include under either XInclude namespace (meshio 5 writes the 2003 one).
        if ((geometry is null || topology is null) && grid.Elements().FirstOrDefault(e => e.Name.LocalName == "include") is { } include)
        {
            var pointer = (string?)include.Attribute("xpointer") ?? "";
            var match = System.Text.RegularExpressions.Regex.Match(pointer, "Grid\\[@Name=[\"']([^\"']+)[\"']\\]");
            var source = match.Success ? root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Grid" && (string?)e.Attribute("Name") == match.Groups[1].Value) : null;
            if (source is null) throw new InvalidDataException($"{path}: xi:include '{pointer}' names no grid of this file");
            geometry ??= Own(source, "Geometry");
            topology ??= Own(source, "Topology");
        }
        if (geometry is null || topology is null) throw new InvalidDataException($"{path}: grid '{(string?)grid.Attribute("Name")}' has no {(geometry is null ? "Geometry" : "Topology")}");
        return (geometry, topology);
    }

    private static XElement Item(XElement parent, string path) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == "DataItem")
        ?? throw new InvalidDataException($"{path}: <{parent.Name.LocalName}{((string?)parent.Attribute("Name") is { } name ? $" Name=\"{name}\"" : "")}> holds no DataItem");

    /// <summary>A DataItem's numbers: from HDF5 (<c>file.h5:/path</c>) or inline.</summary>
    private static double[] Numbers(XElement item, HdfFiles files, string path, out long[] shape)
    {
        var format = (string?)item.Attribute("Format") ?? "XML";
        var text = item.Value.Trim();
        if (format == "XML")
        {
            var values = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidDataException($"{path}: '{t}' in a DataItem is not a number")).ToArray();
            shape = [values.Length];
            return values;
        }
        if (format != "HDF") throw new InvalidDataException($"{path}: DataItem format {format}: GnnSim reads HDF and XML");
        var colon = text.LastIndexOf(':');
        if (colon <= 0) throw new InvalidDataException($"{path}: HDF DataItem '{text}' is not file.h5:/dataset");
        return files.Read(text[..colon], text[(colon + 1)..], out shape);
    }

    /// <summary>The HDF5 files a document refers to, opened once each.</summary>
    private sealed class HdfFiles(string xdmfPath) : IDisposable
    {
        private readonly Dictionary<string, Hdf5File> open = [];

        public double[] Read(string file, string dataset, out long[] shape)
        {
            var full = Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(xdmfPath))!, file);
            if (!open.TryGetValue(full, out var h5))
            {
                if (!File.Exists(full)) throw new InvalidDataException($"{xdmfPath}: refers to {file}, which is not there");
                open[full] = h5 = Hdf5File.OpenRead(full);
            }
            var parts = dataset.Trim('/').Split('/');
            Hdf5Group group = h5;
            var opened = new List<Hdf5Group>();
            try
            {
                foreach (var part in parts[..^1])
                {
                    group = group.OpenGroup(part);
                    opened.Add(group);
                }
                if (!group.HasDataset(parts[^1])) throw new InvalidDataException($"{xdmfPath}: {file} has no dataset {dataset}");
                return group.Read<double>(parts[^1], out shape);
            }
            finally { foreach (var g in opened) g.Dispose(); }
        }

        public void Dispose()
        {
            foreach (var file in open.Values) file.Dispose();
        }
    }
}
