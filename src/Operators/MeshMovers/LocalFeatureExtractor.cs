using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.MeshMovers;

/// <summary>
/// UM2N's local feature extractor: on every mesh edge s -> r a message
/// <c>[SELU(MLP(x_s - x_r, |x_s - x_r|, m_r, m_s)), |x_s - x_r|]</c> (an MLP of two hidden layers of
/// 64, SELU, out - 1 wide, with the edge length appended), summed onto the receivers: out features
/// per node that say how the monitor varies around it.
/// </summary>
public sealed class LocalFeatureExtractor : Module
{
    readonly Mlp mlp;

    /// <param name="nodeFeatures">node features beside the coordinates (the monitor)</param>
    public LocalFeatureExtractor(int nodeFeatures, int output)
    {
        if (output < 2) throw new ArgumentException($"the local features need at least 2 channels (one is the edge length), got {output}");
        NodeFeatures = nodeFeatures;
        mlp = RegisterModule("mlp", new Mlp(3 + 2 * nodeFeatures, 64, output - 1, hiddenLayers: 2, layerNorm: false, activation: Activation.SELU));
    }

    public int NodeFeatures { get; }

    /// <param name="coordinates">[N, 2]</param>
    /// <param name="features">[N, F] (F = NodeFeatures)</param>
    public Tensor forward(Tensor coordinates, Tensor features, Tensor senders, Tensor receivers)
    {
        long n = coordinates.shape[0];
        using var atSenders = coordinates.index_select(0, senders);
        using var atReceivers = coordinates.index_select(0, receivers);
        using var difference = atSenders - atReceivers;
        using var length = difference.norm(1, keepdim: true);
        using var featuresR = features.index_select(0, receivers);
        using var featuresS = features.index_select(0, senders);
        using var edgeInput = torch.cat([difference, length, featuresR, featuresS], 1);
        using var hidden = mlp.call(edgeInput);
        using var activated = hidden.selu();
        using var message = torch.cat([activated, length], 1);
        return torch.scatter_sum(message, receivers, n);
    }
}
