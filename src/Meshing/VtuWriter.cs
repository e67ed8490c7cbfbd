using System.Globalization;
using System.Text;

namespace GnnSim.Meshing;

/// <summary>A node field to export: <c>[N, Components]</c> row-major.</summary>
public sealed record VtuField(string Name, float[] Values, int Components = 1);

/// <summary>
/// Writes a mesh and its node fields as a VTK XML unstructured grid (.vtu, ASCII), which ParaView
/// and VisIt open directly. Two-component fields are written as 3-vectors (z = 0) so ParaView
/// treats them as vectors (glyphs, stream lines).
/// </summary>
public static class VtuWriter
{
    private const int VtkTriangle = 5;
    private const int VtkQuad = 9;

    public static void Write(string path, Mesh2D mesh, IEnumerable<VtuField> fields, bool includeNodeTypes = true)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        var fieldList = fields.ToList();
        foreach (var field in fieldList)
        {
            if (field.Components < 1 || field.Values.Length != mesh.NodeCount * field.Components)
                throw new ArgumentException($"field '{field.Name}' has {field.Values.Length} values; {mesh.NodeCount} nodes x {field.Components} components needs {mesh.NodeCount * field.Components}");
            if (string.IsNullOrWhiteSpace(field.Name) || field.Name.Any(c => c is '"' or '<' or '>' or '&'))
                throw new ArgumentException($"field name '{field.Name}' cannot be written to XML");
        }
        var text = new StringBuilder();
        text.AppendLine("<?xml version=\"1.0\"?>");
        text.AppendLine("<VTKFile type=\"UnstructuredGrid\" version=\"0.1\" byte_order=\"LittleEndian\">");
        text.AppendLine("  <UnstructuredGrid>");
        text.AppendLine(Invariant($"    <Piece NumberOfPoints=\"{mesh.NodeCount}\" NumberOfCells=\"{mesh.CellCount}\">"));
        text.AppendLine("      <PointData>");
        if (includeNodeTypes)
        {
            text.AppendLine("        <DataArray type=\"Int32\" Name=\"node_type\" format=\"ascii\">");
            AppendRows(text, mesh.NodeTypes().Select(x => x.ToString(CultureInfo.InvariantCulture)), 1);
            text.AppendLine("        </DataArray>");
        }
        foreach (var field in fieldList)
        {
            var components = field.Components == 2 ? 3 : field.Components;
            text.AppendLine(Invariant($"        <DataArray type=\"Float32\" Name=\"{field.Name}\" NumberOfComponents=\"{components}\" format=\"ascii\">"));
            AppendRows(text, Expand(field, components), components);
            text.AppendLine("        </DataArray>");
        }
        text.AppendLine("      </PointData>");
        text.AppendLine("      <Points>");
        text.AppendLine("        <DataArray type=\"Float64\" NumberOfComponents=\"3\" format=\"ascii\">");
        AppendRows(text, Enumerable.Range(0, mesh.NodeCount).SelectMany(i => new[] { Format(mesh.Positions[2 * i]), Format(mesh.Positions[2 * i + 1]), "0" }), 3);
        text.AppendLine("        </DataArray>");
        text.AppendLine("      </Points>");
        text.AppendLine("      <Cells>");
        text.AppendLine("        <DataArray type=\"Int32\" Name=\"connectivity\" format=\"ascii\">");
        AppendRows(text, mesh.Cells.Select(x => x.ToString(CultureInfo.InvariantCulture)), mesh.VerticesPerCell);
        text.AppendLine("        </DataArray>");
        text.AppendLine("        <DataArray type=\"Int32\" Name=\"offsets\" format=\"ascii\">");
        AppendRows(text, Enumerable.Range(1, mesh.CellCount).Select(c => (c * mesh.VerticesPerCell).ToString(CultureInfo.InvariantCulture)), 1);
        text.AppendLine("        </DataArray>");
        text.AppendLine("        <DataArray type=\"UInt8\" Name=\"types\" format=\"ascii\">");
        var type = (mesh.VerticesPerCell == 3 ? VtkTriangle : VtkQuad).ToString(CultureInfo.InvariantCulture);
        AppendRows(text, Enumerable.Repeat(type, mesh.CellCount), 1);
        text.AppendLine("        </DataArray>");
        text.AppendLine("      </Cells>");
        text.AppendLine("    </Piece>");
        text.AppendLine("  </UnstructuredGrid>");
        text.AppendLine("</VTKFile>");

        // Written under a temporary name and renamed, so a reader never sees half a file.
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, full, overwrite: true);
    }

    private static IEnumerable<string> Expand(VtuField field, int components)
    {
        var nodes = field.Values.Length / field.Components;
        for (var i = 0; i < nodes; i++)
        for (var c = 0; c < components; c++)
            yield return c < field.Components ? Format(field.Values[i * field.Components + c]) : "0";
    }

    private static void AppendRows(StringBuilder text, IEnumerable<string> values, int perRow)
    {
        var column = 0;
        foreach (var value in values)
        {
            if (column == 0) text.Append("          ");
            else text.Append(' ');
            text.Append(value);
            if (++column == perRow)
            {
                text.Append('\n');
                column = 0;
            }
        }
        if (column != 0) text.Append('\n');
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
