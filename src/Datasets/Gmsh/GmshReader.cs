using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace GnnSim.Datasets.Gmsh;

/// <summary>
/// Reads gmsh .msh files, versions 2.2 and 4.1, ASCII and binary (little-endian), as 2D meshes:
/// nodes, lines (type 1), triangles (2), quadrangles (3, split into two triangles) and points (15),
/// with their physical groups and names. Anything else (3D or high-order elements, a tag that names
/// no node, a count larger than the file) is an <see cref="InvalidDataException"/> naming the file
/// and the line or byte offset.
/// </summary>
public static class GmshReader
{
    private const int Line2 = 1, Triangle3 = 2, Quad4 = 3, Point1 = 15;

    public static GmshMesh Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new FileNotFoundException($"{path}: no such gmsh file", path, e); }
        return new Parser(bytes, path).Parse();
    }

    private sealed class Parser(byte[] bytes, string path)
    {
        private int position;
        private int line = 1;
        private bool binary;
        private int sizeT = 8;
        private string version = "";
        private readonly List<GmshPhysicalGroup> groups = [];
        // Entity (dimension, tag) -> its first physical tag (4.x files classify elements by entity).
        private readonly Dictionary<(int, int), int> entityPhysical = [];
        private readonly Dictionary<long, int> nodeIndex = [];
        private readonly List<double> positions = [];
        private readonly List<double> zs = [];
        private readonly List<int> triangles = [], trianglePhysical = [], lines = [], linePhysical = [], points = [], pointPhysical = [];
        private int quads;
        // Reused by the per-line loops, which run millions of times.
        private readonly long[] lineIntegers = new long[64];
        private readonly double[] lineNumbers = new double[8];
        private readonly int[] elementNodes = new int[4];

        public GmshMesh Parse()
        {
            if (NextNonEmptyLine() != "$MeshFormat") throw Error("does not start with $MeshFormat: not a gmsh .msh file");
            var header = Tokens(NextNonEmptyLine());
            if (header.Length < 3) throw Error("the $MeshFormat line needs version, file type and data size");
            version = header[0];
            if (version is not ("2.2" or "4.1")) throw Error($"gmsh format {version}: GnnSim reads 2.2 and 4.1 (gmsh -format msh41 or msh22 converts)");
            binary = header[1] switch { "0" => false, "1" => true, _ => throw Error($"file type {header[1]} is neither 0 (ASCII) nor 1 (binary)") };
            sizeT = ParseInt(header[2], "data size");
            if (sizeT is not (4 or 8)) throw Error($"data size {sizeT}: expected 4 or 8");
            if (binary)
            {
                var one = Int32();
                if (one != 1) throw Error("the binary endianness check is not 1: a big-endian file, which GnnSim does not read");
                ExpectEnd("$EndMeshFormat");
            }
            else ExpectEnd("$EndMeshFormat");

            var sawNodes = false;
            var sawElements = false;
            while (true)
            {
                var section = NextNonEmptyLine();
                if (section is null) break;
                if (!section.StartsWith('$')) throw Error($"'{Shorten(section)}' where a section ($Nodes, $Elements, ...) should start");
                switch (section)
                {
                    case "$PhysicalNames": ReadPhysicalNames(); break;
                    case "$Entities": ReadEntities(); break;
                    case "$Nodes": ReadNodes(); sawNodes = true; break;
                    case "$Elements":
                        if (!sawNodes) throw Error("$Elements comes before $Nodes");
                        ReadElements();
                        sawElements = true;
                        break;
                    default: SkipSection(section); break;
                }
            }
            if (!sawNodes || !sawElements) throw Error($"has no {(sawNodes ? "$Elements" : "$Nodes")} section");
            if (triangles.Count == 0) throw Error("has no triangles or quadrangles: not a 2D mesh");
            var z0 = zs[0];
            for (var n = 0; n < zs.Count; n++)
                if (Math.Abs(zs[n] - z0) > 1e-9 * (1 + Math.Abs(z0))) throw new InvalidDataException($"{path}: node {n + 1} has z = {zs[n]}, node 1 z = {z0}: GnnSim reads planar 2D meshes");
            return new GmshMesh
            {
                Version = version, Binary = binary, Positions = positions.ToArray(),
                Triangles = triangles.ToArray(), TrianglePhysical = trianglePhysical.ToArray(),
                Lines = lines.ToArray(), LinePhysical = linePhysical.ToArray(), Points = points.ToArray(), PointPhysical = pointPhysical.ToArray(),
                PhysicalGroups = groups, QuadsSplit = quads,
            };
        }

        private void ReadPhysicalNames()
        {
            var count = ParseInt(RequiredLine("$PhysicalNames"), "the number of physical names");
            for (var i = 0; i < count; i++)
            {
                var text = RequiredLine("$PhysicalNames");
                var parts = Tokens(text);
                if (parts.Length < 3) throw Error($"physical name line '{Shorten(text)}' needs dimension, tag and a quoted name");
                var quote = text.IndexOf('"');
                var name = quote >= 0 ? text[(quote + 1)..].TrimEnd().TrimEnd('"') : parts[2];
                groups.Add(new GmshPhysicalGroup(ParseInt(parts[0], "a physical dimension"), ParseInt(parts[1], "a physical tag"), name));
            }
            ExpectEnd("$EndPhysicalNames");
        }

        private void ReadEntities()
        {
            if (version == "2.2") { SkipSection("$Entities"); return; }
            long[] counts;
            if (binary) counts = [SizeT(), SizeT(), SizeT(), SizeT()];
            else counts = Tokens(RequiredLine("$Entities")).Select(t => (long)ParseInt(t, "an entity count")).ToArray();
            if (counts.Length < 4) throw Error("the $Entities header needs four counts (points, curves, surfaces, volumes)");
            for (var dimension = 0; dimension < 4; dimension++)
            for (long e = 0; e < counts[dimension]; e++)
            {
                if (binary)
                {
                    var tag = Int32();
                    Skip(8 * (dimension == 0 ? 3 : 6)); // the point's coordinates, or the entity's bounding box
                    var physical = ReadBinaryTags();
                    if (physical.Length > 0) entityPhysical[(dimension, tag)] = physical[0];
                    if (dimension > 0) ReadBinaryTags(); // bounding entities
                }
                else
                {
                    var parts = Tokens(RequiredLine("$Entities"));
                    // tag, then 3 (points) or 6 (bounding box) coordinates, then numPhysicalTags and the tags
                    var at = 1 + (dimension == 0 ? 3 : 6);
                    if (parts.Length <= at) throw Error($"entity line '{Shorten(string.Join(' ', parts))}' is too short");
                    var physicalCount = ParseInt(parts[at], "a physical tag count");
                    if (parts.Length < at + 1 + physicalCount) throw Error("entity line lists fewer physical tags than it says");
                    if (physicalCount > 0) entityPhysical[(dimension, ParseInt(parts[0], "an entity tag"))] = ParseInt(parts[at + 1], "a physical tag");
                }
            }
            ExpectEnd("$EndEntities");
        }

        private int[] ReadBinaryTags()
        {
            var count = SizeT();
            CheckCount(count, 4, "tags");
            var tags = new int[count];
            for (var i = 0; i < count; i++) tags[i] = Int32();
            return tags;
        }

        private void ReadNodes()
        {
            if (version == "2.2")
            {
                var count = ParseInt(RequiredLine("$Nodes"), "the node count");
                for (var i = 0; i < count; i++)
                {
                    if (binary) AddNode(Int32(), Double(), Double(), Double());
                    else
                    {
                        var values = lineNumbers.AsSpan(0, 4);
                        if (Numbers(RequiredLineBytes("$Nodes"), values, "a node tag or coordinate") < 4) throw Error("a node line needs tag, x, y and z");
                        if (values[0] != Math.Floor(values[0])) throw Error($"'{values[0]}' is not a node tag");
                        AddNode((long)values[0], values[1], values[2], values[3]);
                    }
                }
                ExpectEnd("$EndNodes");
                return;
            }
            long blocks, total;
            if (binary) { blocks = SizeT(); total = SizeT(); SizeT(); SizeT(); }
            else
            {
                var header = Tokens(RequiredLine("$Nodes"));
                if (header.Length < 4) throw Error("the $Nodes header needs numEntityBlocks numNodes minNodeTag maxNodeTag");
                blocks = ParseLong(header[0], "a block count");
                total = ParseLong(header[1], "the node count");
            }
            for (long b = 0; b < blocks; b++)
            {
                int entityDimension, parametric;
                long count;
                if (binary) { entityDimension = Int32(); Int32(); parametric = Int32(); count = SizeT(); }
                else
                {
                    var header = Tokens(RequiredLine("$Nodes"));
                    if (header.Length < 4) throw Error("a node block header needs entityDim entityTag parametric numNodesInBlock");
                    entityDimension = ParseInt(header[0], "an entity dimension");
                    parametric = ParseInt(header[2], "the parametric flag");
                    count = ParseLong(header[3], "a block's node count");
                }
                CheckCount(count, binary ? sizeT : 2, "nodes");
                var extra = parametric == 1 ? entityDimension : 0;
                if (extra is < 0 or > 3) throw Error($"entity dimension {entityDimension}");
                var tags = new long[count];
                var tag = lineIntegers.AsSpan(0, 1);
                for (long i = 0; i < count; i++)
                {
                    if (binary) tags[i] = SizeT();
                    else if (Integers(RequiredLineBytes("$Nodes"), tag, "a node tag") == 1) tags[i] = tag[0];
                    else throw Error("a node tag line holds no tag");
                }
                var xyz = lineNumbers.AsSpan(0, 3 + extra);
                for (long i = 0; i < count; i++)
                {
                    if (binary)
                    {
                        double x = Double(), y = Double(), z = Double();
                        Skip(8 * extra);
                        AddNode(tags[i], x, y, z);
                    }
                    else
                    {
                        if (Numbers(RequiredLineBytes("$Nodes"), xyz, "a coordinate") < 3 + extra) throw Error("a node coordinate line needs x, y and z");
                        AddNode(tags[i], xyz[0], xyz[1], xyz[2]);
                    }
                }
            }
            if (nodeIndex.Count != total) throw Error($"$Nodes says {total} nodes but its blocks hold {nodeIndex.Count}");
            ExpectEnd("$EndNodes");
        }

        private void AddNode(long tag, double x, double y, double z)
        {
            if (!double.IsFinite(x) || !double.IsFinite(y) || !double.IsFinite(z)) throw Error($"node {tag} has a non-finite coordinate ({x}, {y}, {z})");
            if (!nodeIndex.TryAdd(tag, nodeIndex.Count)) throw Error($"node tag {tag} appears twice");
            positions.Add(x);
            positions.Add(y);
            zs.Add(z);
        }

        private void ReadElements()
        {
            if (version == "2.2") ReadElements22();
            else ReadElements41();
            ExpectEnd("$EndElements");
        }

        private void ReadElements22()
        {
            var count = ParseLong(RequiredLine("$Elements"), "the element count");
            if (!binary)
            {
                var values = lineIntegers.AsSpan();
                for (long i = 0; i < count; i++)
                {
                    var found = Integers(RequiredLineBytes("$Elements"), values, "an element tag, type, tag or node");
                    if (found < 3) throw Error("an element line needs tag, type and the number of tags");
                    var tagCount = values[2];
                    if (tagCount < 0 || 3 + tagCount > found) throw Error($"element {values[0]} says it has {tagCount} tags; its line holds {found - 3} numbers after them");
                    var physical = tagCount > 0 ? (int)values[3] : 0;
                    AddElement(values[0], (int)values[1], physical, values[(3 + (int)tagCount)..found]);
                }
                return;
            }
            long read = 0;
            while (read < count)
            {
                int type = Int32(), inBlock = Int32(), tagCount = Int32();
                var nodeCount = NodesOf(type, 0);
                CheckCount(inBlock, 4 * (1 + tagCount + nodeCount), "elements");
                for (var i = 0; i < inBlock; i++)
                {
                    var tag = Int32();
                    var physical = 0;
                    for (var t = 0; t < tagCount; t++)
                    {
                        var value = Int32();
                        if (t == 0) physical = value;
                    }
                    var nodes = lineIntegers.AsSpan(0, nodeCount);
                    for (var k = 0; k < nodeCount; k++) nodes[k] = Int32();
                    AddElement(tag, type, physical, nodes);
                }
                read += inBlock;
            }
        }

        private void ReadElements41()
        {
            long blocks;
            if (binary) { blocks = SizeT(); SizeT(); SizeT(); SizeT(); }
            else
            {
                var header = Tokens(RequiredLine("$Elements"));
                if (header.Length < 4) throw Error("the $Elements header needs numEntityBlocks numElements minElementTag maxElementTag");
                blocks = ParseLong(header[0], "a block count");
            }
            for (long b = 0; b < blocks; b++)
            {
                int dimension, entity, type;
                long count;
                if (binary) { dimension = Int32(); entity = Int32(); type = Int32(); count = SizeT(); }
                else
                {
                    var header = Tokens(RequiredLine("$Elements"));
                    if (header.Length < 4) throw Error("an element block header needs entityDim entityTag elementType numElementsInBlock");
                    dimension = ParseInt(header[0], "an entity dimension");
                    entity = ParseInt(header[1], "an entity tag");
                    type = ParseInt(header[2], "an element type");
                    count = ParseLong(header[3], "a block's element count");
                }
                var nodeCount = NodesOf(type, 0);
                CheckCount(count, binary ? sizeT * (1 + nodeCount) : 2, "elements");
                var physical = entityPhysical.GetValueOrDefault((dimension, entity));
                var values = lineIntegers.AsSpan(0, 8);
                for (long i = 0; i < count; i++)
                {
                    if (binary)
                    {
                        var tag = SizeT();
                        for (var k = 0; k < nodeCount; k++) values[k] = SizeT();
                        AddElement(tag, type, physical, values[..nodeCount]);
                    }
                    else
                    {
                        var found = Integers(RequiredLineBytes("$Elements"), values, "an element tag or node");
                        if (found < 1) throw Error("an element line holds no tag");
                        AddElement(values[0], type, physical, values[1..found]);
                    }
                }
            }
        }

        /// <summary>How many nodes an element of <paramref name="type"/> has; other types are errors.</summary>
        private int NodesOf(int type, long tag) => type switch
        {
            Line2 => 2,
            Triangle3 => 3,
            Quad4 => 4,
            Point1 => 1,
            4 or 5 or 6 or 7 => throw Error($"element {tag} is a 3D element (gmsh type {type}): GnnSim reads 2D meshes"),
            _ => throw Error($"element type {type} (element {tag}) is not one GnnSim reads: 2-node lines (1), 3-node triangles (2), 4-node quadrangles (3) and points (15); save first-order 2D meshes"),
        };

        private void AddElement(long tag, int type, int physical, ReadOnlySpan<long> nodeTags)
        {
            var expected = NodesOf(type, tag);
            if (nodeTags.Length != expected) throw Error($"element {tag} of type {type} lists {nodeTags.Length} nodes, not {expected}");
            var nodes = elementNodes.AsSpan(0, expected);
            for (var k = 0; k < expected; k++)
                if (!nodeIndex.TryGetValue(nodeTags[k], out nodes[k])) throw Error($"element {tag} names node {nodeTags[k]}, which $Nodes does not define");
            switch (type)
            {
                case Triangle3:
                    triangles.AddRange(nodes);
                    trianglePhysical.Add(physical);
                    break;
                case Quad4:
                    triangles.AddRange([nodes[0], nodes[1], nodes[2], nodes[0], nodes[2], nodes[3]]);
                    trianglePhysical.Add(physical);
                    trianglePhysical.Add(physical);
                    quads++;
                    break;
                case Line2:
                    lines.AddRange(nodes);
                    linePhysical.Add(physical);
                    break;
                default:
                    points.Add(nodes[0]);
                    pointPhysical.Add(physical);
                    break;
            }
        }

        private void SkipSection(string section)
        {
            var end = "$End" + section[1..];
            // Binary sections of unknown layout cannot be stepped through safely: look for the end marker.
            while (true)
            {
                var text = NextLine() ?? throw Error($"the file ends inside {section} (no {end})");
                if (text == end) return;
            }
        }

        // ---- ASCII lines ----

        private string? NextLine()
        {
            if (position >= bytes.Length) return null;
            var end = Array.IndexOf(bytes, (byte)'\n', position);
            if (end < 0) end = bytes.Length;
            var text = Encoding.UTF8.GetString(bytes, position, end - position).TrimEnd('\r');
            position = Math.Min(bytes.Length, end + 1);
            line++;
            return text;
        }

        private string? NextNonEmptyLine()
        {
            while (true)
            {
                var text = NextLine();
                if (text is null) return null;
                if (text.Trim().Length > 0) return text.Trim();
            }
        }

        private string RequiredLine(string section) => NextNonEmptyLine() ?? throw Error($"the file ends inside {section}");

        private void ExpectEnd(string end)
        {
            var text = NextNonEmptyLine();
            if (text != end) throw Error($"expected {end}, found '{Shorten(text ?? "the end of the file")}' (a count larger than the data, or a truncated file)");
        }

        /// <summary>The next non-empty line as UTF-8 bytes, without copying: the hot loops parse numbers straight from the file.</summary>
        private ReadOnlySpan<byte> RequiredLineBytes(string section)
        {
            while (position < bytes.Length)
            {
                var rest = bytes.AsSpan(position);
                var end = rest.IndexOf((byte)'\n');
                var text = end < 0 ? rest : rest[..end];
                position += end < 0 ? rest.Length : end + 1;
                line++;
                text = text.Trim(" \t\r"u8);
                if (!text.IsEmpty) return text;
            }
            throw Error($"the file ends inside {section}");
        }

        /// <summary>Up to <paramref name="values"/>.Length whitespace-separated integers of a line; returns how many it holds (more than fit is an error).</summary>
        private int Integers(ReadOnlySpan<byte> text, Span<long> values, string what)
        {
            var found = 0;
            foreach (var token in new Words(text))
            {
                if (found == values.Length) throw Error($"a line with more than {values.Length} numbers where {what} was expected");
                if (!long.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out values[found]))
                    throw Error($"'{Shorten(Encoding.UTF8.GetString(token))}' is not {what}");
                found++;
            }
            return found;
        }

        /// <summary>As <see cref="Integers"/>, for real numbers; numbers past <paramref name="values"/>' length are ignored (parametric coordinates).</summary>
        private int Numbers(ReadOnlySpan<byte> text, Span<double> values, string what)
        {
            var found = 0;
            foreach (var token in new Words(text))
            {
                if (found == values.Length) break;
                if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out values[found]))
                    throw Error($"'{Shorten(Encoding.UTF8.GetString(token))}' is not {what}");
                found++;
            }
            return found;
        }

        /// <summary>The words of a line, split at spaces and tabs, without allocating.</summary>
        private ref struct Words(ReadOnlySpan<byte> text)
        {
            private readonly ReadOnlySpan<byte> text = text;
            private int at;

            public ReadOnlySpan<byte> Current { get; private set; }

            public readonly Words GetEnumerator() => this;

            public bool MoveNext()
            {
                while (at < text.Length && text[at] is (byte)' ' or (byte)'\t') at++;
                if (at == text.Length) return false;
                var start = at;
                while (at < text.Length && text[at] is not ((byte)' ' or (byte)'\t')) at++;
                Current = text[start..at];
                return true;
            }
        }

        private static string[] Tokens(string? text) => (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

        private int ParseInt(string text, string what) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw Error($"'{Shorten(text)}' is not {what}");

        private long ParseLong(string text, string what) =>
            long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw Error($"'{Shorten(text)}' is not {what}");

        // ---- binary values (little-endian) ----

        // A view, not a copy: binary meshes are millions of these reads.
        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || position + count > bytes.Length) throw new InvalidDataException($"{path}: truncated at byte {position}: {count} more bytes expected, {bytes.Length - position} left");
            var slice = bytes.AsSpan(position, count);
            position += count;
            return slice;
        }

        private void Skip(int count) => Take(count);
        private int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        private double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        private long SizeT()
        {
            var value = sizeT == 8 ? BinaryPrimitives.ReadInt64LittleEndian(Take(8)) : BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
            if (value < 0) throw new InvalidDataException($"{path}: a size of {value} at byte {position - sizeT}");
            return value;
        }

        /// <summary>A count whose items (at least <paramref name="bytesEach"/> each) could not fit in what is left of the file is corrupt: say so before allocating for it.</summary>
        private void CheckCount(long count, int bytesEach, string what)
        {
            if (count < 0 || count > (bytes.Length - position + 1L) / Math.Max(1, bytesEach))
                throw Error($"{count} {what} cannot fit in the {bytes.Length - position} bytes left");
        }

        private InvalidDataException Error(string message) =>
            new(binary && position > 0 ? $"{path}: at byte {position}: {message}" : $"{path}: line {line - 1}: {message}");

        private static string Shorten(string text) => text.Length > 60 ? text[..60] + "..." : text;
    }
}
