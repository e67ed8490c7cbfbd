using System.Buffers.Binary;
using System.Text;

namespace GnnSim.Datasets.Tests;

public sealed class NpyFileTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("gnnsim-npy").FullName;
    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A .npy file as NumPy writes it: magic, version 1.0, a dict header padded to 64 bytes, data.</summary>
    static byte[] NumpyBytes(string descr, string shape, byte[] data)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + dict.Length + 1;
        string header = dict + new string(' ', (total + 63) / 64 * 64 - total) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 };
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    [Fact]
    public void Float32RoundTripsWithShape()
    {
        string path = Path.Combine(folder, "u.npy");
        var values = Enumerable.Range(0, 2 * 3 * 4).Select(k => k * 0.25f - 1).ToArray();
        NpyFile.Write(path, [2, 3, 4], values);
        var array = NpyFile.ReadFloating(path, rank: 3);
        Assert.Equal([2, 3, 4], array.Shape);
        Assert.Equal(NpyType.Float32, array.Type);
        Assert.Equal(values, array.ToSingle());
        Assert.Equal(0, (new FileInfo(path).Length - values.Length * 4) % 64); // data starts 64-byte aligned
    }

    [Fact]
    public void ReadsFloat64AsNumPyWritesIt()
    {
        var data = new byte[6 * 8];
        for (int k = 0; k < 6; k++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(k * 8), k / 3.0);
        string path = Path.Combine(folder, "v.npy");
        File.WriteAllBytes(path, NumpyBytes("<f8", "(1, 2, 3)", data));
        var array = NpyFile.ReadFloating(path, rank: 3);
        Assert.Equal(NpyType.Float64, array.Type);
        Assert.Equal(5 / 3.0, array.Values[5], 15);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("dtype")]
    [InlineData("magic")]
    [InlineData("rank")]
    public void BadFilesNameTheFileAndTheProblem(string defect)
    {
        string path = Path.Combine(folder, $"{defect}.npy");
        byte[] good = NumpyBytes("<f4", "(2, 2, 2)", new byte[32]);
        byte[] bytes = defect switch
        {
            "truncated" => good[..^5],
            "dtype" => NumpyBytes("<i2", "(2, 2, 2)", new byte[16]),
            "magic" => [.. Encoding.ASCII.GetBytes("NOTNPY"), .. good[6..]],
            _ => NumpyBytes("<f4", "(8,)", new byte[32]),
        };
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloating(path, rank: 3));
        Assert.Contains(path, error.Message);
        Assert.Contains(defect switch { "truncated" => "truncated", "dtype" => "<i2", "magic" => "magic", _ => "dimensions" }, error.Message);
    }
}
