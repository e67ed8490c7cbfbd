using System.Globalization;
using System.Text;

namespace GnnSim.Datasets.Gmsh;

/// <summary>A named set of boundary line segments <c>[L, 2]</c>, written as one physical curve.</summary>
public sealed record GmshBoundaryGroup(string Name, int[] Lines);

/// <summary>
/// Writes a 2D triangle mesh as gmsh 4.1 ASCII, so our triangulations open in gmsh: one surface
/// entity holding every node and triangle (physical group "domain"), one curve entity per boundary
/// group with its line elements and physical name. Written to a temporary name and renamed.
/// </summary>
public static class GmshWriter
{
    public static void Write(string path, double[] positions, int[] triangles, IReadOnlyList<GmshBoundaryGroup>? boundary = null)
    {
        if (positions.Length % 2 != 0 || positions.Length == 0) throw new ArgumentException($"{positions.Length} coordinates are not [N, 2]");
        if (triangles.Length % 3 != 0 || triangles.Length == 0) throw new ArgumentException($"{triangles.Length} indices are not [C, 3]");
        var n = positions.Length / 2;
        boundary ??= [];
        foreach (var index in triangles.Concat(boundary.SelectMany(g => g.Lines)))
            if ((uint)index >= (uint)n) throw new ArgumentException($"an element names node {index}, outside 0..{n - 1}");
        if (boundary.Any(g => g.Lines.Length % 2 != 0)) throw new ArgumentException("boundary lines must be [L, 2]");
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        string Number(double value) => value.ToString("R", c);
        (double, double, double, double) Box(IEnumerable<int> nodes)
        {
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            foreach (var node in nodes)
            {
                minX = Math.Min(minX, positions[2 * node]);
                maxX = Math.Max(maxX, positions[2 * node]);
                minY = Math.Min(minY, positions[2 * node + 1]);
                maxY = Math.Max(maxY, positions[2 * node + 1]);
            }
            return (minX, minY, maxX, maxY);
        }

        text.Append("$MeshFormat\n4.1 0 8\n$EndMeshFormat\n");
        var surfaceTag = boundary.Count + 1;
        text.Append(c, $"$PhysicalNames\n{boundary.Count + 1}\n");
        for (var g = 0; g < boundary.Count; g++) text.Append(c, $"1 {g + 1} \"{boundary[g].Name.Replace("\"", "'")}\"\n");
        text.Append(c, $"2 {surfaceTag} \"domain\"\n$EndPhysicalNames\n");

        text.Append(c, $"$Entities\n0 {boundary.Count} 1 0\n");
        for (var g = 0; g < boundary.Count; g++)
        {
            var (minX, minY, maxX, maxY) = Box(boundary[g].Lines);
            text.Append(c, $"{g + 1} {Number(minX)} {Number(minY)} 0 {Number(maxX)} {Number(maxY)} 0 1 {g + 1} 0\n");
        }
        var (sx0, sy0, sx1, sy1) = Box(Enumerable.Range(0, n));
        text.Append(c, $"1 {Number(sx0)} {Number(sy0)} 0 {Number(sx1)} {Number(sy1)} 0 1 {surfaceTag} {boundary.Count}");
        for (var g = 0; g < boundary.Count; g++) text.Append(c, $" {g + 1}");
        text.Append("\n$EndEntities\n");

        // Every node on the surface entity: lines on the boundary curves refer to them by tag.
        text.Append(c, $"$Nodes\n1 {n} 1 {n}\n2 1 0 {n}\n");
        for (var i = 1; i <= n; i++) text.Append(c, $"{i}\n");
        for (var i = 0; i < n; i++) text.Append(c, $"{Number(positions[2 * i])} {Number(positions[2 * i + 1])} 0\n");
        text.Append("$EndNodes\n");

        var lineCount = boundary.Sum(g => g.Lines.Length / 2);
        var total = lineCount + triangles.Length / 3;
        text.Append(c, $"$Elements\n{boundary.Count + 1} {total} 1 {total}\n");
        var tag = 1;
        for (var g = 0; g < boundary.Count; g++)
        {
            var lines = boundary[g].Lines;
            text.Append(c, $"1 {g + 1} 1 {lines.Length / 2}\n");
            for (var k = 0; k < lines.Length; k += 2) text.Append(c, $"{tag++} {lines[k] + 1} {lines[k + 1] + 1}\n");
        }
        text.Append(c, $"2 1 2 {triangles.Length / 3}\n");
        for (var k = 0; k < triangles.Length; k += 3) text.Append(c, $"{tag++} {triangles[k] + 1} {triangles[k + 1] + 1} {triangles[k + 2] + 1}\n");
        text.Append("$EndElements\n");
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>A mesh read from gmsh, written back: its line elements grouped by physical group (named, or "group TAG").</summary>
    public static void Write(string path, GmshMesh mesh)
    {
        var groups = mesh.LinePhysical.Distinct().Order().Select(tag =>
        {
            var lines = Enumerable.Range(0, mesh.LineCount).Where(l => mesh.LinePhysical[l] == tag).SelectMany(l => new[] { mesh.Lines[2 * l], mesh.Lines[2 * l + 1] }).ToArray();
            var name = mesh.Group(1, tag)?.Name is { Length: > 0 } named ? named : tag == 0 ? "boundary" : $"group {tag}";
            return new GmshBoundaryGroup(name, lines);
        }).ToList();
        Write(path, mesh.Positions, mesh.Triangles, groups);
    }
}
