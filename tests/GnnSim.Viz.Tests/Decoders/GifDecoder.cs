using System.Buffers.Binary;

namespace GnnSim.Viz.Tests.Decoders;

/// <summary>
/// A small independent GIF reader for the tests: the global palette, the loop block, each frame's
/// delay and its LZW-decoded palette indices (full-screen frames without local palettes).
/// </summary>
public static class GifDecoder
{
    public sealed record Frame(int DelayCentiseconds, byte[] Indices);

    public sealed record Decoded(int Width, int Height, byte[][] Palette, bool Loops, List<Frame> Frames)
    {
        public (byte R, byte G, byte B) Colour(int frame, int x, int y)
        {
            var entry = Palette[Frames[frame].Indices[y * Width + x]];
            return (entry[0], entry[1], entry[2]);
        }
    }

    public static Decoded Decode(byte[] gif)
    {
        var header = System.Text.Encoding.ASCII.GetString(gif, 0, 6);
        if (header != "GIF89a") throw new InvalidDataException($"header {header}");
        int width = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(6)), height = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(8));
        var packed = gif[10];
        if ((packed & 0x80) == 0) throw new InvalidDataException("no global colour table");
        var paletteSize = 2 << (packed & 7);
        var palette = Enumerable.Range(0, paletteSize).Select(i => gif.AsSpan(13 + 3 * i, 3).ToArray()).ToArray();
        var position = 13 + 3 * paletteSize;
        var loops = false;
        var delay = 0;
        var frames = new List<Frame>();
        while (true)
        {
            var introducer = gif[position++];
            if (introducer == 0x3B) break;
            if (introducer == 0x21)
            {
                var label = gif[position++];
                var blocks = ReadSubBlocks(gif, ref position);
                if (label == 0xF9) delay = BinaryPrimitives.ReadUInt16LittleEndian(blocks.AsSpan(1));
                if (label == 0xFF && System.Text.Encoding.ASCII.GetString(blocks, 0, 11) == "NETSCAPE2.0") loops = true;
                continue;
            }
            if (introducer != 0x2C) throw new InvalidDataException($"unexpected block 0x{introducer:x2} at {position - 1}");
            int frameWidth = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(position + 4)), frameHeight = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(position + 6));
            if (frameWidth != width || frameHeight != height || gif[position + 8] != 0) throw new InvalidDataException("only full-screen frames without local palettes");
            position += 9;
            var minimumCodeSize = gif[position++];
            var data = ReadSubBlocks(gif, ref position);
            frames.Add(new Frame(delay, Lzw(data, minimumCodeSize, width * height)));
        }
        return new Decoded(width, height, palette, loops, frames);
    }

    private static byte[] ReadSubBlocks(byte[] gif, ref int position)
    {
        var data = new List<byte>();
        while (gif[position] != 0)
        {
            int length = gif[position++];
            data.AddRange(gif.AsSpan(position, length).ToArray());
            position += length;
        }
        position++;
        return data.ToArray();
    }

    private static byte[] Lzw(byte[] data, int minimumCodeSize, int pixelCount)
    {
        int clear = 1 << minimumCodeSize, end = clear + 1;
        var table = new List<byte[]>();
        void Reset()
        {
            table.Clear();
            for (var i = 0; i < clear; i++) table.Add([(byte)i]);
            table.Add([]);
            table.Add([]);
        }
        Reset();
        var codeSize = minimumCodeSize + 1;
        var output = new List<byte>(pixelCount);
        byte[]? previous = null;
        var bitPosition = 0;
        while (bitPosition + codeSize <= data.Length * 8)
        {
            var code = 0;
            for (var bit = 0; bit < codeSize; bit++, bitPosition++)
                code |= (data[bitPosition >> 3] >> (bitPosition & 7) & 1) << bit;
            if (code == clear)
            {
                Reset();
                codeSize = minimumCodeSize + 1;
                previous = null;
                continue;
            }
            if (code == end) break;
            byte[] entry;
            if (code < table.Count) entry = table[code];
            else if (code == table.Count && previous is not null) entry = [.. previous, previous[0]];
            else throw new InvalidDataException($"LZW code {code} beyond the table ({table.Count})");
            output.AddRange(entry);
            if (previous is not null && table.Count < 4096) table.Add([.. previous, entry[0]]);
            if (table.Count == 1 << codeSize && codeSize < 12) codeSize++;
            previous = entry;
        }
        if (output.Count != pixelCount) throw new InvalidDataException($"{output.Count} pixels decoded, {pixelCount} expected");
        return output.ToArray();
    }
}
