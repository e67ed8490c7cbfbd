using System.Numerics;

namespace GnnSim.Meshing;

/// <summary>
/// Orientation and in-circle tests that are exact for any double input: a floating-point
/// evaluation with Shewchuk's forward error bound decides almost every call, and the rare
/// near-degenerate ones (collinear boundary points, cocircular grid points) are redone in exact
/// integer arithmetic. Delaunay and point location are only as robust as these two signs.
/// </summary>
internal static class Predicates
{
    private const double Epsilon = 1.1102230246251565e-16; // 2^-53
    private const double OrientBound = (3.0 + 16.0 * Epsilon) * Epsilon;
    private const double InCircleBound = (10.0 + 96.0 * Epsilon) * Epsilon;

    /// <summary>Positive when a, b, c turn counterclockwise, negative when clockwise, zero when collinear.</summary>
    public static int Orient(Point2 a, Point2 b, Point2 c)
    {
        var left = (a.X - c.X) * (b.Y - c.Y);
        var right = (a.Y - c.Y) * (b.X - c.X);
        var det = left - right;
        var bound = OrientBound * (Math.Abs(left) + Math.Abs(right));
        if (det > bound) return 1;
        if (-det > bound) return -1;
        return ExactOrient(a, b, c);
    }

    /// <summary>Positive when d lies strictly inside the circle through the counterclockwise a, b, c.</summary>
    public static int InCircle(Point2 a, Point2 b, Point2 c, Point2 d)
    {
        double adx = a.X - d.X, ady = a.Y - d.Y, bdx = b.X - d.X, bdy = b.Y - d.Y, cdx = c.X - d.X, cdy = c.Y - d.Y;
        double bdxcdy = bdx * cdy, cdxbdy = cdx * bdy, alift = adx * adx + ady * ady;
        double cdxady = cdx * ady, adxcdy = adx * cdy, blift = bdx * bdx + bdy * bdy;
        double adxbdy = adx * bdy, bdxady = bdx * ady, clift = cdx * cdx + cdy * cdy;
        var det = alift * (bdxcdy - cdxbdy) + blift * (cdxady - adxcdy) + clift * (adxbdy - bdxady);
        var permanent = (Math.Abs(bdxcdy) + Math.Abs(cdxbdy)) * alift + (Math.Abs(cdxady) + Math.Abs(adxcdy)) * blift + (Math.Abs(adxbdy) + Math.Abs(bdxady)) * clift;
        var bound = InCircleBound * permanent;
        if (det > bound) return 1;
        if (-det > bound) return -1;
        return ExactInCircle(a, b, c, d);
    }

    private static int ExactOrient(Point2 a, Point2 b, Point2 c)
    {
        var scale = new ExactScale(a, b, c);
        BigInteger ax = scale.Of(a.X), ay = scale.Of(a.Y), bx = scale.Of(b.X), by = scale.Of(b.Y), cx = scale.Of(c.X), cy = scale.Of(c.Y);
        return ((ax - cx) * (by - cy) - (ay - cy) * (bx - cx)).Sign;
    }

    private static int ExactInCircle(Point2 a, Point2 b, Point2 c, Point2 d)
    {
        var scale = new ExactScale(a, b, c, d);
        BigInteger dx = scale.Of(d.X), dy = scale.Of(d.Y);
        BigInteger adx = scale.Of(a.X) - dx, ady = scale.Of(a.Y) - dy;
        BigInteger bdx = scale.Of(b.X) - dx, bdy = scale.Of(b.Y) - dy;
        BigInteger cdx = scale.Of(c.X) - dx, cdy = scale.Of(c.Y) - dy;
        var det = (adx * adx + ady * ady) * (bdx * cdy - cdx * bdy)
                + (bdx * bdx + bdy * bdy) * (cdx * ady - adx * cdy)
                + (cdx * cdx + cdy * cdy) * (adx * bdy - bdx * ady);
        return det.Sign;
    }

    /// <summary>Every double is m * 2^e; scaling all inputs by 2^-min(e) makes them integers without changing any sign.</summary>
    private readonly struct ExactScale
    {
        private readonly int minExponent;

        public ExactScale(params ReadOnlySpan<Point2> points)
        {
            minExponent = int.MaxValue;
            foreach (var p in points)
            {
                minExponent = Math.Min(minExponent, Decompose(p.X).Exponent);
                minExponent = Math.Min(minExponent, Decompose(p.Y).Exponent);
            }
        }

        public BigInteger Of(double value)
        {
            var (mantissa, exponent) = Decompose(value);
            return mantissa.IsZero ? BigInteger.Zero : mantissa << (exponent - minExponent);
        }

        private static (BigInteger Mantissa, int Exponent) Decompose(double value)
        {
            if (value == 0) return (BigInteger.Zero, int.MaxValue);
            var bits = BitConverter.DoubleToInt64Bits(value);
            var negative = bits < 0;
            var exponentBits = (int)((bits >> 52) & 0x7FF);
            var fraction = bits & 0xFFFFFFFFFFFFFL;
            long mantissa;
            int exponent;
            if (exponentBits == 0)
            {
                mantissa = fraction;               // subnormal
                exponent = -1074;
            }
            else
            {
                mantissa = fraction | (1L << 52);
                exponent = exponentBits - 1075;
            }
            return (negative ? -new BigInteger(mantissa) : new BigInteger(mantissa), exponent);
        }
    }
}
