using GnnSim.Graph;
using GnnSim.Meshing;

namespace GnnSim.Datasets.Gmsh;

/// <summary>
/// DeepMind node types for a gmsh mesh. A mapping like <c>inlet=inflow,outlet=outflow,walls=wall,cylinder=obstacle</c>
/// names physical groups (by name, or by tag where unnamed) and the type of their boundary nodes (the
/// nodes of their lines and points); lines in groups the mapping leaves out, and every line without
/// a mapping, make WALL_BOUNDARY nodes; the rest are NORMAL. A node on several boundaries takes the
/// strongest: wall, then obstacle (and airfoil, handle), then inflow, then outflow, so corners where an
/// inlet meets a wall are walls, as in DeepMind's cylinder_flow.
/// </summary>
public static class GmshNodeTypes
{
    /// <param name="mapping">"group=type,..." or null for the default (boundary lines are walls)</param>
    /// <param name="source">the file, for error messages</param>
    public static int[] Assign(GmshMesh mesh, string? mapping, string source)
    {
        var byTag = new Dictionary<int, NodeType>();
        if (!string.IsNullOrWhiteSpace(mapping))
        {
            foreach (var entry in mapping.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = entry.Split('=', StringSplitOptions.TrimEntries);
                if (parts.Length != 2) throw new ArgumentException($"--node-types entry '{entry}' is not GROUP=TYPE");
                var type = NodeTypeNames.Parse(parts[1], $"--node-types {entry}");
                var group = mesh.PhysicalGroups.FirstOrDefault(g => g.Dimension <= 1 && g.Name == parts[0])
                    ?? (int.TryParse(parts[0], out var tag) ? new GmshPhysicalGroup(1, tag, "") : null);
                var known = group is not null && (mesh.LinePhysical.Contains(group.Tag) || mesh.PointPhysical.Contains(group.Tag));
                if (!known)
                {
                    var available = mesh.LinePhysical.Concat(mesh.PointPhysical).Distinct().Order()
                        .Select(t => mesh.PhysicalGroups.FirstOrDefault(g => g.Tag == t && g.Dimension <= 1)?.Name is { Length: > 0 } name ? $"'{name}'" : $"{t}");
                    throw new InvalidDataException($"{source}: --node-types names group '{parts[0]}', which has no boundary lines or points here (groups: {string.Join(", ", available)})");
                }
                byTag[group!.Tag] = type;
            }
        }
        var types = new int[mesh.NodeCount];
        void Mark(int node, NodeType type)
        {
            if (NodeTypePriority.Of(type) > NodeTypePriority.Of((NodeType)types[node])) types[node] = (int)type;
        }
        for (var l = 0; l < mesh.LineCount; l++)
        {
            var type = byTag.GetValueOrDefault(mesh.LinePhysical[l], NodeType.WallBoundary);
            Mark(mesh.Lines[2 * l], type);
            Mark(mesh.Lines[2 * l + 1], type);
        }
        for (var p = 0; p < mesh.Points.Length; p++)
            if (byTag.TryGetValue(mesh.PointPhysical[p], out var type)) Mark(mesh.Points[p], type);
        return types;
    }

    /// <summary>
    /// The boundary of a triangle mesh (edges of exactly one triangle) as physical groups named by
    /// DeepMind node type (WALL_BOUNDARY, INFLOW, ...): each edge goes to the weaker boundary type of
    /// its two ends (an inflow node next to a wall corner keeps an inflow edge; the corner, on both
    /// kinds, reads back as the stronger wall), so a file written with them reads back to the same
    /// boundary types with the mapping
    /// <c>WALL_BOUNDARY=wall,INFLOW=inflow,OUTFLOW=outflow,OBSTACLE=obstacle</c>.
    /// </summary>
    public static List<GmshBoundaryGroup> BoundaryGroups(int[] triangles, IReadOnlyList<int> nodeTypes)
    {
        var groups = new SortedDictionary<int, List<int>>();
        foreach (var (a, b) in BoundaryEdges.Of(triangles))
        {
            NodeType ta = (NodeType)nodeTypes[a], tb = (NodeType)nodeTypes[b];
            var type = ta == NodeType.Normal ? tb : tb == NodeType.Normal ? ta : NodeTypePriority.Of(ta) <= NodeTypePriority.Of(tb) ? ta : tb;
            if (type == NodeType.Normal) type = NodeType.WallBoundary; // a boundary edge between NORMAL nodes is still a boundary
            if (!groups.TryGetValue((int)type, out var lines)) groups[(int)type] = lines = [];
            lines.AddRange([a, b]);
        }
        return groups.Select(g => new GmshBoundaryGroup(NodeTypeNames.Of(g.Key), g.Value.ToArray())).ToList();
    }
}
