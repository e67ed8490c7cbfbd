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
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such .npz file", path);
        var arrays = new Dictionary<string, NpyArray>();
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal)) continue;
                var name = entry.FullName[..^4];
                // The declared size bounds what is read: a corrupt or hostile header cannot make us allocate more than the file could hold.
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
                arrays[name] = NpyFile.Parse(bytes, $"{path}:{entry.FullName}");
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
        if (arrays.Count == 0) throw new InvalidDataException($"{path}: holds no .npy arrays");
        return arrays;
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
