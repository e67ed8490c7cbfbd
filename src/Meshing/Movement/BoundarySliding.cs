namespace GnnSim.Meshing.Movement;

/// <summary>What a moved node may do.</summary>
public enum NodeFreedom
{
    /// <summary>Inside the domain: anywhere.</summary>
    Free,
    /// <summary>On a straight piece of boundary: along it, between the corners that end it.</summary>
    Slide,
    /// <summary>A corner (where the boundary turns) or an irregular boundary node: stays.</summary>
    Fixed,
}

/// <summary>
/// The boundary rule of mesh movement (the Monge-Ampere mover's and UM2N's): boundary nodes slide
/// along the straight run of boundary they lie on and cannot pass the corners that end it; corners
/// stay. Runs are found from the mesh itself: consecutive boundary edges that are collinear form a
/// run, and a node where the boundary turns is a corner. A polygonal circle is all corners, so its
/// nodes stay, as the reference movers do with curved boundaries.
/// </summary>
public sealed class BoundarySliding
{
    /// <summary>Boundary edges meeting at a node count as one straight line below this turn (radians).</summary>
    const double StraightTolerance = 1e-9;

    readonly double[] original;   // [N, 2]
    readonly double[] origin;     // [N, 2]: the run's first corner, for sliding nodes
    readonly double[] direction;  // [N, 2]: unit direction of the run
    readonly double[] runLength;  // [N]

    public BoundarySliding(Mesh2D mesh)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        var p = mesh.Positions;
        original = (double[])p.Clone();
        var n = mesh.NodeCount;
        Freedom = new NodeFreedom[n];
        origin = new double[2 * n];
        direction = new double[2 * n];
        runLength = new double[n];

