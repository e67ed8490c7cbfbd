using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using GnnSim.Datasets.Hdf5;

namespace GnnSim.Datasets.Meshes;

/// <summary>
/// XDMF 3 + HDF5 as meshio writes it (graph-physics and PhysicsNeMo datasets). Read: one uniform
/// grid, or a temporal collection whose grids include a shared mesh grid through <c>xi:include</c>.
/// Geometry (XY or XYZ, planar) and a Triangle (or Quadrilateral, split in two) topology make the
/// mesh; node-centred attributes per time step make the fields (<see cref="PointFields"/>: scalar
/// components gathered into vectors, node types from <c>Node_type</c> or <c>node_type</c>). Data
/// items are HDF (<c>file.h5:/path</c>, relative to the .xdmf) or inline XML numbers.
/// Write: the layout meshio's <c>TimeSeriesWriter</c> makes, which its reader and ParaView open.
/// </summary>
public static class XdmfTrajectory
{
    private static readonly XNamespace XInclude = "http://www.w3.org/2003/XInclude";

    /// <param name="dt">seconds between steps; null: from the steps' Time values (0 for a single step)</param>
    /// <param name="boundary">node types from the geometry (<see cref="MeshTrajectory.WithBoundaryTypes"/>) instead of the file's</param>
    public static MeshTrajectory Read(string path, double? dt = null, string? boundary = null)
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
        var cells = Triangles(topology, Numbers(Item(topology, path), files, path, out _), n, path);

        // Per time step: the node attributes, and the time.
        var steps = new List<IReadOnlyDictionary<string, PointArray>>();
        var times = new List<double>();
        foreach (var grid in grids)
        {
            var attributes = new Dictionary<string, PointArray>();
            foreach (var attribute in grid.Elements().Where(e => e.Name.LocalName == "Attribute"))
            {
                if ((string?)attribute.Attribute("Center") is { } center && center != "Node") continue;
                var name = (string?)attribute.Attribute("Name") ?? throw new InvalidDataException($"{path}: an Attribute without a Name");
                var values = Numbers(Item(attribute, path), files, path, out _);
                if (values.Length % n != 0) throw new InvalidDataException($"{path}: attribute {name} holds {values.Length} values for {n} nodes");
                attributes[name] = new PointArray(values.Length / n, values);
            }
            steps.Add(attributes);
            if (grid.Elements().FirstOrDefault(e => e.Name.LocalName == "Time") is { } time && double.TryParse((string?)time.Attribute("Value"), NumberStyles.Float, CultureInfo.InvariantCulture, out var t)) times.Add(t);
        }
        var (nodeTypes, fields) = PointFields.Gather(steps, n, path);
        var step = dt ?? (steps.Count == 1 ? 0 : times.Count == steps.Count ? times[1] - times[0]
            : throw new InvalidDataException($"{path}: {steps.Count} steps without Time values, so no time step between them: give it (data.dt in a config, --dt to convert)"));
        try
        {
            var trajectory = new MeshTrajectory(Path.GetFileNameWithoutExtension(path), positions, 2, cells, 3,
                nodeTypes ?? new int[n], fields.Count == 0 ? 0 : steps.Count, fields.Count == 0 ? 0 : step, fields); // no fields: a mesh alone
            if (boundary is not null) return trajectory.WithBoundaryTypes(boundary);
            return nodeTypes is not null ? trajectory
                : throw new InvalidDataException($"{path}: no Node_type point attribute (it has {string.Join(", ", steps[0].Keys)}): give node types from the geometry (--boundary, data.boundary)");
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
    }

    /// <summary>Triangles as they are; quadrilaterals split along their first diagonal, as the gmsh and VTU readers split them.</summary>
    private static int[] Triangles(XElement topology, double[] values, int n, string path)
    {
        var type = (string?)topology.Attribute("TopologyType") ?? (string?)topology.Attribute("Type");
        var corners = type switch
        {
            "Triangle" => 3, "Quadrilateral" => 4,
            _ => throw new InvalidDataException($"{path}: TopologyType {type}: GnnSim reads Triangle and Quadrilateral topologies"),
        };
        if (values.Length % corners != 0) throw new InvalidDataException($"{path}: {values.Length} {type} indices are not [C, {corners}]");
        var cells = new int[values.Length / corners * 3 * (corners - 2)];
        var at = 0;
        for (var k = 0; k < values.Length; k += corners)
        {
            int Node(int c)
            {
                var v = values[k + c];
                return v >= 0 && v < n && v == Math.Floor(v) ? (int)v : throw new InvalidDataException($"{path}: {type} {k / corners} names node {v}, outside 0..{n - 1}");
            }
            cells[at++] = Node(0); cells[at++] = Node(1); cells[at++] = Node(2);
            if (corners == 4) { cells[at++] = Node(0); cells[at++] = Node(2); cells[at++] = Node(3); }
        }
        return cells;
    }

