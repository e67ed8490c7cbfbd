namespace GnnSim.Viz;

/// <summary>
/// A raster in memory, rows top to bottom, 4 bytes (R, G, B, A) per pixel, and the few drawing
/// operations the domains need to paint fields and meshes: rectangles, anti-aliased lines and pixel blending.
/// </summary>
public sealed class RgbaImage
{
    public RgbaImage(int width, int height, Rgba background = default)
    {
        if (width <= 0 || height <= 0 || (long)width * height > 1 << 28)
            throw new ArgumentException($"an image of {width} x {height} pixels cannot be made");
        Width = width;
        Height = height;
        Pixels = new byte[4 * width * height];
        if (background != default) FillRectangle(0, 0, width, height, background);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>[Height, Width, 4] row-major.</summary>
    public byte[] Pixels { get; }

    public Rgba this[int x, int y]
    {
        get
        {
            var i = 4 * (y * Width + x);
            return new Rgba(Pixels[i], Pixels[i + 1], Pixels[i + 2], Pixels[i + 3]);
        }
        set
        {
            var i = 4 * (y * Width + x);
            Pixels[i] = value.R;
            Pixels[i + 1] = value.G;
            Pixels[i + 2] = value.B;
            Pixels[i + 3] = value.A;
        }
    }

    public bool Contains(int x, int y) => (uint)x < (uint)Width && (uint)y < (uint)Height;

    /// <summary>Paints <paramref name="color"/> over the pixel with <paramref name="coverage"/> (0..1) times its alpha; off-image pixels are ignored.</summary>
    public void Blend(int x, int y, Rgba color, double coverage = 1)
    {
        if (!Contains(x, y)) return;
        var alpha = coverage * color.A / 255.0;
        if (alpha <= 0) return;
        var under = this[x, y];
        var outAlpha = alpha + under.A / 255.0 * (1 - alpha);
        if (outAlpha <= 0) return;
        byte Channel(byte over, byte below) => (byte)Math.Clamp(Math.Round((over * alpha + below * (under.A / 255.0) * (1 - alpha)) / outAlpha), 0, 255);
        this[x, y] = new Rgba(Channel(color.R, under.R), Channel(color.G, under.G), Channel(color.B, under.B), (byte)Math.Round(outAlpha * 255));
    }

    public void FillRectangle(int x, int y, int width, int height, Rgba color)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y), x1 = Math.Min(Width, x + width), y1 = Math.Min(Height, y + height);
        for (var row = y0; row < y1; row++)
        for (var column = x0; column < x1; column++)
            this[column, row] = color;
    }

    /// <summary>A one-pixel outline just inside the rectangle.</summary>
    public void DrawRectangle(int x, int y, int width, int height, Rgba color)
    {
        FillRectangle(x, y, width, 1, color);
        FillRectangle(x, y + height - 1, width, 1, color);
        FillRectangle(x, y, 1, height, color);
        FillRectangle(x + width - 1, y, 1, height, color);
    }

    /// <summary>An anti-aliased line of about one pixel's width (Xiaolin Wu), in pixel coordinates with pixel centres at integers.</summary>
    public void DrawLine(double x0, double y0, double x1, double y1, Rgba color)
    {
        var steep = Math.Abs(y1 - y0) > Math.Abs(x1 - x0);
        if (steep) (x0, y0, x1, y1) = (y0, x0, y1, x1);
        if (x0 > x1) (x0, y0, x1, y1) = (x1, y1, x0, y0);
        var gradient = x1 - x0 < 1e-12 ? 0 : (y1 - y0) / (x1 - x0);
        void Plot(int major, int minor, double coverage)
        {
            if (steep) Blend(minor, major, color, coverage);
            else Blend(major, minor, color, coverage);
        }
        var start = (int)Math.Round(x0);
        var end = (int)Math.Round(x1);
        for (var major = start; major <= end; major++)
        {
            var minor = y0 + gradient * (major - x0);
            var below = (int)Math.Floor(minor);
            var fraction = minor - below;
            Plot(major, below, 1 - fraction);
            Plot(major, below + 1, fraction);
        }
    }
}