        // The boundary as a successor map: edge a -> b with the domain on its left.
        var next = new Dictionary<int, List<int>>();
        var previous = new Dictionary<int, List<int>>();
        foreach (var (a, b) in OrientedBoundaryEdges(mesh))
        {
            (next.TryGetValue(a, out var nl) ? nl : next[a] = []).Add(b);
            (previous.TryGetValue(b, out var pl) ? pl : previous[b] = []).Add(a);
        }
        var straight = new bool[n];
        var regular = new bool[n];
        foreach (var node in next.Keys.Union(previous.Keys))
        {
            Freedom[node] = NodeFreedom.Fixed;
            if (!next.TryGetValue(node, out var after) || !previous.TryGetValue(node, out var before) || after.Count != 1 || before.Count != 1) continue;
            regular[node] = true;
            straight[node] = Turn(p, before[0], node, after[0]) < StraightTolerance;
        }
        foreach (var node in next.Keys)
        {
            if (!straight[node]) continue;
            // Walk back and forth along the run to the corners that end it.
            int Walk(int from, Dictionary<int, List<int>> step)
            {
                var at = from;
                for (var guard = 0; guard <= n && straight[at]; guard++) at = step[at][0];
                return straight[at] ? -1 : at;
            }
            int start = Walk(node, previous), end = Walk(node, next);
            if (start < 0 || end < 0 || start == end) continue; // no corner found: keep the node where it is
            double dx = p[2 * end] - p[2 * start], dy = p[2 * end + 1] - p[2 * start + 1];
            var length = Math.Sqrt(dx * dx + dy * dy);
            Freedom[node] = NodeFreedom.Slide;
            origin[2 * node] = p[2 * start];
            origin[2 * node + 1] = p[2 * start + 1];
            direction[2 * node] = dx / length;
            direction[2 * node + 1] = dy / length;
            runLength[node] = length;
        }
    }

    public NodeFreedom[] Freedom { get; }
    public int NodeCount => Freedom.Length;

    /// <summary>
    /// The run of each node as (origin x, origin y, direction x, direction y, length); zero for
    /// nodes that do not slide. The learned mover builds its boundary projection from these.
    /// </summary>
    public (double[] Origin, double[] Direction, double[] Length) Runs => (origin, direction, runLength);

    /// <summary>The node positions the rule was built on.</summary>
    public double[] Original => original;

    /// <summary>Removes what a displacement field <c>[N, 2]</c> would move off the boundary: the normal part on runs, all of it at corners.</summary>
    public void ConstrainDisplacement(double[] displacement)
    {
        CheckLength(displacement);
        for (var i = 0; i < NodeCount; i++)
        {
            switch (Freedom[i])
            {
                case NodeFreedom.Fixed:
                    displacement[2 * i] = displacement[2 * i + 1] = 0;
                    break;
                case NodeFreedom.Slide:
                    var along = displacement[2 * i] * direction[2 * i] + displacement[2 * i + 1] * direction[2 * i + 1];
                    displacement[2 * i] = along * direction[2 * i];
                    displacement[2 * i + 1] = along * direction[2 * i + 1];
                    break;
            }
        }
    }

    /// <summary>Puts boundary nodes of <paramref name="positions"/> <c>[N, 2]</c> back on their run (clamped to its corners) or their corner.</summary>
    public void Project(double[] positions)
    {
        CheckLength(positions);
        for (var i = 0; i < NodeCount; i++)
        {
            switch (Freedom[i])
            {
                case NodeFreedom.Fixed:
                    positions[2 * i] = original[2 * i];
                    positions[2 * i + 1] = original[2 * i + 1];
                    break;
                case NodeFreedom.Slide:
                    var s = (positions[2 * i] - origin[2 * i]) * direction[2 * i] + (positions[2 * i + 1] - origin[2 * i + 1]) * direction[2 * i + 1];
                    s = Math.Clamp(s, 0, runLength[i]);
                    positions[2 * i] = origin[2 * i] + s * direction[2 * i];
                    positions[2 * i + 1] = origin[2 * i + 1] + s * direction[2 * i + 1];
                    break;
            }
        }
    }

    /// <summary>The largest distance of a boundary node of <paramref name="positions"/> from where the rule allows it.</summary>
    public double BoundaryViolation(double[] positions)
    {
        var projected = (double[])positions.Clone();
        Project(projected);
        double worst = 0;
        for (var i = 0; i < NodeCount; i++)
            worst = Math.Max(worst, Math.Sqrt(Math.Pow(projected[2 * i] - positions[2 * i], 2) + Math.Pow(projected[2 * i + 1] - positions[2 * i + 1], 2)));
        return worst;
    }

    void CheckLength(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != 2 * NodeCount) throw new ArgumentException($"{values.Length} values for {NodeCount} nodes of (x, y)");
    }

    /// <summary>The angle (radians) by which the boundary turns at <paramref name="at"/>.</summary>
    static double Turn(double[] p, int before, int at, int after)
    {
        double ux = p[2 * at] - p[2 * before], uy = p[2 * at + 1] - p[2 * before + 1];
        double vx = p[2 * after] - p[2 * at], vy = p[2 * after + 1] - p[2 * at + 1];
        return Math.Abs(Math.Atan2(ux * vy - uy * vx, ux * vx + uy * vy));
    }

    static IEnumerable<(int A, int B)> OrientedBoundaryEdges(Mesh2D mesh)
    {
        var cells = mesh.Cells;
        var k = mesh.VerticesPerCell;
        var uses = new Dictionary<(int, int), (int A, int B, int Count)>();
        for (var c = 0; c < mesh.CellCount; c++)
        for (var e = 0; e < k; e++)
        {
            int a = cells[k * c + e], b = cells[k * c + (e + 1) % k];
            var key = (Math.Min(a, b), Math.Max(a, b));
            uses[key] = uses.TryGetValue(key, out var seen) ? seen with { Count = seen.Count + 1 } : (a, b, 1);
        }
        return uses.Values.Where(u => u.Count == 1).Select(u => (u.A, u.B));
    }
}
