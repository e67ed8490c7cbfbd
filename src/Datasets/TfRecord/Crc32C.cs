using System.Runtime.Intrinsics.X86;

namespace GnnSim.Datasets.TfRecord;

/// <summary>CRC-32C (Castagnoli), the checksum of TFRecord framing, with TFRecord's mask.</summary>
public static class Crc32C
{
    const uint Polynomial = 0x82F63B78; // reflected Castagnoli polynomial
    static readonly uint[] Table = BuildTable();

    static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        int k = 0;
        if (Sse42.X64.IsSupported)
        {
            ulong wide = crc;
            for (; k + 8 <= data.Length; k += 8) wide = Sse42.X64.Crc32(wide, BitConverter.ToUInt64(data.Slice(k, 8)));
            crc = (uint)wide;
        }
        for (; k < data.Length; k++) crc = Table[(crc ^ data[k]) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>TFRecord stores masked checksums, so that a CRC of data that holds CRCs stays well distributed.</summary>
    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + 0xA282EAD8;

    public static uint Masked(ReadOnlySpan<byte> data) => Mask(Compute(data));
}
