using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace GnnSim.Viz;

/// <summary>
/// PNG encoding (8-bit RGBA, no interlace): the signature, IHDR, one zlib-compressed IDAT and IEND,
/// each chunk with its CRC-32. Rows are filtered with whichever of None, Sub and Up gives the
/// smallest sum of absolute residuals, the usual heuristic.
/// </summary>
public static class PngWriter
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Encode(RgbaImage image)
    {
        using var output = new MemoryStream();
        output.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), image.Height);
        header[8] = 8; // bits per channel
        header[9] = 6; // colour type: RGBA
        WriteChunk(output, "IHDR", header);
        WriteChunk(output, "IDAT", CompressedScanlines(image));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static byte[] CompressedScanlines(RgbaImage image)
    {
        var stride = 4 * image.Width;
        var filtered = new byte[stride + 1];
        var best = new byte[stride + 1];
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < image.Height; y++)
            {
                var row = image.Pixels.AsSpan(y * stride, stride);
                var above = y > 0 ? image.Pixels.AsSpan((y - 1) * stride, stride) : default;
                var bestCost = long.MaxValue;
                for (byte filter = 0; filter <= 2; filter++)
                {
                    if (filter == 2 && y == 0) break;
                    filtered[0] = filter;
                    long cost = 0;
                    for (var i = 0; i < stride; i++)
                    {
                        var predictor = filter switch { 1 => i >= 4 ? row[i - 4] : 0, 2 => above[i], _ => 0 };
                        var residual = (byte)(row[i] - predictor);
                        filtered[i + 1] = residual;
                        cost += residual < 128 ? residual : 256 - residual;
                    }
                    if (cost < bestCost)
                    {
                        bestCost = cost;
                        filtered.CopyTo(best, 0);
                    }
                }
                zlib.Write(best);
            }
        }
        return compressed.ToArray();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(typeBytes, data));
        output.Write(word);
    }
}

/// <summary>CRC-32 (ISO-HDLC, polynomial 0xEDB88320 reflected), the checksum of PNG chunks.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Compute(params ReadOnlySpan<byte[]> parts)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var part in parts)
        foreach (var b in part)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }
}
