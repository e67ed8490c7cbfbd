namespace GnnSim.Torch;

/// <summary>An error raised inside libtorch (bad shapes, dtypes, devices), carrying libtorch's own message.</summary>
public sealed class TorchException(string message) : Exception(message);
