using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.IO.Compression;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace GnnSim.Datasets.Vtu;

/// <summary>A VTU UnstructuredGrid as a 2D triangle mesh: positions (z dropped), triangles (quads split), point data by name.</summary>
public sealed record VtuMesh(double[] Positions, int[] Triangles, IReadOnlyDictionary<string, (int Components, double[] Values)> PointData, int QuadsSplit)
{
    public int NodeCount => Positions.Length / 2;
    public int TriangleCount => Triangles.Length / 3;
}

/// <summary>
/// Reads VTK XML UnstructuredGrid (.vtu) files as ParaView and meshio write them: data arrays in
/// ascii, inline base64 ("binary") or appended (raw or base64) form, with or without
/// vtkZLibDataCompressor, headers of UInt32 or UInt64. Triangles (VTK type 5) and quads (9, split)
/// make the mesh; vertices and lines (1, 3) are skipped; anything else is an error naming the file.
/// </summary>
public static class VtuReader
{
    public static VtuMesh Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such .vtu file", path);
        var bytes = File.ReadAllBytes(path);
        // Raw appended data is binary inside an XML file: cut it out (by bytes, without decoding it) before parsing the XML.
        ReadOnlyMemory<byte>? appended = null;
        string text;
        var marker = bytes.AsSpan().IndexOf("<AppendedData"u8);
        string? appendedEncoding = null;
        if (marker >= 0)
        {
            var tagEnd = bytes.AsSpan(marker).IndexOf((byte)'>');
            var start = tagEnd < 0 ? -1 : bytes.AsSpan(marker + tagEnd).IndexOf((byte)'_');
            var end = bytes.AsSpan().LastIndexOf("</AppendedData>"u8);
            if (start < 0 || end < marker + tagEnd + start) throw new InvalidDataException($"{path}: AppendedData without its '_' start marker or closing tag");
            var tag = Encoding.Latin1.GetString(bytes, marker, tagEnd);
            var encoding = System.Text.RegularExpressions.Regex.Match(tag, "encoding\\s*=\\s*\"([a-z0-9]+)\"");
            appendedEncoding = encoding.Success ? encoding.Groups[1].Value : "raw";
            if (appendedEncoding is not ("raw" or "base64")) throw new InvalidDataException($"{path}: AppendedData encoding {appendedEncoding}: raw or base64");
            var first = marker + tagEnd + start + 1;
            appended = bytes.AsMemory(first, end - first);
            text = Encoding.Latin1.GetString(bytes, 0, marker) + Encoding.Latin1.GetString(bytes, end + "</AppendedData>".Length, bytes.Length - end - "</AppendedData>".Length);
        }
        else text = Encoding.Latin1.GetString(bytes);
        XElement root;
        try { root = XDocument.Parse(text).Root!; }
        catch (XmlException e) { throw new InvalidDataException($"{path}: not well-formed XML: {e.Message}"); }
        if (root.Name.LocalName != "VTKFile" || (string?)root.Attribute("type") != "UnstructuredGrid")
            throw new InvalidDataException($"{path}: not a VTK UnstructuredGrid file (VTKFile type=\"UnstructuredGrid\")");
        if ((string?)root.Attribute("byte_order") is { } order && order != "LittleEndian") throw new InvalidDataException($"{path}: byte_order {order}: GnnSim reads LittleEndian files");
        var context = new Context(path, (string?)root.Attribute("header_type") == "UInt64" ? 8 : 4, root.Attribute("compressor")?.Value, appended, appendedEncoding);
        if (context.Compressor is { } compressor && compressor != "vtkZLibDataCompressor") throw new InvalidDataException($"{path}: compressor {compressor}: GnnSim reads vtkZLibDataCompressor or none");

