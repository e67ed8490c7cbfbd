using System.IO.Compression;

namespace GnnSim.Datasets.Npy;

/// <summary>
/// NumPy's .npz: a zip (stored or deflated, as np.savez and np.savez_compressed write it) of .npy
/// arrays, each read by <see cref="NpyFile"/>. Arrays are keyed by their name without ".npy".
/// </summary>
public static class NpzFile
{
    public static Dictionary<string, NpyArray> Read(string path)
    {
        var arrays = new Dictionary<string, NpyArray>();
        foreach (var (name, where, bytes) in ReadEntries(path))
        {
            try { arrays[name] = NpyFile.Parse(bytes, where); }
            catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{path}: not a readable .npz (zip) file: {e.Message}", e);
            }
        }
        return arrays;
    }

    /// <summary>
    /// The .npy images of an .npz, in the zip's order: each entry's name (without .npy), where it is
    /// (<c>path:entry</c>, for errors) and its bytes. An entry may declare no more than the file's size
    /// justifies, so a corrupt or hostile header cannot make this allocate beyond it.
    /// </summary>
    public static List<(string Name, string Where, byte[] Bytes)> ReadEntries(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such .npz file", path);
        var entries = new List<(string, string, byte[])>();
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal)) continue;
                if (entry.Length > 64L * Math.Max(1, new FileInfo(path).Length) + (1 << 20) || entry.Length > int.MaxValue)
                    throw new InvalidDataException($"{path}: {entry.FullName} claims {entry.Length} bytes uncompressed, implausible for a {new FileInfo(path).Length}-byte file");
                var bytes = new byte[entry.Length];
                using (var stream = entry.Open())
                {
                    var read = 0;
                    while (read < bytes.Length)
                    {
                        var n = stream.Read(bytes, read, bytes.Length - read);
                        if (n == 0) throw new InvalidDataException($"{path}: {entry.FullName} ends after {read} of its {bytes.Length} bytes");
                        read += n;
                    }
                }
                entries.Add((entry.FullName[..^4], $"{path}:{entry.FullName}", bytes));
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a readable .npz (zip) file: {e.Message}", e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a readable .npz (zip) file: {e.Message}", e);
        }
        if (entries.Count == 0) throw new InvalidDataException($"{path}: holds no .npy arrays");
        return entries;
    }

    /// <summary>An array to write into an .npz: its name (without .npy), shape and values (float[], double[], int[] or long[]).</summary>
    public sealed record Entry(string Name, int[] Shape, Array Values);

    /// <summary>Writes arrays as np.savez (stored) or np.savez_compressed (deflated) would, atomically.</summary>
    public static void Write(string path, IEnumerable<Entry> arrays, bool compressed = true)
    {
        var list = arrays.ToList();
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, shape, values) in list)
            {
                var entry = zip.CreateEntry(name + ".npy", compressed ? CompressionLevel.Fastest : CompressionLevel.NoCompression);
                using var output = entry.Open();
                switch (values)
                {
                    case float[] f: NpyFile.Write<float>(output, shape, f); break;
                    case double[] d: NpyFile.Write<double>(output, shape, d); break;
                    case int[] i: NpyFile.Write<int>(output, shape, i); break;
                    case long[] l: NpyFile.Write<long>(output, shape, l); break;
                    default: throw new ArgumentException($"array {name}: NPZ writes float, double, int and long arrays, not {values.GetType().Name}");
                }
            }
        });
    }
}
