namespace GnnSim.Meshing.FiniteElements;

/// <summary>A recovered Hessian, one P1 field per component: <c>H[a, b] = d_b (d_a u)</c>.</summary>
public sealed record HessianField(double[] Xx, double[] Xy, double[] Yx, double[] Yy)
{
    /// <summary>The squared Frobenius norm at every node.</summary>
    public double[] FrobeniusSquared()
    {
        var norm = new double[Xx.Length];
        for (var i = 0; i < norm.Length; i++) norm[i] = Xx[i] * Xx[i] + Xy[i] * Xy[i] + Yx[i] * Yx[i] + Yy[i] * Yy[i];
        return norm;
    }
}

/// <summary>An edge of the mesh's boundary, oriented with the domain on its left (as its triangle runs).</summary>
public readonly record struct BoundaryFacet(int A, int B, int Triangle, double Length, double NormalX, double NormalY);

/// <summary>
/// Continuous piecewise-linear (P1) finite elements on a triangle mesh: the operators (stiffness,
/// mass, loads by quadrature), L2 errors against exact functions, and the L2-projection recoveries
/// of gradients and Hessians that mesh movement runs on. Every triangle must be counterclockwise
/// with a positive area.
/// </summary>
public sealed class P1Space
{
    readonly int[] triangles;
    readonly double[] areas;        // [T]
    readonly double[] basisGradX;   // [T, 3]: d(lambda_k)/dx on triangle t
    readonly double[] basisGradY;
    readonly SparseMatrix pattern;
    readonly (int A, int B, int Triangle)[] facetTopology;
    SparseMatrix? mass, stiffness;

    public P1Space(Mesh2D mesh) : this(mesh, null, null) { }