        var pieces = root.Descendants().Where(e => e.Name.LocalName == "Piece").ToList();
        if (pieces.Count != 1) throw new InvalidDataException($"{path}: {pieces.Count} pieces; GnnSim reads single-piece grids");
        var piece = pieces[0];
        var n = ParseCount(piece, "NumberOfPoints", path);
        var c = ParseCount(piece, "NumberOfCells", path);
        var points = Child(piece, "Points", path).Elements().FirstOrDefault(e => e.Name.LocalName == "DataArray") ?? throw new InvalidDataException($"{path}: Points holds no DataArray");
        var xyz = Decode(points, context);
        var pointComponents = ParseCount(points, "NumberOfComponents", path, fallback: 1);
        if (pointComponents != 3 || xyz.Length != 3 * n) throw new InvalidDataException($"{path}: Points hold {xyz.Length} values in {pointComponents} components, expected 3 x {n}");
        var positions = new double[2 * n];
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(xyz[3 * i]) || !double.IsFinite(xyz[3 * i + 1])) throw new InvalidDataException($"{path}: point {i} has a non-finite coordinate");
            (positions[2 * i], positions[2 * i + 1]) = (xyz[3 * i], xyz[3 * i + 1]);
        }

        var cellsElement = Child(piece, "Cells", path);
        double[] Array(string name) => Decode(cellsElement.Elements().FirstOrDefault(e => e.Name.LocalName == "DataArray" && (string?)e.Attribute("Name") == name)
            ?? throw new InvalidDataException($"{path}: Cells has no '{name}' array"), context);
        double[] connectivity = Array("connectivity"), offsets = Array("offsets"), types = Array("types");
        if (offsets.Length != c || types.Length != c) throw new InvalidDataException($"{path}: {offsets.Length} offsets and {types.Length} types for {c} cells");
        var triangles = new List<int>(3 * c);
        var quads = 0;
        var previous = 0;
        for (var k = 0; k < c; k++)
        {
            var end = (int)offsets[k];
            if (end < previous || end > connectivity.Length) throw new InvalidDataException($"{path}: cell {k} ends at offset {offsets[k]}, outside {previous}..{connectivity.Length}");
            int Node(int at)
            {
                var node = connectivity[at];
                return node >= 0 && node < n && node == Math.Floor(node) ? (int)node : throw new InvalidDataException($"{path}: cell {k} names point {node}, outside 0..{n - 1}");
            }
            var count = end - previous;
            switch ((int)types[k])
            {
                case 5 when count == 3:
                    triangles.Add(Node(previous));
                    triangles.Add(Node(previous + 1));
                    triangles.Add(Node(previous + 2));
                    break;
                case 9 when count == 4:
                    int a = Node(previous), b = Node(previous + 1), cc = Node(previous + 2), d = Node(previous + 3);
                    triangles.Add(a); triangles.Add(b); triangles.Add(cc);
                    triangles.Add(a); triangles.Add(cc); triangles.Add(d);
                    quads++;
                    break;
                case 1 or 3: break; // vertices and lines: not part of the 2D mesh
                default: throw new InvalidDataException($"{path}: cell {k} has VTK type {types[k]} with {count} points; GnnSim reads triangles (5) and quads (9)");
            }
            previous = end;
        }
        if (triangles.Count == 0) throw new InvalidDataException($"{path}: no triangles or quads: not a 2D mesh");

        var pointData = new Dictionary<string, (int, double[])>();
        foreach (var array in piece.Elements().FirstOrDefault(e => e.Name.LocalName == "PointData")?.Elements().Where(e => e.Name.LocalName == "DataArray") ?? [])
        {
            var name = (string?)array.Attribute("Name") ?? throw new InvalidDataException($"{path}: a PointData array has no Name");
            var components = ParseCount(array, "NumberOfComponents", path, fallback: 1);
            var values = Decode(array, context);
            if (components < 1 || values.Length != components * n) throw new InvalidDataException($"{path}: point data '{name}' holds {values.Length} values, expected {components} x {n}");
            pointData[name] = (components, values);
        }
        return new VtuMesh(positions, triangles.ToArray(), pointData, quads);
    }

    private sealed record Context(string Path, int HeaderSize, string? Compressor, ReadOnlyMemory<byte>? Appended, string? AppendedEncoding);

    private static XElement Child(XElement parent, string name, string path) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == name) ?? throw new InvalidDataException($"{path}: the Piece has no {name}");

    private static int ParseCount(XElement element, string attribute, string path, int? fallback = null)
    {
        var text = (string?)element.Attribute(attribute);
        if (text is null && fallback is { } value) return value;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count : throw new InvalidDataException($"{path}: {element.Name.LocalName} {attribute}='{text}' is not a count");
    }

    private static double[] Decode(XElement array, Context context)
    {
        var name = (string?)array.Attribute("Name") ?? array.Name.LocalName;
        var type = (string?)array.Attribute("type") ?? throw new InvalidDataException($"{context.Path}: DataArray '{name}' has no type");
        var size = type switch
        {
            "Int8" or "UInt8" => 1, "Int16" or "UInt16" => 2, "Int32" or "UInt32" or "Float32" => 4, "Int64" or "UInt64" or "Float64" => 8,
            _ => throw new InvalidDataException($"{context.Path}: DataArray '{name}' has type {type}, not one VTK defines for numbers"),
        };
        var format = (string?)array.Attribute("format") ?? "ascii";
        try
        {
            switch (format)
            {
                case "ascii":
                    return AsciiNumbers(array.Value, type.Contains("Int"), context, name);
                case "binary":
                    return Values(Base64Block(array.Value.Trim(), context, name), type, size, context, name);
                case "appended":
                    if (context.Appended is not { } block) throw new InvalidDataException($"{context.Path}: DataArray '{name}' is appended, but the file has no AppendedData");
                    var offset = long.TryParse((string?)array.Attribute("offset"), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : throw new InvalidDataException($"{context.Path}: DataArray '{name}' has no offset");
                    if (offset > block.Length) throw new InvalidDataException($"{context.Path}: DataArray '{name}' starts at {offset}, past the {block.Length} appended bytes");
                    if (context.AppendedEncoding == "base64")
                        return Values(Base64Block(Encoding.ASCII.GetString(block.Span[(int)offset..]).Split('<')[0].Trim(), context, name), type, size, context, name);
                    return Values(RawBlock(block.Span[(int)offset..], context, name), type, size, context, name);
                default:
                    throw new InvalidDataException($"{context.Path}: DataArray '{name}' has format {format} (ascii, binary or appended)");
            }
        }
        catch (FormatException e) { throw new InvalidDataException($"{context.Path}: DataArray '{name}': bad base64 ({e.Message})"); }
        catch (InvalidDataException e) when (!e.Message.StartsWith(context.Path, StringComparison.Ordinal)) { throw new InvalidDataException($"{context.Path}: DataArray '{name}': {e.Message}"); }
    }

    private static long Header(ReadOnlySpan<byte> bytes, int size) => size == 8 ? BinaryPrimitives.ReadInt64LittleEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    /// <summary>Inline base64: uncompressed, header and data in one encoding; compressed, the header encoded on its own, then the blocks.</summary>
    private static byte[] Base64Block(string text, Context context, string name)
    {
        var hs = context.HeaderSize;
        if (context.Compressor is null)
        {
            var all = Convert.FromBase64String(text);
            if (all.Length < hs) throw new InvalidDataException("shorter than its header");
            var count = Header(all, hs);
            if (count < 0 || count > all.Length - hs) throw new InvalidDataException($"its header says {count} bytes, {all.Length - hs} follow");
            return all.AsSpan(hs, (int)count).ToArray();
        }
        int Chars(long bytes) => (int)(4 * ((bytes + 2) / 3));
        if (text.Length < Chars(3 * hs)) throw new InvalidDataException("shorter than its compression header");
        var first = Convert.FromBase64String(text[..Chars(3 * hs)]);
        var blocks = Header(first, hs);
        if (blocks < 0 || Chars((3 + blocks) * hs) > text.Length) throw new InvalidDataException($"its header lists {blocks} compressed blocks, more than it holds");
        var headerChars = Chars((3 + blocks) * hs);
        var header = Convert.FromBase64String(text[..headerChars]);
        return Inflate(header, Convert.FromBase64String(text[headerChars..]), hs);
    }

    private static ReadOnlySpan<byte> RawBlock(ReadOnlySpan<byte> data, Context context, string name)
    {
        var hs = context.HeaderSize;
        if (data.Length < hs) throw new InvalidDataException("the appended data ends inside its header");
        if (context.Compressor is null)
        {
            var count = Header(data, hs);
            if (count < 0 || count > data.Length - hs) throw new InvalidDataException($"its header says {count} bytes, {data.Length - hs} follow");
            return data.Slice(hs, (int)count);
        }
        var blocks = Header(data, hs);
        if (blocks < 0 || (3 + blocks) * hs > data.Length) throw new InvalidDataException($"its header lists {blocks} compressed blocks, more than the file holds");
        var headerLength = (int)((3 + blocks) * hs);
        var header = data[..headerLength].ToArray();
        long compressed = 0;
        for (var b = 0; b < blocks; b++) compressed += Header(header.AsSpan((3 + b) * hs), hs);
        if (compressed < 0 || compressed > data.Length - headerLength) throw new InvalidDataException($"its blocks need {compressed} bytes, {data.Length - headerLength} follow");
        return Inflate(header, data.Slice(headerLength, (int)compressed).ToArray(), hs);
    }

    /// <summary>zlib blocks (VTK's header: count, block size, last block's size, then each block's compressed size) inflated and joined.</summary>
    private static byte[] Inflate(byte[] header, byte[] compressed, int hs)
    {
        long blocks = Header(header, hs), blockSize = Header(header.AsSpan(hs), hs), last = Header(header.AsSpan(2 * hs), hs);
        if (blocks == 0) return [];
        var total = (blocks - 1) * blockSize + (last == 0 ? blockSize : last);
        if (blockSize <= 0 || total < 0 || total > 64L * compressed.Length + (1 << 20) || total > int.MaxValue)
            throw new InvalidDataException($"its header claims {total} uncompressed bytes from {compressed.Length} compressed ones");
        var output = new byte[total];
        long read = 0, written = 0;
        for (var b = 0; b < blocks; b++)
        {
            var size = Header(header.AsSpan((3 + b) * hs), hs);
            if (size < 0 || read + size > compressed.Length) throw new InvalidDataException($"block {b} runs past the data");
            var expected = b == blocks - 1 && last != 0 ? last : blockSize;
            using var inflater = new ZLibStream(new MemoryStream(compressed, (int)read, (int)size), CompressionMode.Decompress);
            var got = 0;
            while (got < expected)
            {
                var n = inflater.Read(output, (int)(written + got), (int)(expected - got));
                if (n == 0) throw new InvalidDataException($"block {b} inflates to {got} bytes, not {expected}");
                got += n;
            }
            read += size;
            written += expected;
        }
        return output;
    }

    private static double[] Values(ReadOnlySpan<byte> bytes, string type, int size, Context context, string name)
    {
        if (bytes.Length % size != 0) throw new InvalidDataException($"{bytes.Length} bytes are not whole {type} values");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("VTU reading assumes a little-endian machine");
        var values = new double[bytes.Length / size];
        // One loop per type: the type is looked at once, not per value.
        switch (type)
        {
            case "Int8": Widen(MemoryMarshal.Cast<byte, sbyte>(bytes), values); break;
            case "UInt8": Widen(bytes, values); break;
            case "Int16": Widen(MemoryMarshal.Cast<byte, short>(bytes), values); break;
            case "UInt16": Widen(MemoryMarshal.Cast<byte, ushort>(bytes), values); break;
            case "Int32": Widen(MemoryMarshal.Cast<byte, int>(bytes), values); break;
            case "UInt32": Widen(MemoryMarshal.Cast<byte, uint>(bytes), values); break;
            case "Int64": Widen(MemoryMarshal.Cast<byte, long>(bytes), values); break;
            case "UInt64": Widen(MemoryMarshal.Cast<byte, ulong>(bytes), values); break;
            case "Float32": Widen(MemoryMarshal.Cast<byte, float>(bytes), values); break;
            default: MemoryMarshal.Cast<byte, double>(bytes).CopyTo(values); break;
        }
        return values;
    }

    private static void Widen<T>(ReadOnlySpan<T> source, double[] values) where T : unmanaged, INumberBase<T>
    {
        for (var i = 0; i < values.Length; i++) values[i] = double.CreateTruncating(source[i]);
    }

    /// <summary>Whitespace-separated numbers, parsed from spans (no string per token).</summary>
    private static double[] AsciiNumbers(string text, bool integers, Context context, string name)
    {
        var values = new List<double>(text.Length / 8);
        var span = text.AsSpan();
        var at = 0;
        while (true)
        {
            while (at < span.Length && char.IsWhiteSpace(span[at])) at++;
            if (at == span.Length) break;
            var start = at;
            while (at < span.Length && !char.IsWhiteSpace(span[at])) at++;
            var token = span[start..at];
            // Integers (connectivity, offsets, types) parse several times faster as integers.
            if (integers && long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) values.Add(integer);
            else if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) values.Add(value);
            else throw new InvalidDataException($"{context.Path}: DataArray '{name}': '{token}' is not a number");
        }
        return values.ToArray();
    }
}
