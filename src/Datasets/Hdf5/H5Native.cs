using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace GnnSim.Datasets.Hdf5;

/// <summary>
/// P/Invoke table of Debian's libhdf5 1.10 (serial build; <c>hid_t</c> is 64-bit). The serial
/// library is not thread-safe, so every call from <see cref="Hdf5File"/> and <see cref="Hdf5Group"/>
/// runs under <see cref="Gate"/>.
/// </summary>
internal static unsafe class H5Native
{
    const string Lib = "hdf5";

    /// <summary>One lock for the whole library: a serial HDF5 build must not be entered twice at once.</summary>
    internal static readonly Lock Gate = new();

    internal const long Default = 0;          // H5P_DEFAULT, H5S_ALL, H5E_DEFAULT
    internal const uint AccessReadOnly = 0;   // H5F_ACC_RDONLY
    internal const uint AccessReadWrite = 1;  // H5F_ACC_RDWR
    internal const uint AccessTruncate = 2;   // H5F_ACC_TRUNC
    internal const int ScalarSpace = 0;       // H5S_SCALAR
    internal const int DeflateFilter = 1;     // H5Z_FILTER_DEFLATE
    internal const int ClassInteger = 0, ClassFloat = 1, ClassString = 3;
    internal const int ObjectGroup = 2, ObjectDataset = 5; // H5I_type_t
    internal const int VariableSize = -1;     // H5T_VARIABLE as size_t

    static H5Native()
    {
        NativeLibrary.SetDllImportResolver(typeof(H5Native).Assembly, Resolve);
        if (H5open() < 0) throw new DllNotFoundException("libhdf5 failed to initialise (H5open)");
        // Errors are read off the stack into exceptions (LastError); HDF5 must not also print them.
        H5Eset_auto2(Default, IntPtr.Zero, IntPtr.Zero);
        // The predefined type and property-class ids are global variables, valid once H5open has run.
        long Global(string name) => Marshal.ReadInt64(NativeLibrary.GetExport(libraryHandle, name));
        NativeFloat = Global("H5T_NATIVE_FLOAT_g");
        NativeDouble = Global("H5T_NATIVE_DOUBLE_g");
        NativeInt32 = Global("H5T_NATIVE_INT_g");
        NativeInt64 = Global("H5T_NATIVE_LLONG_g");
        FileFloat32 = Global("H5T_IEEE_F32LE_g");
        FileFloat64 = Global("H5T_IEEE_F64LE_g");
        FileInt32 = Global("H5T_STD_I32LE_g");
        FileInt64 = Global("H5T_STD_I64LE_g");
        CString = Global("H5T_C_S1_g");
        DatasetCreateClass = Global("H5P_CLS_DATASET_CREATE_ID_g");
        FileAccessClass = Global("H5P_CLS_FILE_ACCESS_ID_g");
    }

    internal static readonly long NativeFloat, NativeDouble, NativeInt32, NativeInt64;
    internal static readonly long FileFloat32, FileFloat64, FileInt32, FileInt64, CString, DatasetCreateClass, FileAccessClass;
    internal const int LibraryVersion110 = 2; // H5F_libver_t's H5F_LIBVER_V110

    static readonly string[] Candidates = ["libhdf5_serial.so.103", "libhdf5_serial.so", "libhdf5.so.103", "libhdf5.so"];