    P1Space(Mesh2D mesh, SparseMatrix? pattern, (int, int, int)[]? facetTopology)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        if (mesh.VerticesPerCell != 3) throw new ArgumentException("P1 elements need a triangle mesh (Mesh2D.Triangulated() cuts quads)");
        Mesh = mesh;
        triangles = mesh.Cells;
        var count = mesh.CellCount;
        areas = new double[count];
        basisGradX = new double[3 * count];
        basisGradY = new double[3 * count];
        var p = mesh.Positions;
        for (var t = 0; t < count; t++)
        {
            int i0 = triangles[3 * t], i1 = triangles[3 * t + 1], i2 = triangles[3 * t + 2];
            double x0 = p[2 * i0], y0 = p[2 * i0 + 1], x1 = p[2 * i1], y1 = p[2 * i1 + 1], x2 = p[2 * i2], y2 = p[2 * i2 + 1];
            var twiceArea = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
            if (!(twiceArea > 0))
                throw new ArgumentException($"triangle {t} (nodes {i0}, {i1}, {i2}) has signed area {twiceArea / 2:g3}: the mesh is inverted or degenerate there");
            areas[t] = twiceArea / 2;
            // grad lambda_k = (y_{k+1} - y_{k+2}, x_{k+2} - x_{k+1}) / 2A
            basisGradX[3 * t] = (y1 - y2) / twiceArea; basisGradY[3 * t] = (x2 - x1) / twiceArea;
            basisGradX[3 * t + 1] = (y2 - y0) / twiceArea; basisGradY[3 * t + 1] = (x0 - x2) / twiceArea;
            basisGradX[3 * t + 2] = (y0 - y1) / twiceArea; basisGradY[3 * t + 2] = (x1 - x0) / twiceArea;
        }
        if (pattern is null)
        {
            var used = new bool[mesh.NodeCount];
            foreach (var node in triangles) used[node] = true;
            var orphan = Array.IndexOf(used, false);
            if (orphan >= 0) throw new ArgumentException($"node {orphan} belongs to no triangle: P1 elements need every node in some cell");
        }
        this.pattern = pattern ?? SparseMatrix.OnTriangles(triangles, mesh.NodeCount);
        this.facetTopology = facetTopology ?? FacetTopology(triangles);
        Facets = this.facetTopology.Select(f =>
        {
            double dx = p[2 * f.B] - p[2 * f.A], dy = p[2 * f.B + 1] - p[2 * f.A + 1];
            var length = Math.Sqrt(dx * dx + dy * dy);
            return new BoundaryFacet(f.A, f.B, f.Triangle, length, dy / length, -dx / length);
        }).ToArray();
    }

    public Mesh2D Mesh { get; }
    public int NodeCount => Mesh.NodeCount;
    public IReadOnlyList<double> Areas => areas;
    public double TotalArea => areas.Sum();
    public BoundaryFacet[] Facets { get; }

    /// <summary>The same elements at other node positions (a moved mesh): the matrix pattern is reused.</summary>
    public P1Space WithPositions(double[] positions) => new(Mesh.WithPositions(positions), pattern, facetTopology);

    /// <summary>Whether each node lies on the boundary.</summary>
    public bool[] BoundaryNodes()
    {
        var onBoundary = new bool[NodeCount];
        foreach (var f in facetTopology) onBoundary[f.A] = onBoundary[f.B] = true;
        return onBoundary;
    }

    /// <summary>K[i, j] = integral of grad(psi_i) . grad(psi_j).</summary>
    public SparseMatrix Stiffness()
    {
        if (stiffness is not null) return stiffness;
        var k = pattern.ZeroLike();
        for (var t = 0; t < areas.Length; t++)
        for (var a = 0; a < 3; a++)
        for (var b = 0; b < 3; b++)
            k.Add(triangles[3 * t + a], triangles[3 * t + b], areas[t] * (basisGradX[3 * t + a] * basisGradX[3 * t + b] + basisGradY[3 * t + a] * basisGradY[3 * t + b]));
        return stiffness = k;
    }

    /// <summary>M[i, j] = integral of psi_i psi_j (the consistent mass matrix).</summary>
    public SparseMatrix Mass()
    {
        if (mass is not null) return mass;
        var m = pattern.ZeroLike();
        for (var t = 0; t < areas.Length; t++)
        for (var a = 0; a < 3; a++)
        for (var b = 0; b < 3; b++)
            m.Add(triangles[3 * t + a], triangles[3 * t + b], areas[t] / 12 * (a == b ? 2 : 1));
        return mass = m;
    }

    /// <summary>b[i] = integral of f psi_i, by the degree-5 rule on every triangle.</summary>
    public double[] Load(Func<double, double, double> f)
    {
        var load = new double[NodeCount];
        var p = Mesh.Positions;
        for (var t = 0; t < areas.Length; t++)
        {
            int i0 = triangles[3 * t], i1 = triangles[3 * t + 1], i2 = triangles[3 * t + 2];
            foreach (var (l0, l1, l2, w) in TriangleQuadrature.Points)
            {
                var value = w * areas[t] * f(l0 * p[2 * i0] + l1 * p[2 * i1] + l2 * p[2 * i2], l0 * p[2 * i0 + 1] + l1 * p[2 * i1 + 1] + l2 * p[2 * i2 + 1]);
                load[i0] += value * l0;
                load[i1] += value * l1;
                load[i2] += value * l2;
            }
        }
        return load;
    }

    /// <summary>b[i] = integral of v psi_i for a P1 field v given by its node values (M v).</summary>
    public double[] LoadOfField(double[] nodal) => Mass().Multiply(CheckNodal(nodal));

    /// <summary>The integral of a P1 field over the domain.</summary>
    public double Integral(double[] nodal)
    {
        CheckNodal(nodal);
        double sum = 0;
        for (var t = 0; t < areas.Length; t++)
            sum += areas[t] / 3 * (nodal[triangles[3 * t]] + nodal[triangles[3 * t + 1]] + nodal[triangles[3 * t + 2]]);
        return sum;
    }

    /// <summary>||u_h - u||_L2 with the P1 field interpolated inside each triangle, by the degree-5 rule.</summary>
    public double L2Error(double[] nodal, Func<double, double, double> exact)
    {
        CheckNodal(nodal);
        var p = Mesh.Positions;
        double sum = 0;
        for (var t = 0; t < areas.Length; t++)
        {
            int i0 = triangles[3 * t], i1 = triangles[3 * t + 1], i2 = triangles[3 * t + 2];
            foreach (var (l0, l1, l2, w) in TriangleQuadrature.Points)
            {
                var x = l0 * p[2 * i0] + l1 * p[2 * i1] + l2 * p[2 * i2];
                var y = l0 * p[2 * i0 + 1] + l1 * p[2 * i1 + 1] + l2 * p[2 * i2 + 1];
                var difference = l0 * nodal[i0] + l1 * nodal[i1] + l2 * nodal[i2] - exact(x, y);
                sum += w * areas[t] * difference * difference;
            }
        }
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// ||u - I_h u||_L2, with I_h u the P1 field through u's values at the nodes: how well the mesh
    /// resolves u, the error a mesh mover lowers by putting nodes where u curves.
    /// </summary>
    public double InterpolationError(Func<double, double, double> u)
    {
        var p = Mesh.Positions;
        var nodal = new double[NodeCount];
        for (var i = 0; i < nodal.Length; i++) nodal[i] = u(p[2 * i], p[2 * i + 1]);
        return L2Error(nodal, u);
    }

    /// <summary>The gradient of a P1 field on triangle t (constant there).</summary>
    public (double X, double Y) GradientOn(int t, double[] nodal)
    {
        double gx = 0, gy = 0;
        for (var k = 0; k < 3; k++)
        {
            var value = nodal[triangles[3 * t + k]];
            gx += value * basisGradX[3 * t + k];
            gy += value * basisGradY[3 * t + k];
        }
        return (gx, gy);
    }

    /// <summary>The L2 projection of grad u onto P1: M g = integral of psi grad u.</summary>
    public (double[] X, double[] Y) RecoverGradient(double[] nodal)
    {
        CheckNodal(nodal);
        double[] loadX = new double[NodeCount], loadY = new double[NodeCount];
        for (var t = 0; t < areas.Length; t++)
        {
            var (gx, gy) = GradientOn(t, nodal);
            for (var k = 0; k < 3; k++)
            {
                loadX[triangles[3 * t + k]] += areas[t] / 3 * gx;
                loadY[triangles[3 * t + k]] += areas[t] / 3 * gy;
            }
        }
        return (ProjectLoad(loadX, "gradient recovery (x)"), ProjectLoad(loadY, "gradient recovery (y)"));
    }

    /// <summary>
    /// The Hessian of a P1 field by L2 projection with one integration by parts (UM2N's recovery, and
    /// that of the Monge-Ampere relaxation): for each component,
    /// <c>integral psi_i H[a,b] = -integral d_b psi_i d_a u + boundary integral psi_i d_a u n_b</c>,
    /// solved with the consistent mass matrix. <paramref name="tangentialOnBoundary"/> keeps only the
    /// tangential part of grad u in the boundary term, as the mover does where grad phi . n = 0.
    /// Inside, the recovery of a smooth u converges; at boundary nodes it is one-sided and off by
    /// O(1) (a quadratic's H_xx of 2 comes out near -2 on a uniform grid's boundary), as in the
    /// reference implementations.
    /// </summary>
    public HessianField RecoverHessian(double[] nodal, bool tangentialOnBoundary = false)
    {
        CheckNodal(nodal);
        var loads = new double[4][];
        for (var c = 0; c < 4; c++) loads[c] = new double[NodeCount];
        for (var t = 0; t < areas.Length; t++)
        {
            var (gx, gy) = GradientOn(t, nodal);
            for (var k = 0; k < 3; k++)
            {
                int i = triangles[3 * t + k];
                double dx = areas[t] * basisGradX[3 * t + k], dy = areas[t] * basisGradY[3 * t + k];
                loads[0][i] -= dx * gx;   // H_xx = d_x (d_x u)
                loads[1][i] -= dy * gx;   // H_xy = d_y (d_x u)
                loads[2][i] -= dx * gy;   // H_yx = d_x (d_y u)
                loads[3][i] -= dy * gy;   // H_yy
            }
        }
        foreach (var f in Facets)
        {
            var (gx, gy) = GradientOn(f.Triangle, nodal);
            if (tangentialOnBoundary)
            {
                var normal = gx * f.NormalX + gy * f.NormalY;
                gx -= normal * f.NormalX;
                gy -= normal * f.NormalY;
            }
            // The integral of psi_A (or psi_B) along the edge is half its length.
            var half = f.Length / 2;
            foreach (var node in (ReadOnlySpan<int>)[f.A, f.B])
            {
                loads[0][node] += half * gx * f.NormalX;
                loads[1][node] += half * gx * f.NormalY;
                loads[2][node] += half * gy * f.NormalX;
                loads[3][node] += half * gy * f.NormalY;
            }
        }
        return new HessianField(ProjectLoad(loads[0], "Hessian recovery (xx)"), ProjectLoad(loads[1], "Hessian recovery (xy)"),
            ProjectLoad(loads[2], "Hessian recovery (yx)"), ProjectLoad(loads[3], "Hessian recovery (yy)"));
    }

    /// <summary>The P1 field v with M v = load (the L2 projection of what the load integrates).</summary>
    public double[] ProjectLoad(double[] load, string what = "L2 projection")
    {
        CheckNodal(load);
        var result = new double[NodeCount];
        ConjugateGradient.SolveOrThrow(Mass(), load, result, what, tolerance: 1e-12);
        return result;
    }

    double[] CheckNodal(double[] nodal)
    {
        ArgumentNullException.ThrowIfNull(nodal);
        if (nodal.Length != NodeCount) throw new ArgumentException($"a field of {nodal.Length} values on a mesh of {NodeCount} nodes");
        return nodal;
    }

    /// <summary>Edges used by one triangle, oriented as that triangle runs (counterclockwise: domain on the left).</summary>
    static (int A, int B, int Triangle)[] FacetTopology(int[] triangles)
    {
        var uses = new Dictionary<(int, int), (int A, int B, int Triangle, int Count)>();
        for (var t = 0; t < triangles.Length / 3; t++)
        for (var k = 0; k < 3; k++)
        {
            int a = triangles[3 * t + k], b = triangles[3 * t + (k + 1) % 3];
            var key = (Math.Min(a, b), Math.Max(a, b));
            uses[key] = uses.TryGetValue(key, out var seen) ? seen with { Count = seen.Count + 1 } : (a, b, t, 1);
        }
        return uses.Values.Where(u => u.Count == 1).Select(u => (u.A, u.B, u.Triangle)).OrderBy(u => u.A).ThenBy(u => u.B).ToArray();
    }
}
