namespace GnnSim.Meshing;

/// <summary>
/// The mutable triangulation behind the mesher: counterclockwise triangles in flat arrays with
/// neighbour links, edges that may carry a constraint tag, Bowyer-Watson point insertion, segment
/// recovery and hole carving. Edge <c>k</c> of triangle <c>t</c> is the one opposite corner
/// <c>k</c>, from corner <c>k+1</c> to corner <c>k+2</c>. Vertices 0..2 are a super-triangle that
/// encloses everything and is carved away at the end.
/// </summary>
internal sealed class Triangulation
{
    public const int NoTag = 0;
    private Point2[] points = new Point2[64];
    private int[] vertexTriangle = new int[64];
    private int[] corners = new int[3 * 128];
    private int[] neighbors = new int[3 * 128];
    private int[] edgeTags = new int[3 * 128];
    private int[] marks = new int[128];
    private int markStamp;
    private int triangleSlots;
    private readonly Stack<int> freeSlots = new();

    // Scratch for insertions, reused to keep the hot path allocation-free.
    private readonly List<int> cavity = new();
    private readonly List<(int U, int V, int Outer, int OuterEdge, int Tag)> cavityRim = new();
    private readonly List<int> created = new();

    public Triangulation(double minX, double minY, double maxX, double maxY)
    {
        var size = Math.Max(Math.Max(maxX - minX, maxY - minY), 1e-300);
        double cx = 0.5 * (minX + maxX), cy = 0.5 * (minY + maxY);
        AddVertex(new Point2(cx - 20 * size, cy - 10 * size));
        AddVertex(new Point2(cx + 20 * size, cy - 10 * size));
        AddVertex(new Point2(cx, cy + 20 * size));
        LastTriangle = CreateTriangle(0, 1, 2);
    }

    public int VertexCount { get; private set; }
    public int TriangleSlots => triangleSlots;
    public int LastTriangle { get; private set; }

    public Point2 Point(int vertex) => points[vertex];
    public bool IsAlive(int t) => corners[3 * t] >= 0;
    public int Corner(int t, int k) => corners[3 * t + k];
    public int Neighbor(int t, int k) => neighbors[3 * t + k];
    public int EdgeTag(int t, int k) => edgeTags[3 * t + k];
    public static int Next(int k) => k == 2 ? 0 : k + 1;
    public static int Prev(int k) => k == 0 ? 2 : k - 1;
    public (int U, int V) EdgeVertices(int t, int k) => (corners[3 * t + Next(k)], corners[3 * t + Prev(k)]);

    public int AddVertex(Point2 p)
    {
        if (VertexCount == points.Length)
        {
            Array.Resize(ref points, 2 * points.Length);
            Array.Resize(ref vertexTriangle, 2 * vertexTriangle.Length);
        }
        points[VertexCount] = p;
        vertexTriangle[VertexCount] = -1;
        return VertexCount++;
    }

    private int CreateTriangle(int a, int b, int c)
    {
        int t;
        if (freeSlots.Count > 0) t = freeSlots.Pop();
        else
        {
            t = triangleSlots++;
            if (3 * triangleSlots > corners.Length)
            {
                var grown = 2 * corners.Length;
                Array.Resize(ref corners, grown);
                Array.Resize(ref neighbors, grown);
                Array.Resize(ref edgeTags, grown);
                Array.Resize(ref marks, grown / 3);
            }
        }
        corners[3 * t] = a;
        corners[3 * t + 1] = b;
        corners[3 * t + 2] = c;
        for (var k = 0; k < 3; k++)
        {
            neighbors[3 * t + k] = -1;
            edgeTags[3 * t + k] = NoTag;
        }
        marks[t] = 0;
        vertexTriangle[a] = vertexTriangle[b] = vertexTriangle[c] = t;
        return t;
    }

    private void Kill(int t)
    {
        corners[3 * t] = corners[3 * t + 1] = corners[3 * t + 2] = -1;
        freeSlots.Push(t);
    }

    private int NewMark() => ++markStamp;

    private void Link(int t, int k, int n, int tag)
    {
        neighbors[3 * t + k] = n;
        edgeTags[3 * t + k] = tag;
        if (n < 0) return;
        var j = EdgeIndexFacing(n, t);
        neighbors[3 * n + j] = t;
        edgeTags[3 * n + j] = tag;
    }

    private int EdgeIndexFacing(int t, int neighbor)
    {
        for (var k = 0; k < 3; k++)
            if (neighbors[3 * t + k] == neighbor) return k;
        throw new InvalidOperationException("meshing: broken neighbour links");
    }

