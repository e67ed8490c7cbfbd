namespace GnnSim.Solvers.Mpm;

/// <summary>A 2 x 2 matrix <c>[[A, B], [C, D]]</c> with the decompositions MPM's material models need.</summary>
internal readonly record struct Matrix2(double A, double B, double C, double D)
{
    public static Matrix2 Diagonal(double a, double d) => new(a, 0, 0, d);
    public static Matrix2 Rotation(double angle) => new(Math.Cos(angle), -Math.Sin(angle), Math.Sin(angle), Math.Cos(angle));

    public double Determinant => A * D - B * C;
    public Matrix2 Transpose() => new(A, C, B, D);

    public static Matrix2 operator *(Matrix2 x, Matrix2 y) =>
        new(x.A * y.A + x.B * y.C, x.A * y.B + x.B * y.D, x.C * y.A + x.D * y.C, x.C * y.B + x.D * y.D);
    public static Matrix2 operator -(Matrix2 x, Matrix2 y) => new(x.A - y.A, x.B - y.B, x.C - y.C, x.D - y.D);

    /// <summary>R of the polar decomposition F = R S (R a rotation, S symmetric).</summary>
    public Matrix2 Rotation() => Rotation(Math.Atan2(C - B, A + D));

    /// <summary>F = U diag(s1, s2) V^T with U and V rotations (s2 may be negative for an inverted F).</summary>
    public (Matrix2 U, double S1, double S2, Matrix2 V) Svd()
    {
        var r = Rotation();
        var s = r.Transpose() * this;                   // symmetric
        var angle = 0.5 * Math.Atan2(s.B + s.C, s.A - s.D);
        var v = Rotation(angle);
        var d = v.Transpose() * s * v;
        return (r * v, d.A, d.D, v);
    }
}
