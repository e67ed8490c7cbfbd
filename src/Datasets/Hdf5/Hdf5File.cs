using static GnnSim.Datasets.Hdf5.H5Native;

namespace GnnSim.Datasets.Hdf5;

/// <summary>An HDF5 file, opened for reading or created anew; it is its own root group ("/").</summary>
public sealed class Hdf5File : Hdf5Group
{
    Hdf5File(long id, string path) : base(id, path, "/") { }

    /// <summary>
    /// Creates (or truncates) a file. For a file that must never be seen half-written, create it under a
    /// temporary name and rename it (as every writer here does, through <see cref="AtomicFile"/>).
    /// </summary>
    /// <remarks>
    /// The file is not locked. libhdf5 opens it without close-on-exec, so a process that any thread
    /// starts meanwhile (gmsh, python, a worker) inherits the descriptor, and with it the writer's
    /// exclusive lock, for as long as that process lives: the finished file could not be read until
    /// then. A lock would guard nothing anyway, since nobody else opens a temporary of ours.
    /// </remarks>
    public static Hdf5File Create(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        lock (Library())
        {
            // The 1.10 file format checksums every piece of metadata (superblock, object headers, and the
            // chunk indices, which 1.8's version-1 B-trees do not), so a damaged file is refused with an
            // error rather than misread or crashed on; HDF5 1.10 and later (h5py too) read it.
            var access = H5Pcreate(FileAccessClass);
            try
            {
                if (access < 0 || H5Pset_libver_bounds(access, LibraryVersion110, LibraryVersion110) < 0)
                    throw new IOException($"{path}: cannot set the HDF5 file format: {LastError()}");
                if (H5Pset_file_locking(access, useFileLocking: 0, ignoreWhenDisabled: 0) < 0)
                    throw new IOException($"{path}: cannot turn off HDF5 file locking: {LastError()}");
                var id = H5Fcreate(path, AccessTruncate, Default, access);
                if (id < 0) throw new IOException($"{path}: cannot create the HDF5 file: {LastError()}");
                return new Hdf5File(id, path);
            }
            finally
            {
                if (access >= 0) H5Pclose(access);
            }
        }
    }

    public static Hdf5File OpenRead(string path) => Open(path, AccessReadOnly);

    public static Hdf5File OpenReadWrite(string path) => Open(path, AccessReadWrite);

    static Hdf5File Open(string path, uint access)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: file not found");
        lock (Library())
        {
            if (H5Fis_hdf5(path) <= 0)
            {
                H5Eclear2(Default);
                throw new InvalidDataException($"{path}: not an HDF5 file (no HDF5 signature)");
            }
            var id = H5Fopen(path, access, Default);
            if (id < 0) throw new InvalidDataException($"{path}: cannot open the HDF5 file: {LastError()}");
            return new Hdf5File(id, path);
        }
    }

    /// <summary>True when the file starts like an HDF5 file (its signature), without opening it through the library.</summary>
    public static bool HasSignature(string path)
    {
        ReadOnlySpan<byte> signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];
        try
        {
            using var stream = File.OpenRead(path);
            Span<byte> head = stackalloc byte[8];
            return stream.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && head.SequenceEqual(signature);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>Loads libhdf5 (once) and returns the lock that serialises calls into it.</summary>
    static Lock Library()
    {
        try
        {
            var gate = Gate;
            H5Native.QuietOnThisThread();
            return gate;
        }
        catch (TypeInitializationException e) when (e.InnerException is not null) { throw e.InnerException; }
    }

    private protected override void Close(long id) => H5Fclose(id);
}