    private int IndexOf(int t, int vertex)
    {
        for (var k = 0; k < 3; k++)
            if (corners[3 * t + k] == vertex) return k;
        return -1;
    }

    // ---- point location ----------------------------------------------------------------

    public enum Location { Inside, OnVertex, Outside, Blocked }

    /// <summary>
    /// Walks along the straight line from the centre of <paramref name="start"/> to
    /// <paramref name="p"/>. Inside: p is in triangle <c>t</c> or on its boundary. OnVertex: p
    /// equals corner <c>k</c> of <c>t</c>. Outside / Blocked: the walk had to leave through edge
    /// <c>k</c> of <c>t</c>, which has no neighbour / is constrained (blocked only when
    /// <paramref name="stopAtConstraints"/>).
    /// </summary>
    public (Location Where, int Triangle, int Edge) Locate(Point2 p, int start, bool stopAtConstraints)
    {
        var t = start;
        var origin = Centroid(t);
        var limit = 4 * triangleSlots + 16;
        for (var step = 0; ; step++)
        {
            var exit = -1;
            for (var k = 0; k < 3; k++)
            {
                var (u, v) = EdgeVertices(t, k);
                if (Predicates.Orient(points[u], points[v], p) >= 0) continue;
                // Of the edges p lies beyond, leave through the one the line crosses; after too many
                // steps (a line grazing vertices), take any such edge, which still moves forward.
                if (exit < 0 || step > limit) exit = k;
                if (Predicates.Orient(origin, p, points[u]) * Predicates.Orient(origin, p, points[v]) <= 0)
                {
                    exit = k;
                    break;
                }
            }
            if (exit < 0)
            {
                for (var k = 0; k < 3; k++)
                    if (points[corners[3 * t + k]] == p) return (Location.OnVertex, t, k);
                return (Location.Inside, t, -1);
            }
            if (stopAtConstraints && edgeTags[3 * t + exit] != NoTag) return (Location.Blocked, t, exit);
            var next = neighbors[3 * t + exit];
            if (next < 0) return (Location.Outside, t, exit);
            t = next;
            if (step > 8 * limit) throw new InvalidOperationException("meshing: point location did not terminate");
        }
    }

    public Point2 Centroid(int t)
    {
        Point2 a = points[corners[3 * t]], b = points[corners[3 * t + 1]], c = points[corners[3 * t + 2]];
        return new Point2((a.X + b.X + c.X) / 3, (a.Y + b.Y + c.Y) / 3);
    }

    // ---- Bowyer-Watson insertion ---------------------------------------------------------

    /// <summary>
    /// The triangles whose circumcircle holds p, grown from <paramref name="start"/> (which holds
    /// p) without crossing constrained edges. With <paramref name="splitEdge"/> >= 0, p lies on
    /// that constrained edge of start, and the triangle across it joins the cavity too.
    /// </summary>
    public IReadOnlyList<int> FindCavity(Point2 p, int start, int splitEdge = -1)
    {
        cavity.Clear();
        cavityRim.Clear();
        var mark = NewMark();
        cavity.Add(start);
        marks[start] = mark;
        if (splitEdge >= 0 && neighbors[3 * start + splitEdge] >= 0)
        {
            var across = neighbors[3 * start + splitEdge];
            cavity.Add(across);
            marks[across] = mark;
        }
        for (var i = 0; i < cavity.Count; i++)
        {
            var t = cavity[i];
            for (var k = 0; k < 3; k++)
            {
                var n = neighbors[3 * t + k];
                if (n < 0 || marks[n] == mark || edgeTags[3 * t + k] != NoTag) continue;
                if (Predicates.InCircle(points[corners[3 * n]], points[corners[3 * n + 1]], points[corners[3 * n + 2]], p) > 0)
                {
                    cavity.Add(n);
                    marks[n] = mark;
                }
            }
        }
        foreach (var t in cavity)
        {
            for (var k = 0; k < 3; k++)
            {
                var n = neighbors[3 * t + k];
                if (n >= 0 && marks[n] == mark) continue;
                if (t == start && k == splitEdge) continue; // the boundary edge being split disappears
                var (u, v) = EdgeVertices(t, k);
                cavityRim.Add((u, v, n, n < 0 ? -1 : EdgeIndexFacing(n, t), edgeTags[3 * t + k]));
            }
        }
        return cavity;
    }

