using System.Buffers.Binary;

namespace GnnSim.Viz;

/// <summary>
/// Animated GIF (GIF89a) encoding: one global palette of at most 256 colours, a NETSCAPE2.0 block so
/// players loop forever, and per frame a graphic control block (delay) and an LZW-compressed image.
/// Pixels take the nearest palette colour, so a palette sampled from the figure's colormaps keeps
/// the fields faithful (see <see cref="PaletteFor"/>).
/// </summary>
public static class GifWriter
{
    private const int MaxCodes = 4096;

    /// <summary>
    /// A palette for figures drawn with <paramref name="colormaps"/>: white, ink, mask gray and text
    /// grays first, then the rest shared evenly among the colormaps' samples.
    /// </summary>
    public static Rgba[] PaletteFor(params Colormap[] colormaps)
    {
        var palette = new List<Rgba> { Rgba.White, Rgba.Ink, Rgba.Black, Rgba.MaskGray };
        for (var level = 1; level < 8; level++) palette.Add(Rgba.White.Lerp(Rgba.Ink, level / 8.0));
        var perMap = colormaps.Length == 0 ? 0 : (256 - palette.Count) / colormaps.Length;
        foreach (var colormap in colormaps) palette.AddRange(colormap.Sample(perMap));
        return palette.Distinct().ToArray();
    }

    /// <param name="frames">same size, drawn opaque</param>
    /// <param name="delayCentiseconds">time each frame shows, in hundredths of a second</param>
    public static byte[] Encode(IReadOnlyList<RgbaImage> frames, Rgba[] palette, int delayCentiseconds = 10)
    {
        if (frames.Count == 0) throw new ArgumentException("an animation needs at least one frame");
        if (palette.Length is 0 or > 256) throw new ArgumentException($"a GIF palette holds 1 to 256 colours, got {palette.Length}");
        int width = frames[0].Width, height = frames[0].Height;
        if (width > ushort.MaxValue || height > ushort.MaxValue) throw new ArgumentException($"a GIF is at most 65535 pixels on a side, got {width} x {height}");
        if (frames.Any(f => f.Width != width || f.Height != height)) throw new ArgumentException("all frames of an animation must be the same size");

        using var output = new MemoryStream();
        void Write16(int value)
        {
            Span<byte> bytes = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value);
            output.Write(bytes);
        }
        output.Write("GIF89a"u8);
        Write16(width);
        Write16(height);
        output.WriteByte(0xF7); // a global colour table of 2^(7+1) entries, 8 bits per primary
        output.WriteByte(0); // background colour index
        output.WriteByte(0); // square pixels
        for (var i = 0; i < 256; i++)
        {
            var colour = i < palette.Length ? palette[i] : Rgba.Black;
            output.Write([colour.R, colour.G, colour.B]);
        }
        output.Write([0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 0x03, 0x01, 0x00, 0x00, 0x00]); // loop forever

        var quantizer = new NearestColour(palette);
        var indices = new byte[width * height];
        foreach (var frame in frames)
        {
            output.Write([0x21, 0xF9, 0x04, 0x04]); // graphic control: disposal "leave in place", no transparency
            Write16(Math.Clamp(delayCentiseconds, 0, ushort.MaxValue));
            output.Write([0x00, 0x00]);
            output.WriteByte(0x2C); // image descriptor: the whole screen, no local palette, not interlaced
            Write16(0);
            Write16(0);
            Write16(width);
            Write16(height);
            output.WriteByte(0);
            for (var p = 0; p < indices.Length; p++)
                indices[p] = quantizer.IndexOf(new Rgba(frame.Pixels[4 * p], frame.Pixels[4 * p + 1], frame.Pixels[4 * p + 2]));
            output.WriteByte(8); // LZW minimum code size
            WriteSubBlocks(output, Lzw(indices));
        }
        output.WriteByte(0x3B);
        return output.ToArray();
    }

    /// <summary>GIF's variable-width LZW: 9-bit codes growing to 12, a clear code when the table is full, codes packed LSB first.</summary>
    internal static byte[] Lzw(byte[] indices)
    {
        const int clear = 256, endOfInformation = 257;
        var packer = new BitPacker();
        var table = new Dictionary<int, int>();
        var codeSize = 9;
        var next = endOfInformation + 1;
        packer.Write(clear, codeSize);
        if (indices.Length == 0)
        {
            packer.Write(endOfInformation, codeSize);
            return packer.ToArray();
        }
        int prefix = indices[0];
        for (var i = 1; i < indices.Length; i++)
        {
            var key = prefix << 8 | indices[i];
            if (table.TryGetValue(key, out var code))
            {
                prefix = code;
                continue;
            }
            packer.Write(prefix, codeSize);
            if (next < MaxCodes)
            {
                table[key] = next;
                // The decoder learns this entry one code later; it widens once its next free code passes
                // the current width, which for us is as soon as we hand out code 2^codeSize.
                if (next == 1 << codeSize && codeSize < 12) codeSize++;
                next++;
            }
            else
            {
                packer.Write(clear, codeSize);
                table.Clear();
                codeSize = 9;
                next = endOfInformation + 1;
            }
            prefix = indices[i];
        }
        packer.Write(prefix, codeSize);
        packer.Write(endOfInformation, codeSize);
        return packer.ToArray();
    }

    private static void WriteSubBlocks(Stream output, byte[] data)
    {
        for (var offset = 0; offset < data.Length; offset += 255)
        {
            var length = Math.Min(255, data.Length - offset);
            output.WriteByte((byte)length);
            output.Write(data, offset, length);
        }
        output.WriteByte(0);
    }

    private sealed class BitPacker
    {
        private readonly List<byte> bytes = [];
        private int buffer;
        private int bits;

        public void Write(int code, int width)
        {
            buffer |= code << bits;
            bits += width;
            while (bits >= 8)
            {
                bytes.Add((byte)buffer);
                buffer >>= 8;
                bits -= 8;
            }
        }

        public byte[] ToArray()
        {
            if (bits > 0) bytes.Add((byte)buffer);
            buffer = 0;
            bits = 0;
            return bytes.ToArray();
        }
    }

    /// <summary>Nearest palette entry by squared RGB distance, remembered per colour (figures repeat colours a lot).</summary>
    private sealed class NearestColour(Rgba[] palette)
    {
        private readonly Dictionary<int, byte> cache = [];

        public byte IndexOf(Rgba colour)
        {
            var key = colour.R << 16 | colour.G << 8 | colour.B;
            if (cache.TryGetValue(key, out var index)) return index;
            var best = int.MaxValue;
            for (var i = 0; i < palette.Length; i++)
            {
                int dr = palette[i].R - colour.R, dg = palette[i].G - colour.G, db = palette[i].B - colour.B;
                var distance = dr * dr + dg * dg + db * db;
                if (distance >= best) continue;
                best = distance;
                index = (byte)i;
            }
            cache[key] = index;
            return index;
        }
    }
}
