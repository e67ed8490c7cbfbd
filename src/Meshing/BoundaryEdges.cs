namespace GnnSim.Meshing;

/// <summary>The boundary of a triangle mesh: its edges that belong to exactly one triangle.</summary>
public static class BoundaryEdges
{
    /// <summary>Each boundary edge once, as (smaller node, larger node).</summary>
    public static List<(int A, int B)> Of(int[] triangles)
    {
        var uses = new Dictionary<(int, int), int>();
        for (var t = 0; t < triangles.Length; t += 3)
        for (var k = 0; k < 3; k++)
        {
            int a = triangles[t + k], b = triangles[t + (k + 1) % 3];
            var key = (Math.Min(a, b), Math.Max(a, b));
            uses[key] = uses.GetValueOrDefault(key) + 1;
        }
        return uses.Where(e => e.Value == 1).Select(e => e.Key).ToList();
    }
}
