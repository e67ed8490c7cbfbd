namespace GnnSim.Torch;

/// <summary>Device kinds, numbered as c10::DeviceType.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>Where a tensor lives: <c>cpu</c>, or <c>cuda:N</c>.</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);

    public static Device CUDA(int index = 0) => new(DeviceType.CUDA, index);

    /// <summary>Parses "cpu", "cuda" or "cuda:1".</summary>
    public static Device Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':');
        var type = parts[0] switch
        {
            "cpu" => DeviceType.CPU,
            "cuda" => DeviceType.CUDA,
            _ => throw new ArgumentException($"unknown device '{text}' (expected cpu, cuda or cuda:N)"),
        };
        if (parts.Length == 1) return new Device(type, type == DeviceType.CUDA ? 0 : -1);
        if (parts.Length == 2 && int.TryParse(parts[1], out var index) && index >= 0) return new Device(type, index);
        throw new ArgumentException($"unknown device '{text}' (expected cpu, cuda or cuda:N)");
    }

    public override string ToString() =>
        Type == DeviceType.CPU ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";
}
