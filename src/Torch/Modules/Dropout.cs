using static GnnSim.Torch.torch.nn;

namespace GnnSim.Torch.Modules;

/// <summary>Zeroes elements with probability p while the module is training; the identity in eval mode.</summary>
public sealed class Dropout(double p = 0.5) : Module<Tensor, Tensor>
{
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), $"dropout probability {p} is outside [0, 1]");

    public override Tensor forward(Tensor input) => functional.dropout(input, P, training);
}
