using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace GnnSim.Meshing;

/// <summary>A node field to export: <c>[N, Components]</c> row-major.</summary>
public sealed record VtuField(string Name, float[] Values, int Components = 1);

/// <summary>How a .vtu holds its numbers: ASCII text, or raw little-endian bytes appended after the XML (ParaView's own default, uncompressed).</summary>
public enum VtuEncoding { Ascii, AppendedRaw }

/// <summary>
/// Writes a mesh and its node fields as a VTK XML unstructured grid (.vtu), which ParaView and
/// VisIt open directly, and .pvd collections that play such files in time. Two-component fields
/// are written as 3-vectors (z = 0) so ParaView treats them as vectors (glyphs, stream lines).
/// </summary>
public static class VtuWriter
{
    private const int VtkTriangle = 5;
    private const int VtkQuad = 9;

    public static void Write(string path, Mesh2D mesh, IEnumerable<VtuField> fields, bool includeNodeTypes = true, VtuEncoding encoding = VtuEncoding.Ascii)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        var arrays = new List<(string Name, string Type, int Components, Array Values)>();
        if (includeNodeTypes) arrays.Add(("node_type", "Int32", 1, mesh.NodeTypes().Select(t => (int)t).ToArray()));
        foreach (var field in fields)
        {
            if (field.Components < 1 || field.Values.Length != mesh.NodeCount * field.Components)
                throw new ArgumentException($"field '{field.Name}' has {field.Values.Length} values; {mesh.NodeCount} nodes x {field.Components} components needs {mesh.NodeCount * field.Components}");
            if (string.IsNullOrWhiteSpace(field.Name) || field.Name.Any(c => c is '"' or '<' or '>' or '&'))
                throw new ArgumentException($"field name '{field.Name}' cannot be written to XML");
            var components = field.Components == 2 ? 3 : field.Components;
            arrays.Add((field.Name, "Float32", components, components == field.Components ? field.Values : Expand(field.Values, field.Components, components)));
        }
        // Points as Float32 where that loses nothing (meshes that came from float32 data): half the bytes, and short ASCII.
        var single = mesh.Positions.All(v => (double)(float)v == v);
        Array points = single ? Points(mesh.Positions, v => (float)v) : Points(mesh.Positions, v => v);
        var offsets = new int[mesh.CellCount];
        for (var c = 0; c < offsets.Length; c++) offsets[c] = (c + 1) * mesh.VerticesPerCell;
        var types = new byte[mesh.CellCount];
        Array.Fill(types, (byte)(mesh.VerticesPerCell == 3 ? VtkTriangle : VtkQuad));

