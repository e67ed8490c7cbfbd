namespace GnnSim.Datasets;

/// <summary>
/// Writes that never leave a half-written file under the final name: write a temporary, then rename.
/// A write that fails (a full disk, a read-only place) removes its temporary, leaves the file there as
/// it was, and throws an <see cref="IOException"/> that names the file.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write) => Replace(path, temporary =>
    {
        using var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        write(stream);
    });

    public static void WriteAllText(string path, string text) => Replace(path, temporary => File.WriteAllText(temporary, text));

    /// <summary>For writers that want a path of their own (libhdf5, torch.save): <paramref name="write"/> fills the temporary path given to it.</summary>
    public static void Replace(string path, Action<string> write)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + $".tmp{Environment.ProcessId}";
        try
        {
            write(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a read-only place: say which file, and that the one there was not touched.
            throw new IOException($"{full} was not written, and the file there (if any) is unchanged: {e.Message.Replace(temporary, full)}", e);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
