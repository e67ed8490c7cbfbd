using System.Globalization;

namespace GnnSim.Viz;

/// <summary>An 8-bit sRGB colour with straight (not premultiplied) alpha.</summary>
public readonly record struct Rgba(byte R, byte G, byte B, byte A = 255)
{
    public static readonly Rgba White = new(255, 255, 255);
    public static readonly Rgba Black = new(0, 0, 0);

    /// <summary>The gray that marks masked (solid) cells: darker than any diverging map's middle.</summary>
    public static readonly Rgba MaskGray = new(128, 128, 128);

    /// <summary>Ink for axes and text: near black, softer on the eye than pure black.</summary>
    public static readonly Rgba Ink = new(34, 34, 34);

    /// <summary><c>#rrggbb</c>, as SVG and CSS want it.</summary>
    public string Hex => string.Create(CultureInfo.InvariantCulture, $"#{R:x2}{G:x2}{B:x2}");

    /// <summary><paramref name="t"/> = 0 gives this colour, 1 gives <paramref name="other"/>.</summary>
    public Rgba Lerp(Rgba other, double t) => new(Mix(R, other.R, t), Mix(G, other.G, t), Mix(B, other.B, t), Mix(A, other.A, t));

    private static byte Mix(byte a, byte b, double t) => (byte)Math.Clamp(Math.Round(a + (b - a) * t), 0, 255);
}
