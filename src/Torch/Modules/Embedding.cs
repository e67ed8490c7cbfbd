using static GnnSim.Torch.torch.nn;

namespace GnnSim.Torch.Modules;

/// <summary>A learned lookup table: int64 indices to rows of weight [count, dim], initialized N(0, 1).</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    public Embedding(long count, long dimension, Device? device = null)
    {
        weight = RegisterParameter(nameof(weight), torch.randn([count, dimension], device: device));
    }

    public Tensor weight { get; }

    public override Tensor forward(Tensor indices) => functional.embedding(indices, weight);
}
