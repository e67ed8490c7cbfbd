using System.Runtime.InteropServices;
using System.Text;
using static GnnSim.Torch.Native;

namespace GnnSim.Torch;

/// <summary>
/// Saving and loading dicts of named tensors in torch.save's format (a zip of pickled data), so a
/// file written here opens with Python's <c>torch.load</c> and the other way round.
/// </summary>
public static partial class torch
{
    /// <summary>
    /// Writes the tensors (as CPU copies) to <paramref name="path"/>; the file appears only when it
    /// is complete (written under a temporary name, then renamed).
    /// </summary>
    public static unsafe void save(IReadOnlyDictionary<string, Tensor> tensors, string path)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp-" + Environment.ProcessId;
        var names = tensors.Keys.ToArray();
        var handles = names.Select(n => tensors[n].Handle).ToArray();
        var encodedNames = names.Select(n => Encoding.UTF8.GetBytes(n + "\0")).ToArray();
        var pins = encodedNames.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
        try
        {
            var namePointers = pins.Select(p => p.AddrOfPinnedObject()).ToArray();
            var pathBytes = Encoding.UTF8.GetBytes(temporary + "\0");
            fixed (byte* pathPointer = pathBytes)
            fixed (IntPtr* nameArray = namePointers)
            fixed (IntPtr* handleArray = handles)
                Check(gs_save(pathPointer, (byte**)nameArray, handleArray, names.Length));
            File.Move(temporary, full, overwrite: true);
        }
        catch (TorchException e)
        {
            // A file that cannot be written (a full disk, a read-only place) is an I/O error of the file asked for; the one there stays as it was.
            throw new IOException(e.Message.Replace(temporary, full), e);
        }
        finally
        {
            foreach (var pin in pins) pin.Free();
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Reads a dict of named tensors written by <see cref="save"/> or by Python's torch.save (a
    /// state_dict, say). The tensors are on the CPU and belong to the caller (no dispose scope).
    /// Throws <see cref="InvalidDataException"/> naming the file when it is not such a dict.
    /// </summary>
    public static Dictionary<string, Tensor> load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no tensor file at {path}", path);
        return TorchFileReader.Read(path);
    }
}
