using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace GnnSim.Viz.Tests.Decoders;

/// <summary>
/// A small independent PNG reader for the tests: checks the signature and every chunk's CRC, inflates
/// IDAT and undoes all five row filters; 8-bit RGB and RGBA (what GnnSim and Chromium write).
/// </summary>
public static class PngDecoder
{
    public sealed record Decoded(int Width, int Height, byte[] Rgba);

    public static Decoded Decode(byte[] png)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (!png.AsSpan(0, 8).SequenceEqual(signature)) throw new InvalidDataException("not a PNG signature");
        int width = 0, height = 0, colourType = 0;
        var idat = new MemoryStream();
        var position = 8;
        var sawEnd = false;
        while (position < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(position));
            var type = Encoding.ASCII.GetString(png, position + 4, 4);
            var data = png.AsSpan(position + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position + 8 + length));
            if (crc != Crc(png.AsSpan(position + 4, 4 + length))) throw new InvalidDataException($"CRC mismatch in chunk {type}");
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    if (data[8] != 8) throw new InvalidDataException($"bit depth {data[8]} not supported");
                    colourType = data[9];
                    if (colourType is not (2 or 6)) throw new InvalidDataException($"colour type {colourType} not supported");
                    if (data[12] != 0) throw new InvalidDataException("interlaced PNG not supported");
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }
            position += 12 + length;
        }
        if (!sawEnd) throw new InvalidDataException("no IEND chunk");
        var channels = colourType == 6 ? 4 : 3;
        var stride = width * channels;
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress)) zlib.CopyTo(inflated);
        var raw = inflated.ToArray();
        if (raw.Length != height * (stride + 1)) throw new InvalidDataException($"{raw.Length} bytes of scanlines for {width} x {height}");
        var pixels = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            for (var i = 0; i < stride; i++)
            {
                int x = raw[y * (stride + 1) + 1 + i];
                int a = i >= channels ? pixels[y * stride + i - channels] : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
                int c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
                pixels[y * stride + i] = (byte)(filter switch
                {
                    0 => x,
                    1 => x + a,
                    2 => x + b,
                    3 => x + (a + b) / 2,
                    4 => x + Paeth(a, b, c),
                    _ => throw new InvalidDataException($"row filter {filter}"),
                });
            }
        }
        if (channels == 4) return new Decoded(width, height, pixels);
        var rgba = new byte[width * height * 4];
        for (var p = 0; p < width * height; p++)
        {
            rgba[4 * p] = pixels[3 * p];
            rgba[4 * p + 1] = pixels[3 * p + 1];
            rgba[4 * p + 2] = pixels[3 * p + 2];
            rgba[4 * p + 3] = 255;
        }
        return new Decoded(width, height, rgba);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static uint Crc(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var value in bytes)
        {
            crc ^= value;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
