using System.Buffers.Binary;

namespace GnnSim.Datasets.TfRecord;

/// <summary>
/// TFRecord framing: each record is <c>uint64 length, uint32 masked_crc32c(length), data,
/// uint32 masked_crc32c(data)</c>, all little-endian. Both checksums are verified on reading.
/// </summary>
public static class TfRecordFile
{
    /// <summary>The records of a file, streamed one at a time.</summary>
    public static IEnumerable<byte[]> Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: file not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var header = new byte[12];
        var footer = new byte[4];
        for (long index = 0; ; index++)
        {
            long offset = stream.Position;
            int got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (got == 0) yield break;
            string where = $"{path}: record {index} at byte {offset}";
            if (got < header.Length) throw new InvalidDataException($"{where}: truncated header");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (Crc32C.Masked(header.AsSpan(0, 8)) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)))
                throw new InvalidDataException($"{where}: bad length checksum (not a TFRecord file, or corrupted)");
            if (length > (ulong)(stream.Length - stream.Position)) throw new InvalidDataException($"{where}: truncated, {length} bytes announced");
            if (length > (ulong)Array.MaxLength) throw new InvalidDataException($"{where}: a {length}-byte record is too large");
            var data = new byte[length];
            if (stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false) < data.Length
                || stream.ReadAtLeast(footer, 4, throwOnEndOfStream: false) < 4)
                throw new InvalidDataException($"{where}: truncated record");
            if (Crc32C.Masked(data) != BinaryPrimitives.ReadUInt32LittleEndian(footer))
                throw new InvalidDataException($"{where}: bad data checksum (corrupted record)");
            yield return data;
        }
    }

    /// <summary>Writes records, atomically (temporary file, then rename).</summary>
    public static void Write(string path, IEnumerable<byte[]> records) => AtomicFile.Write(path, stream =>
    {
        Span<byte> header = stackalloc byte[12];
        Span<byte> footer = stackalloc byte[4];
        foreach (var record in records)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)record.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
            BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(record));
            stream.Write(header);
            stream.Write(record);
            stream.Write(footer);
        }
    });
}