        // Written under a temporary name and renamed, so a reader never sees half a file.
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var document = new Document(stream, encoding);
            document.Line("<?xml version=\"1.0\"?>");
            document.Line($"<VTKFile type=\"UnstructuredGrid\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">");
            document.Line("  <UnstructuredGrid>");
            document.Line(Invariant($"    <Piece NumberOfPoints=\"{mesh.NodeCount}\" NumberOfCells=\"{mesh.CellCount}\">"));
            document.Line("      <PointData>");
            foreach (var (name, type, components, values) in arrays) document.Array(name, type, components, values);
            document.Line("      </PointData>");
            document.Line("      <Points>");
            document.Array(null, single ? "Float32" : "Float64", 3, points);
            document.Line("      </Points>");
            document.Line("      <Cells>");
            document.Array("connectivity", "Int32", mesh.VerticesPerCell, mesh.Cells);
            document.Array("offsets", "Int32", 1, offsets);
            document.Array("types", "UInt8", 1, types);
            document.Line("      </Cells>");
            document.Line("    </Piece>");
            document.Line("  </UnstructuredGrid>");
            document.Finish();
            document.Line("</VTKFile>");
        }
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>A .pvd collection: <paramref name="steps"/>' files (relative to the .pvd) at their times, for ParaView's time controls.</summary>
    public static void WriteCollection(string path, IEnumerable<(double Time, string File)> steps)
    {
        var collection = new XElement("Collection", steps.Select(step => new XElement("DataSet",
            new XAttribute("timestep", step.Time.ToString("G12", CultureInfo.InvariantCulture)), new XAttribute("part", "0"), new XAttribute("file", step.File))));
        var pvd = new XDocument(new XDeclaration("1.0", null, null),
            new XElement("VTKFile", new XAttribute("type", "Collection"), new XAttribute("version", "0.1"), new XAttribute("byte_order", "LittleEndian"), collection));
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        using (var writer = XmlWriter.Create(temporary, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) })) pvd.Save(writer);
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>2D positions as VTK's 3D points, z = 0.</summary>
    private static T[] Points<T>(double[] positions, Func<double, T> convert)
    {
        var points = new T[positions.Length / 2 * 3];
        for (var i = 0; i < positions.Length / 2; i++)
        {
            points[3 * i] = convert(positions[2 * i]);
            points[3 * i + 1] = convert(positions[2 * i + 1]);
        }
        return points;
    }

    private static float[] Expand(float[] values, int from, int to)
    {
        var nodes = values.Length / from;
        var result = new float[nodes * to];
        for (var i = 0; i < nodes; i++)
        for (var c = 0; c < from; c++) result[i * to + c] = values[i * from + c];
        return result;
    }

    /// <summary>The XML written straight to the stream; appended arrays are queued and written after it, each behind its UInt64 byte count.</summary>
    private sealed class Document(Stream stream, VtuEncoding encoding)
    {
        private readonly List<Array> appended = [];
        private long offset;
        private readonly byte[] number = new byte[32];

        public void Line(string text)
        {
            Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(text.Length) + 1];
            var count = Encoding.UTF8.GetBytes(text, bytes);
            bytes[count] = (byte)'\n';
            stream.Write(bytes[..(count + 1)]);
        }

        public void Array(string? name, string type, int components, Array values)
        {
            var attributes = Invariant($"type=\"{type}\"{(name is null ? "" : $" Name=\"{name}\"")} NumberOfComponents=\"{components}\"");
            if (encoding == VtuEncoding.AppendedRaw)
            {
                Line(Invariant($"        <DataArray {attributes} format=\"appended\" offset=\"{offset}\"/>"));
                appended.Add(values);
                offset += sizeof(ulong) + (long)Buffer.ByteLength(values);
                return;
            }
            Line($"        <DataArray {attributes} format=\"ascii\">");
            var column = 0;
            var length = values.Length;
            for (var k = 0; k < length; k++)
            {
                int written;
                var ok = values switch
                {
                    float[] f => f[k].TryFormat(number, out written, "R", CultureInfo.InvariantCulture),
                    double[] d => d[k].TryFormat(number, out written, "R", CultureInfo.InvariantCulture),
                    int[] i => i[k].TryFormat(number, out written, default, CultureInfo.InvariantCulture),
                    byte[] b => b[k].TryFormat(number, out written, default, CultureInfo.InvariantCulture),
                    _ => throw new ArgumentException($"cannot write {values.GetType().Name} to VTU"),
                };
                if (!ok) throw new InvalidOperationException("a number longer than 32 characters");
                stream.Write(column == 0 ? "          "u8 : " "u8);
                stream.Write(number, 0, written);
                if (++column == components)
                {
                    stream.WriteByte((byte)'\n');
                    column = 0;
                }
            }
            if (column != 0) stream.WriteByte((byte)'\n');
            Line("        </DataArray>");
        }

        /// <summary>The appended block: "_" then each array's byte count and bytes, in the order the DataArrays named their offsets.</summary>
        public void Finish()
        {
            if (appended.Count == 0) return;
            stream.Write("  <AppendedData encoding=\"raw\">\n   _"u8);
            Span<byte> header = stackalloc byte[sizeof(ulong)];
            foreach (var values in appended)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)Buffer.ByteLength(values));
                stream.Write(header);
                stream.Write(values switch
                {
                    float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
                    double[] d => MemoryMarshal.AsBytes(d.AsSpan()),
                    int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
                    byte[] b => b.AsSpan(),
                    _ => throw new ArgumentException($"cannot write {values.GetType().Name} to VTU"),
                });
            }
            stream.Write("\n  </AppendedData>\n"u8);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