    /// <summary>The constrained edges on the rim of the last <see cref="FindCavity"/>, as vertex pairs.</summary>
    public IEnumerable<(int U, int V)> CavityConstrainedRim()
    {
        foreach (var rim in cavityRim)
            if (rim.Tag != NoTag) yield return (rim.U, rim.V);
    }

    /// <summary>
    /// Replaces the last cavity by a fan of triangles around the new vertex. For a split of a
    /// constrained edge (u, v) with tag, the two halves keep the tag. Returns the new triangles.
    /// </summary>
    public IReadOnlyList<int> CommitInsertion(int vertex, (int U, int V, int Tag)? splitSegment = null)
    {
        var p = points[vertex];
        foreach (var rim in cavityRim)
        {
            if (Predicates.Orient(points[rim.U], points[rim.V], p) <= 0)
                throw new InvalidOperationException($"meshing: insertion cavity of ({p.X}, {p.Y}) is not star-shaped");
        }
        foreach (var t in cavity) Kill(t);
        created.Clear();
        foreach (var rim in cavityRim)
        {
            var t = CreateTriangle(rim.U, rim.V, vertex);
            created.Add(t);
            neighbors[3 * t + 2] = rim.Outer;
            edgeTags[3 * t + 2] = rim.Tag;
            if (rim.Outer >= 0) neighbors[3 * rim.Outer + rim.OuterEdge] = t;
        }
        // The rim is a closed loop: triangle (u, v, p) meets the one starting at v across (v, p).
        for (var i = 0; i < created.Count; i++)
        {
            var t = created[i];
            var v = corners[3 * t + 1];
            for (var j = 0; j < created.Count; j++)
            {
                var other = created[j];
                if (corners[3 * other] != v) continue;
                neighbors[3 * t] = other;      // edge opposite u: (v, p)
                neighbors[3 * other + 1] = t;  // edge opposite v': (p, u') with u' = v
                break;
            }
        }
        if (splitSegment is { } split)
        {
            foreach (var t in created)
            {
                var (u, v) = (corners[3 * t], corners[3 * t + 1]);
                // Edge (p, u) is opposite corner 1, edge (v, p) opposite corner 0.
                if (u == split.U || u == split.V) SetTag(t, 1, split.Tag);
                if (v == split.U || v == split.V) SetTag(t, 0, split.Tag);
            }
        }
        LastTriangle = created[0];
        return created;
    }

    private void SetTag(int t, int k, int tag)
    {
        edgeTags[3 * t + k] = tag;
        var n = neighbors[3 * t + k];
        if (n >= 0) edgeTags[3 * n + EdgeIndexFacing(n, t)] = tag;
    }

    /// <summary>Inserts a free point (Delaunay construction). Returns its new vertex, or the existing one at p.</summary>
    public int Insert(Point2 p)
    {
        var existing = FindInsertionCavity(p);
        if (existing >= 0) return existing;
        var vertex = AddVertex(p);
        CommitInsertion(vertex);
        return vertex;
    }

    /// <summary>Inserts an added vertex into the triangulation; returns the vertex already at its position instead, if any.</summary>
    public int InsertVertex(int vertex)
    {
        var existing = FindInsertionCavity(points[vertex]);
        if (existing >= 0) return existing;
        CommitInsertion(vertex);
        return vertex;
    }

    /// <summary>Locates p and finds its cavity; returns the vertex already at p instead (then there is no cavity), or -1.</summary>
    private int FindInsertionCavity(Point2 p)
    {
        var (where, t, k) = Locate(p, LastTriangle, stopAtConstraints: false);
        if (where == Location.OnVertex) return corners[3 * t + k];
        if (where != Location.Inside) throw new InvalidOperationException($"meshing: ({p.X}, {p.Y}) lies outside the triangulation");
        FindCavity(p, t);
        return -1;
    }

    // ---- segments ---------------------------------------------------------------------------

    /// <summary>Triangles around a vertex (its star).</summary>
    public void Star(int vertex, List<int> star)
    {
        star.Clear();
        var start = vertexTriangle[vertex];
        if (start < 0) return;
        var t = start;
        do
        {
            star.Add(t);
            // Counterclockwise around the vertex: cross the edge opposite the next corner.
            t = neighbors[3 * t + Next(IndexOf(t, vertex))];
        } while (t >= 0 && t != start);
        if (t == start) return;
        t = neighbors[3 * start + Prev(IndexOf(start, vertex))];
        while (t >= 0)
        {
            star.Add(t);
            t = neighbors[3 * t + Prev(IndexOf(t, vertex))];
        }
    }

