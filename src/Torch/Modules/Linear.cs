using static GnnSim.Torch.torch.nn;

namespace GnnSim.Torch.Modules;

/// <summary>y = x W^T + b, W [out, in]; initialized as PyTorch does, uniform in ±1/sqrt(in).</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long inFeatures, long outFeatures, bool hasBias = true, Device? device = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear({inFeatures}, {outFeatures}) needs positive sizes");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var bound = 1.0 / Math.Sqrt(inFeatures);
        weight = RegisterParameter(nameof(weight), torch.empty([outFeatures, inFeatures], device: device).uniform_(-bound, bound));
        if (hasBias) bias = RegisterParameter(nameof(bias), torch.empty([outFeatures], device: device).uniform_(-bound, bound));
    }

    public long InFeatures { get; }
    public long OutFeatures { get; }
    public Tensor weight { get; }
    public Tensor? bias { get; }

    public override Tensor forward(Tensor input) => functional.linear(input, weight, bias);
}