    /// <summary>
    /// Writes <paramref name="path"/> (.xdmf) and its data beside it (the same name with .h5): a
    /// temporal collection of the trajectory's frames, <paramref name="startTime"/> + k dt, each
    /// including the shared "mesh" grid, with the node types and every field, vectors as scalar
    /// components <c>X_x</c>, <c>X_y</c> (as graph-physics stores them). A trajectory of no frames
    /// (a mesh alone) is one uniform grid with its node types. Both files are replaced atomically,
    /// the data first, so the document never names data that is not there.
    /// </summary>
    public static void Write(string path, MeshTrajectory trajectory, double startTime = 0, Hdf5Storage? storage = null)
    {
        if (trajectory.Dimension != 2) throw new ArgumentException($"trajectory {trajectory.Name} is {trajectory.Dimension}D; XDMF export writes planar meshes");
        if (trajectory.VerticesPerCell is not (3 or 4)) throw new ArgumentException($"trajectory {trajectory.Name} has {trajectory.VerticesPerCell}-vertex cells; XDMF export writes triangles and quadrilaterals");
        foreach (var field in trajectory.Fields)
            if (field.Name.Length == 0 || field.Name.Any(c => c is '/' or ':' || char.IsControl(c)) || field.Width > 3)
                throw new ArgumentException($"field '{field.Name}' of width {field.Width} cannot be an XDMF attribute (names without / or :, up to 3 components)");
        storage ??= Hdf5Storage.Compressed;
        var dataPath = Path.ChangeExtension(path, ".h5");
        var dataName = Path.GetFileName(dataPath);
        int n = trajectory.NodeCount, cellCount = trajectory.CellCount, corners = trajectory.VerticesPerCell;
        var components = trajectory.Fields.SelectMany(f => Enumerable.Range(0, f.Width).Select(c => (Field: f, Component: c, Name: f.Width == 1 ? f.Name : $"{f.Name}_{"xyz"[c]}"))).ToList();

        AtomicFile.Replace(dataPath, temporary =>
        {
            using var file = Hdf5File.Create(temporary);
            file.Write<float>("mesh_pos", trajectory.MeshPositions, [n, 2], storage);
            file.Write<int>("cells", trajectory.Cells, [cellCount, corners], storage);
            file.Write<int>("node_type", trajectory.NodeTypes, [n], storage);
            var column = new float[n];
            for (var frame = 0; frame < trajectory.FrameCount; frame++)
            {
                using var step = file.CreateGroup(StepGroup(frame));
                foreach (var (field, component, name) in components)
                {
                    var values = field.Values.AsSpan((int)((long)frame * n * field.Width), n * field.Width);
                    for (var i = 0; i < n; i++) column[i] = values[i * field.Width + component];
                    step.Write<float>(name, column, [n], storage);
                }
            }
        });

        XElement Data(string dataset, string type, int precision, params long[] dimensions) => new("DataItem",
            new XAttribute("DataType", type), new XAttribute("Dimensions", string.Join(' ', dimensions)),
            new XAttribute("Format", "HDF"), new XAttribute("Precision", precision), $"{dataName}:/{dataset}");
        XElement NodeAttribute(string name, XElement data) => new("Attribute",
            new XAttribute("Name", name), new XAttribute("AttributeType", "Scalar"), new XAttribute("Center", "Node"), data);
        var mesh = new XElement("Grid", new XAttribute("Name", "mesh"), new XAttribute("GridType", "Uniform"),
            new XElement("Geometry", new XAttribute("GeometryType", "XY"), Data("mesh_pos", "Float", 4, n, 2)),
            new XElement("Topology", new XAttribute("TopologyType", corners == 3 ? "Triangle" : "Quadrilateral"), new XAttribute("NumberOfElements", cellCount),
                Data("cells", "Int", 4, cellCount, corners)));
        var domain = new XElement("Domain", mesh);
        if (trajectory.FrameCount == 0)
            mesh.Add(NodeAttribute("node_type", Data("node_type", "Int", 4, n)));
        else
        {
            var collection = new XElement("Grid", new XAttribute("Name", "TimeSeries"), new XAttribute("GridType", "Collection"), new XAttribute("CollectionType", "Temporal"));
            for (var frame = 0; frame < trajectory.FrameCount; frame++)
            {
                var grid = new XElement("Grid", new XAttribute("Name", $"step {frame}"), new XAttribute("GridType", "Uniform"),
                    new XElement(XInclude + "include", new XAttribute("xpointer", "xpointer(//Grid[@Name=\"mesh\"]/*[self::Topology or self::Geometry])")),
                    new XElement("Time", new XAttribute("Value", (startTime + frame * trajectory.Dt).ToString("R", CultureInfo.InvariantCulture))),
                    NodeAttribute("node_type", Data("node_type", "Int", 4, n)));
                foreach (var (_, _, name) in components) grid.Add(NodeAttribute(name, Data($"{StepGroup(frame)}/{name}", "Float", 4, n)));
                collection.Add(grid);
            }
            domain.Add(collection);
        }
        var document = new XDocument(new XElement("Xdmf", new XAttribute("Version", "3.0"), new XAttribute(XNamespace.Xmlns + "xi", XInclude.NamespaceName), domain));
        AtomicFile.Write(path, stream =>
        {
            using var writer = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) });
            document.Save(writer);
        });
    }

    private static string StepGroup(int frame) => $"step_{frame:D6}";

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
