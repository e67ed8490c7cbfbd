using GnnSim.Torch;

namespace GnnSim.Graph;

/// <summary>How graph arrays become tensors: built on the CPU, then moved where they are wanted.</summary>
internal static class TensorHandOver
{
    /// <summary><paramref name="cpu"/> itself for the CPU, else a copy on <paramref name="device"/> (the CPU tensor is freed).</summary>
    public static Tensor OnDevice(Tensor cpu, Device? device)
    {
        if (device is null || device.Value.Type == DeviceType.CPU) return cpu;
        using (cpu) return cpu.to(device.Value);
    }
}