    static IntPtr libraryHandle;

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Lib) return IntPtr.Zero;
        var fromEnvironment = Environment.GetEnvironmentVariable("GNNSIM_HDF5_LIBRARY");
        if (!string.IsNullOrEmpty(fromEnvironment)) return libraryHandle = NativeLibrary.Load(fromEnvironment);
        foreach (var candidate in Candidates)
            if (NativeLibrary.TryLoad(candidate, out var handle)) return libraryHandle = handle;
        throw new DllNotFoundException(
            "libhdf5 was not found (tried " + string.Join(", ", Candidates) + "). Install Debian's libhdf5-dev " +
            "(./setup.sh does), or point GNNSIM_HDF5_LIBRARY at the shared library.");
    }

    [ThreadStatic] static bool quiet;

    /// <summary>
    /// HDF5's error printing is a per-thread setting in a thread-safe build: every thread that opens or
    /// creates a file turns it off, so errors reach the user once, as exceptions (LastError), not also on stderr.
    /// </summary>
    internal static void QuietOnThisThread()
    {
        if (quiet) return;
        H5Eset_auto2(Default, IntPtr.Zero, IntPtr.Zero);
        quiet = true;
    }

    /// <summary>The HDF5 error stack as one line (outermost call, then the innermost cause), cleared afterwards.</summary>
    internal static string LastError()
    {
        var messages = new List<string>();
        var handle = GCHandle.Alloc(messages);
        try { H5Ewalk2(Default, 0, &CollectError, GCHandle.ToIntPtr(handle)); }
        finally { handle.Free(); }
        H5Eclear2(Default);
        if (messages.Count == 0) return "unknown HDF5 error";
        return messages.Count == 1 ? Condensed(messages[0]) : $"{Condensed(messages[0])} ({Condensed(messages[^1])})";
    }

    // A failed system call's record ("file write failed: time = ..., filename = ..., errno = 28,
    // error message = 'No space left on device', buf = ...") becomes what failed and the system's reason.
    static string Condensed(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"^(?<what>[^:,]+):.*error message = '(?<reason>[^']*)'", System.Text.RegularExpressions.RegexOptions.Singleline);
        return match.Success ? $"{match.Groups["what"].Value}: {match.Groups["reason"].Value}" : message;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct ErrorRecord
    {
        public long Class, Major, Minor;
        public uint Line;
        public IntPtr Function, File, Description;
    }

    [UnmanagedCallersOnly]
    static int CollectError(uint depth, ErrorRecord* record, IntPtr client)
    {
        var messages = (List<string>)GCHandle.FromIntPtr(client).Target!;
        var text = Marshal.PtrToStringUTF8(record->Description);
        if (!string.IsNullOrWhiteSpace(text)) messages.Add(text);
        return 0;
    }

    [DllImport(Lib)] internal static extern int H5open();
    [DllImport(Lib)] internal static extern int H5Eset_auto2(long stack, IntPtr func, IntPtr clientData);
    [DllImport(Lib)] static extern int H5Ewalk2(long stack, int direction, delegate* unmanaged<uint, ErrorRecord*, IntPtr, int> walker, IntPtr clientData);
    [DllImport(Lib)] internal static extern int H5Eclear2(long stack);
    [DllImport(Lib)] internal static extern int H5free_memory(IntPtr buffer);

    [DllImport(Lib)] internal static extern int H5Fis_hdf5([MarshalAs(UnmanagedType.LPUTF8Str)] string path);
    [DllImport(Lib)] internal static extern long H5Fcreate([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint flags, long createPlist, long accessPlist);
    [DllImport(Lib)] internal static extern long H5Fopen([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint flags, long accessPlist);
    [DllImport(Lib)] internal static extern int H5Fclose(long file);

    [DllImport(Lib)] internal static extern long H5Gcreate2(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, long linkPlist, long createPlist, long accessPlist);
    [DllImport(Lib)] internal static extern long H5Gopen2(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, long accessPlist);
    [DllImport(Lib)] internal static extern int H5Gclose(long group);

    [StructLayout(LayoutKind.Sequential)]
    internal struct GroupInfo
    {
        public int StorageType;
        public ulong LinkCount;
        public long MaxCreationOrder;
        public byte Mounted;
    }

    [DllImport(Lib)] internal static extern int H5Gget_info(long group, out GroupInfo info);
    [DllImport(Lib)] internal static extern long H5Lget_name_by_idx(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string groupName, int indexType, int order, ulong n, byte* name, nuint size, long linkPlist);
    [DllImport(Lib)] internal static extern int H5Lexists(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, long linkPlist);
    [DllImport(Lib)] internal static extern long H5Oopen(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, long accessPlist);
    [DllImport(Lib)] internal static extern int H5Oclose(long obj);
    [DllImport(Lib)] internal static extern int H5Iget_type(long id);

    [DllImport(Lib)] internal static extern long H5Screate(int kind);
    [DllImport(Lib)] internal static extern long H5Screate_simple(int rank, ulong* dims, ulong* maxDims);
    [DllImport(Lib)] internal static extern int H5Sget_simple_extent_ndims(long space);
    [DllImport(Lib)] internal static extern int H5Sget_simple_extent_dims(long space, ulong* dims, ulong* maxDims);
    [DllImport(Lib)] internal static extern int H5Sclose(long space);

    [DllImport(Lib)] internal static extern long H5Pcreate(long propertyClass);
    [DllImport(Lib)] internal static extern int H5Pset_chunk(long plist, int rank, ulong* dims);
    [DllImport(Lib)] internal static extern int H5Pset_deflate(long plist, uint level);
    [DllImport(Lib)] internal static extern int H5Pset_shuffle(long plist);
    [DllImport(Lib)] internal static extern int H5Pset_fletcher32(long plist);
    [DllImport(Lib)] internal static extern int H5Pset_libver_bounds(long plist, int low, int high);
    [DllImport(Lib)] internal static extern int H5Pset_file_locking(long plist, byte useFileLocking, byte ignoreWhenDisabled); // 1.10.7 and later
    [DllImport(Lib)] internal static extern int H5Pclose(long plist);
    [DllImport(Lib)] internal static extern int H5Zfilter_avail(int filter);

    [DllImport(Lib)] internal static extern long H5Dcreate2(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, long type, long space, long linkPlist, long createPlist, long accessPlist);
    [DllImport(Lib)] internal static extern long H5Dopen2(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, long accessPlist);
    [DllImport(Lib)] internal static extern int H5Dwrite(long dataset, long memoryType, long memorySpace, long fileSpace, long transferPlist, void* buffer);
    [DllImport(Lib)] internal static extern ulong H5Dget_storage_size(long dataset);
    [DllImport(Lib)] internal static extern int H5Dread(long dataset, long memoryType, long memorySpace, long fileSpace, long transferPlist, void* buffer);
    [DllImport(Lib)] internal static extern long H5Dget_space(long dataset);
    [DllImport(Lib)] internal static extern long H5Dget_type(long dataset);
    [DllImport(Lib)] internal static extern int H5Dclose(long dataset);
    [DllImport(Lib)] internal static extern int H5Dvlen_reclaim(long type, long space, long transferPlist, void* buffer);

    [DllImport(Lib)] internal static extern long H5Tcopy(long type);
    [DllImport(Lib)] internal static extern int H5Tset_size(long type, nuint size);
    [DllImport(Lib)] internal static extern nuint H5Tget_size(long type);
    [DllImport(Lib)] internal static extern int H5Tset_cset(long type, int characterSet);
    [DllImport(Lib)] internal static extern int H5Tget_class(long type);
    [DllImport(Lib)] internal static extern int H5Tis_variable_str(long type);
    [DllImport(Lib)] internal static extern int H5Tclose(long type);

    [DllImport(Lib)] internal static extern long H5Acreate2(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, long type, long space, long createPlist, long accessPlist);
    [DllImport(Lib)] internal static extern long H5Aopen(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, long accessPlist);
    [DllImport(Lib)] internal static extern int H5Aexists(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [DllImport(Lib)] internal static extern int H5Adelete(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [DllImport(Lib)] internal static extern int H5Awrite(long attribute, long memoryType, void* buffer);
    [DllImport(Lib)] internal static extern int H5Aread(long attribute, long memoryType, void* buffer);
    [DllImport(Lib)] internal static extern long H5Aget_space(long attribute);
    [DllImport(Lib)] internal static extern long H5Aget_type(long attribute);
    [DllImport(Lib)] internal static extern int H5Aget_num_attrs(long location);
    [DllImport(Lib)] internal static extern long H5Aget_name_by_idx(long location, [MarshalAs(UnmanagedType.LPUTF8Str)] string objectName, int indexType, int order, ulong n, byte* name, nuint size, long linkPlist);
    [DllImport(Lib)] internal static extern int H5Aclose(long attribute);

    /// <summary>Reads a name through HDF5's "ask for the length, then fill the buffer" convention.</summary>
    internal static string ReadName(Func<IntPtr, nuint, long> call)
    {
        long length = call(IntPtr.Zero, 0);
        if (length < 0) return "";
        var buffer = new byte[length + 1];
        fixed (byte* pointer = buffer) call((IntPtr)pointer, (nuint)buffer.Length);
        return Encoding.UTF8.GetString(buffer, 0, (int)length);
    }
}
