namespace GnnSim.Meshing.FiniteElements;

/// <summary>
/// Radon's 7-point rule on a triangle, exact for polynomials of degree 5: enough that load vectors
/// and L2 errors of smooth functions are integrated far below the O(h^2) error of P1 elements.
/// Points are barycentric (l0, l1, l2); weights are fractions of the triangle's area (sum 1).
/// </summary>
public static class TriangleQuadrature
{
    static readonly double Sqrt15 = Math.Sqrt(15);
    static readonly double A = (6 - Sqrt15) / 21, B = (6 + Sqrt15) / 21;
    static readonly double WeightA = (155 - Sqrt15) / 1200, WeightB = (155 + Sqrt15) / 1200;

    public static readonly (double L0, double L1, double L2, double Weight)[] Points =
    [
        (1.0 / 3, 1.0 / 3, 1.0 / 3, 9.0 / 40),
        (A, A, 1 - 2 * A, WeightA), (A, 1 - 2 * A, A, WeightA), (1 - 2 * A, A, A, WeightA),
        (B, B, 1 - 2 * B, WeightB), (B, 1 - 2 * B, B, WeightB), (1 - 2 * B, B, B, WeightB),
    ];
}