    /// <summary>A triangle and edge index holding the edge (a, b) in either direction, or (-1, -1).</summary>
    public (int Triangle, int Edge) FindEdge(int a, int b, List<int> scratch)
    {
        Star(a, scratch);
        foreach (var t in scratch)
        {
            var i = IndexOf(t, a);
            if (corners[3 * t + Next(i)] == b) return (t, Prev(i));
            if (corners[3 * t + Prev(i)] == b) return (t, Next(i));
        }
        return (-1, -1);
    }

    /// <summary>
    /// Makes the segment a-b a chain of constrained edges: edges it crosses are removed and the
    /// two cavities either side are retriangulated (Anglada's pseudo-polygon method); a vertex
    /// lying on the segment splits it.
    /// </summary>
    public void InsertSegment(int a, int b, int tag, string where)
    {
        var star = new List<int>();
        var guard = 0;
        while (a != b)
        {
            if (++guard > VertexCount + 8) throw new InvalidOperationException("meshing: segment recovery did not terminate");
            var (edgeTriangle, edge) = FindEdge(a, b, star);
            if (edgeTriangle >= 0)
            {
                SetTag(edgeTriangle, edge, tag);
                return;
            }
            Point2 pa = points[a], pb = points[b];
            Star(a, star);
            int first = -1, left = -1, right = -1, onSegment = -1;
            foreach (var t in star)
            {
                var i = IndexOf(t, a);
                int v1 = corners[3 * t + Next(i)], v2 = corners[3 * t + Prev(i)];
                foreach (var v in (ReadOnlySpan<int>)[v1, v2])
                    if (Predicates.Orient(pa, pb, points[v]) == 0 && Point2.Dot(points[v] - pa, pb - pa) > 0) onSegment = v;
                if (onSegment >= 0) break;
                if (Predicates.Orient(pa, pb, points[v1]) < 0 && Predicates.Orient(pa, pb, points[v2]) > 0)
                {
                    (first, right, left) = (t, v1, v2);
                    break;
                }
            }
            if (onSegment >= 0)
            {
                InsertSegment(a, onSegment, tag, where);
                a = onSegment;
                continue;
            }
            if (first < 0) throw new InvalidOperationException("meshing: segment start not found in the triangulation");

            var removed = new List<int> { first };
            var leftChain = new List<int> { left };
            var rightChain = new List<int> { right };
            var current = first;
            var end = b;
            while (true)
            {
                var k = OppositeOfEdge(current, left, right); // the edge (left, right) the segment crosses next
                if (edgeTags[3 * current + k] != NoTag)
                    throw new ArgumentException($"{where}: boundary segments cross near ({points[left].X}, {points[left].Y})");
                var next = neighbors[3 * current + k];
                if (next < 0) throw new InvalidOperationException("meshing: segment left the triangulation");
                removed.Add(next);
                var w = corners[3 * next + OppositeOfEdge(next, left, right)];
                if (w == b) break;
                var side = Predicates.Orient(pa, pb, points[w]);
                if (side == 0)
                {
                    end = w; // a vertex on the segment: close this part at w, continue from w
                    break;
                }
                if (side > 0)
                {
                    leftChain.Add(w);
                    left = w;
                }
                else
                {
                    rightChain.Add(w);
                    right = w;
                }
                current = next;
            }
            var triangles = new List<(int, int, int)>();
            RetriangulatePseudoPolygon(a, end, leftChain, 0, leftChain.Count - 1, triangles);
            rightChain.Reverse();
            RetriangulatePseudoPolygon(end, a, rightChain, 0, rightChain.Count - 1, triangles);
            var fresh = ReplaceTriangles(removed, triangles);
            foreach (var t in fresh)
            {
                var k = EdgeIndex(t, a, end);
                if (k >= 0) SetTag(t, k, tag);
            }
            a = end;
        }
    }

    private int OppositeOfEdge(int t, int u, int v)
    {
        for (var k = 0; k < 3; k++)
        {
            var c = corners[3 * t + k];
            if (c != u && c != v) return k;
        }
        throw new InvalidOperationException("meshing: degenerate triangle");
    }

    private int EdgeIndex(int t, int u, int v)
    {
        int iu = IndexOf(t, u), iv = IndexOf(t, v);
        return iu < 0 || iv < 0 ? -1 : 3 - iu - iv;
    }

