namespace GnnSim.Meshing;

/// <summary>
/// A regular grid of <c>Nx x Ny</c> sample points starting at (X0, Y0) with spacing (Dx, Dy);
/// sample (i, j) is value number <c>j * Nx + i</c> (CFDBench's fields live on such grids).
/// </summary>
public sealed record RegularGrid
{
    public RegularGrid(double x0, double y0, double dx, double dy, int nx, int ny)
    {
        if (nx < 2 || ny < 2) throw new ArgumentException($"a grid needs at least 2 x 2 points, got {nx} x {ny}");
        if (!(dx > 0) || !(dy > 0) || !double.IsFinite(dx) || !double.IsFinite(dy)) throw new ArgumentException($"grid spacing must be positive and finite, got ({dx}, {dy})");
        (X0, Y0, Dx, Dy, Nx, Ny) = (x0, y0, dx, dy, nx, ny);
    }

    public double X0 { get; }
    public double Y0 { get; }
    public double Dx { get; }
    public double Dy { get; }
    public int Nx { get; }
    public int Ny { get; }
    public int Count => Nx * Ny;

    public Point2 Point(int i, int j) => new(X0 + i * Dx, Y0 + j * Dy);

    /// <summary>All sample points as (x, y) pairs, in value order.</summary>
    public double[] Positions()
    {
        var positions = new double[2 * Count];
        for (var j = 0; j < Ny; j++)
        for (var i = 0; i < Nx; i++)
        {
            positions[2 * (j * Nx + i)] = X0 + i * Dx;
            positions[2 * (j * Nx + i) + 1] = Y0 + j * Dy;
        }
        return positions;
    }
}
