namespace GnnSim.Meshing;

/// <summary>A point (or vector) in the plane.</summary>
public readonly record struct Point2(double X, double Y)
{
    public static Point2 operator +(Point2 a, Point2 b) => new(a.X + b.X, a.Y + b.Y);
    public static Point2 operator -(Point2 a, Point2 b) => new(a.X - b.X, a.Y - b.Y);
    public static Point2 operator *(double s, Point2 a) => new(s * a.X, s * a.Y);

    public double Length => Math.Sqrt(X * X + Y * Y);

    public static double Dot(Point2 a, Point2 b) => a.X * b.X + a.Y * b.Y;

    public static double Distance(Point2 a, Point2 b) => (a - b).Length;

    public static Point2 Lerp(Point2 a, Point2 b, double t) => new(a.X + (b.X - a.X) * t, a.Y + (b.Y - a.Y) * t);
}
