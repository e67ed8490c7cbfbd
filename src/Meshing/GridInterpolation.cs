namespace GnnSim.Meshing;

/// <summary>Moving fields between regular grids and meshes (the CFDBench-grid to graph bridge).</summary>
public static class GridInterpolation
{
    /// <summary>
    /// Bilinear interpolation of a grid field <c>[Nx * Ny, C]</c> to points. Samples marked
    /// invalid (solid cells of a masked grid) take no part: the remaining corners' weights are
    /// renormalised, and a point whose four corners are all invalid, or that lies outside the
    /// grid, gets NaN.
    /// </summary>
    /// <param name="valid">one flag per grid sample, or empty when every sample is valid</param>
    public static float[] GridToPoints(RegularGrid grid, ReadOnlySpan<float> values, int channels, ReadOnlySpan<bool> valid, ReadOnlySpan<double> points)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (channels < 1 || values.Length != grid.Count * channels)
            throw new ArgumentException($"a {grid.Nx} x {grid.Ny} grid field of {channels} channels has {grid.Count * channels} values, got {values.Length}");
        if (!valid.IsEmpty && valid.Length != grid.Count) throw new ArgumentException($"the validity mask has {valid.Length} flags for {grid.Count} grid points");
        if (points.Length % 2 != 0) throw new ArgumentException($"{points.Length} values is not a whole number of (x, y) points");
        var result = new float[points.Length / 2 * channels];
        Span<int> corner = stackalloc int[4];
        Span<double> weight = stackalloc double[4];
        for (var q = 0; q < points.Length / 2; q++)
        {
            var output = result.AsSpan(q * channels, channels);
            var fx = (points[2 * q] - grid.X0) / grid.Dx;
            var fy = (points[2 * q + 1] - grid.Y0) / grid.Dy;
            const double slack = 1e-9;
            if (!(fx >= -slack && fx <= grid.Nx - 1 + slack && fy >= -slack && fy <= grid.Ny - 1 + slack))
            {
                output.Fill(float.NaN);
                continue;
            }
            var i = Math.Clamp((int)Math.Floor(fx), 0, grid.Nx - 2);
            var j = Math.Clamp((int)Math.Floor(fy), 0, grid.Ny - 2);
            double tx = Math.Clamp(fx - i, 0, 1), ty = Math.Clamp(fy - j, 0, 1);
            (corner[0], weight[0]) = (j * grid.Nx + i, (1 - tx) * (1 - ty));
            (corner[1], weight[1]) = (j * grid.Nx + i + 1, tx * (1 - ty));
            (corner[2], weight[2]) = ((j + 1) * grid.Nx + i, (1 - tx) * ty);
            (corner[3], weight[3]) = ((j + 1) * grid.Nx + i + 1, tx * ty);
            double total = 0;
            var validCorners = 0;
            for (var k = 0; k < 4; k++)
            {
                if (!valid.IsEmpty && !valid[corner[k]]) weight[k] = -1;
                else
                {
                    total += weight[k];
                    validCorners++;
                }
            }
            if (validCorners == 0)
            {
                output.Fill(float.NaN);
                continue;
            }
            for (var k = 0; k < 4; k++)
            {
                if (weight[k] < 0) continue;
                // A point sitting on invalid corners only (all valid weights zero): average the valid ones.
                var w = total > 1e-12 ? weight[k] / total : 1.0 / validCorners;
                for (var ch = 0; ch < channels; ch++) output[ch] += (float)(w * values[corner[k] * channels + ch]);
            }
        }
        return result;
    }

    /// <summary>A grid field sampled at the nodes of a mesh (see <see cref="GridToPoints"/>).</summary>
    public static float[] GridToMesh(RegularGrid grid, ReadOnlySpan<float> values, int channels, ReadOnlySpan<bool> valid, Mesh2D mesh) =>
        GridToPoints(grid, values, channels, valid, mesh.Positions);

    /// <summary>
    /// A mesh node field sampled on a grid; samples outside the mesh are NaN and marked invalid.
    /// Each call locates the grid points anew: for many frames on one mesh, create a
    /// <see cref="MeshInterpolator"/> over <see cref="RegularGrid.Positions"/> once and apply it per frame.
    /// </summary>
    public static (float[] Values, bool[] Valid) MeshToGrid(Mesh2D mesh, ReadOnlySpan<float> nodeField, int channels, RegularGrid grid)
    {
        var interpolator = MeshInterpolator.Create(mesh, grid.Positions());
        var values = interpolator.Apply(nodeField, channels);
        var valid = new bool[grid.Count];
        for (var s = 0; s < grid.Count; s++) valid[s] = !float.IsNaN(values[s * channels]);
        return (values, valid);
    }
}