    /// <summary>Triangulates the polygon u -> v -> chain[hi..lo] (all chain vertices left of u -> v) Delaunay-wise.</summary>
    private void RetriangulatePseudoPolygon(int u, int v, List<int> chain, int lo, int hi, List<(int, int, int)> triangles)
    {
        if (lo > hi) return;
        var best = lo;
        for (var j = lo + 1; j <= hi; j++)
            if (Predicates.InCircle(points[u], points[v], points[chain[best]], points[chain[j]]) > 0) best = j;
        triangles.Add((u, v, chain[best]));
        RetriangulatePseudoPolygon(u, chain[best], chain, lo, best - 1, triangles);
        RetriangulatePseudoPolygon(chain[best], v, chain, best + 1, hi, triangles);
    }

    /// <summary>Removes triangles and stitches new ones into the hole they leave (matching edges by vertex pairs).</summary>
    private List<int> ReplaceTriangles(List<int> removed, List<(int A, int B, int C)> replacements)
    {
        var mark = NewMark();
        foreach (var t in removed) marks[t] = mark;
        var rim = new Dictionary<(int, int), (int Outer, int OuterEdge, int Tag)>();
        foreach (var t in removed)
        {
            for (var k = 0; k < 3; k++)
            {
                var n = neighbors[3 * t + k];
                if (n >= 0 && marks[n] == mark) continue;
                rim[EdgeVertices(t, k)] = (n, n < 0 ? -1 : EdgeIndexFacing(n, t), edgeTags[3 * t + k]);
            }
        }
        foreach (var t in removed) Kill(t);
        var fresh = new List<int>();
        var open = new Dictionary<(int, int), (int T, int K)>();
        foreach (var (a, b, c) in replacements)
        {
            if (Predicates.Orient(points[a], points[b], points[c]) <= 0) throw new InvalidOperationException("meshing: segment recovery made an inverted triangle");
            var t = CreateTriangle(a, b, c);
            fresh.Add(t);
            for (var k = 0; k < 3; k++)
            {
                var edge = EdgeVertices(t, k);
                if (rim.Remove(edge, out var outer))
                {
                    neighbors[3 * t + k] = outer.Outer;
                    edgeTags[3 * t + k] = outer.Tag;
                    if (outer.Outer >= 0) neighbors[3 * outer.Outer + outer.OuterEdge] = t;
                }
                else if (open.Remove((edge.V, edge.U), out var twin))
                {
                    neighbors[3 * t + k] = twin.T;
                    neighbors[3 * twin.T + twin.K] = t;
                }
                else open[edge] = (t, k);
            }
        }
        if (rim.Count != 0 || open.Count != 0) throw new InvalidOperationException("meshing: retriangulated cavity does not close");
        LastTriangle = fresh[0];
        return fresh;
    }

    // ---- carving ----------------------------------------------------------------------------

    /// <summary>
    /// Deletes every triangle outside the domain: a triangle is inside when any path to the
    /// super-triangle crosses an odd number of constrained edges (so holes come out by themselves).
    /// </summary>
    public void CarveOutside()
    {
        var parity = new int[triangleSlots];
        Array.Fill(parity, -1);
        var queue = new Queue<int>();
        for (var t = 0; t < triangleSlots; t++)
        {
            if (!IsAlive(t) || (corners[3 * t] > 2 && corners[3 * t + 1] > 2 && corners[3 * t + 2] > 2)) continue;
            parity[t] = 0;
            queue.Enqueue(t);
        }
        while (queue.Count > 0)
        {
            var t = queue.Dequeue();
            for (var k = 0; k < 3; k++)
            {
                var n = neighbors[3 * t + k];
                if (n < 0 || parity[n] >= 0) continue;
                parity[n] = parity[t] ^ (edgeTags[3 * t + k] != NoTag ? 1 : 0);
                queue.Enqueue(n);
            }
        }
        for (var t = 0; t < triangleSlots; t++)
        {
            if (!IsAlive(t) || parity[t] == 1) continue;
            for (var k = 0; k < 3; k++)
            {
                var n = neighbors[3 * t + k];
                if (n >= 0 && IsAlive(n) && parity[n] == 1) neighbors[3 * n + EdgeIndexFacing(n, t)] = -1;
            }
            Kill(t);
        }
        Array.Fill(vertexTriangle, -1, 0, VertexCount);
        for (var t = 0; t < triangleSlots; t++)
        {
            if (!IsAlive(t)) continue;
            for (var k = 0; k < 3; k++) vertexTriangle[corners[3 * t + k]] = t;
            LastTriangle = t;
        }
    }

    public IEnumerable<int> AliveTriangles()
    {
        for (var t = 0; t < triangleSlots; t++)
            if (IsAlive(t)) yield return t;
    }
}
