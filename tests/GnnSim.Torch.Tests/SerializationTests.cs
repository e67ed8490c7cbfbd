using GnnSim.Torch.Modules;
using static GnnSim.Torch.Tests.TestSupport;

namespace GnnSim.Torch.Tests;

public sealed class SerializationTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("gnnsim-serialization-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void TensorsRoundTripWithNamesDtypesAndShapes()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(directory, "tensors.pt");
        var original = new Dictionary<string, Tensor>
        {
            ["weight"] = torch.tensor(new[] { 1.5f, -2f, 3f, 4f, 5f, 6f }, 2, 3),
            ["index"] = torch.tensor(new long[] { 7, 8, 9 }),
            ["scale"] = torch.tensor(new[] { Math.PI }),
        };
        torch.save(original, path);
        var loaded = torch.load(path);
        Assert.Equal(original.Keys.Order(), loaded.Keys.Order());
        Assert.Equal([2L, 3L], loaded["weight"].shape);
        Assert.Equal(original["weight"].ToArray<float>(), loaded["weight"].ToArray<float>());
        Assert.Equal(original["index"].ToArray<long>(), loaded["index"].ToArray<long>());
        Assert.Equal(Math.PI, loaded["scale"].item());
        foreach (var t in loaded.Values) t.Dispose();
        Assert.DoesNotContain(Directory.GetFiles(directory), f => f.Contains(".tmp"));
    }

    [Fact]
    public void PythonTorchLoadReadsOurStateDict()
    {
        using var model = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
        var path = Path.Combine(directory, "model.pt");
        torch.save(model.state_dict(), path);
        var output = RunPython($$"""
            import torch
            d = torch.load("{{path}}")
            print(sorted(d.keys()))
            print(" ".join(repr(v) for v in d["0.weight"].flatten().tolist()))
            """);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("['0.bias', '0.weight', '2.bias', '2.weight']", lines[0]);
        var fromPython = lines[1].Split(' ').Select(double.Parse).ToArray();
        Assert.Equal(model.state_dict()["0.weight"].ToArray<float>().Select(v => (double)v), fromPython);
    }

    [Fact]
    public void WeReadAStateDictSavedByPythonAndComputeTheSameOutput()
    {
        var path = Path.Combine(directory, "python.pt");
        var output = RunPython($$"""
            import torch
            torch.manual_seed(0)
            model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
            torch.save(model.state_dict(), "{{path}}")
            x = torch.tensor([[0.5, -1.0, 2.0]])
            print(" ".join(repr(v) for v in model(x).flatten().tolist()))
            """);
        var expected = output.Trim().Split(' ').Select(double.Parse).ToArray();
        using var model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
        var state = torch.load(path);
        model.load_state_dict(state);
        foreach (var t in state.Values) t.Dispose();
        using var scope = torch.NewDisposeScope();
        var y = model.forward(torch.tensor(new[] { 0.5f, -1f, 2f }, 1, 3));
        Close(expected, Values(y), 1e-6);
    }

    [Fact]
    public void ViewsSharingOneStorageAndOtherDtypesComeBackRight()
    {
        var path = Path.Combine(directory, "views.pt");
        RunPython($$"""
            import torch
            base = torch.arange(12, dtype=torch.float64).reshape(3, 4)
            torch.save({"t": base.t(), "row": base[1], "half": torch.tensor([1.5, -2.0], dtype=torch.float16),
                        "flags": torch.tensor([True, False]), "idx": torch.tensor([3, 1], dtype=torch.int32)}, "{{path}}")
            """);
        var loaded = torch.load(path);
        Assert.Equal([4L, 3L], loaded["t"].shape);
        Assert.Equal(new[] { 0.0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, loaded["t"].ToArray<double>());
        Assert.Equal(new[] { 4.0, 5, 6, 7 }, loaded["row"].ToArray<double>());
        Assert.Equal(new[] { 1.5f, -2f }, loaded["half"].to(ScalarType.Float32).ToArray<float>());
        Assert.Equal(new[] { true, false }, loaded["flags"].ToArray<bool>());
        Assert.Equal(new[] { 3, 1 }, loaded["idx"].ToArray<int>());
        foreach (var t in loaded.Values) t.Dispose();
    }

    [Fact]
    public void ACorruptFileGivesAnInvalidDataErrorNamingIt()
    {
        var path = Path.Combine(directory, "broken.pt");
        File.WriteAllBytes(path, [0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5]);
        var e = Assert.Throws<InvalidDataException>(() => torch.load(path));
        Assert.Contains(path, e.Message);

        // a real file cut short: the zip directory or the pickle is gone
        var good = Path.Combine(directory, "good.pt");
        using (var scope = torch.NewDisposeScope()) torch.save(new Dictionary<string, Tensor> { ["x"] = torch.ones(1000) }, good);
        var bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => torch.load(path)).Message);
        Assert.Throws<FileNotFoundException>(() => torch.load(Path.Combine(directory, "absent.pt")));
    }

    [Fact]
    public void AFileThatIsNotADictOfTensorsIsRefused()
    {
        var path = Path.Combine(directory, "list.pt");
        RunPython($"import torch\ntorch.save([1, 2, 3], \"{path}\")\n");
        var e = Assert.Throws<InvalidDataException>(() => torch.load(path));
        Assert.Contains("not a dict", e.Message);
    }
}
