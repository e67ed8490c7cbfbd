using GnnSim.Operators.Data;
using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.MeshGraphNet;

/// <summary>The widths of a MeshGraphNet; DeepMind's are 128 wide, 15 blocks, MLPs with 2 hidden layers.</summary>
public sealed record MeshGraphNetOptions(int Latent = 128, int MessagePassingSteps = 15, int HiddenLayers = 2);

/// <summary>
/// MeshGraphNets (Pfaff et al. 2021), encode-process-decode: node and edge encoders (MLP + LayerNorm)
/// lift the normalized inputs to latents, <c>MessagePassingSteps</c> <see cref="GraphNetBlock"/>s
/// with their own weights process them, a decoder MLP (no LayerNorm) reads the normalized change
/// of the state off the node latents.
/// </summary>
public sealed class MeshGraphNetModel : GraphSimulator
{
    private readonly Mlp nodeEncoder;
    private readonly Mlp edgeEncoder;
    private readonly GraphNetBlock[] processor;
    private readonly Mlp decoder;

    public MeshGraphNetModel(int stateFields, int staticNodeFeatures, int edgeFeatures, MeshGraphNetOptions options)
        : base(stateFields, staticNodeFeatures, edgeFeatures)
    {
        if (options.Latent < 1 || options.MessagePassingSteps < 1 || options.HiddenLayers < 0)
            throw new ArgumentException($"MeshGraphNet needs latent >= 1, message_passing_steps >= 1 and hidden_layers >= 0, got {options}");
        Options = options;
        nodeEncoder = RegisterModule("node_encoder", new Mlp(stateFields + staticNodeFeatures, options.Latent, options.Latent, options.HiddenLayers));
        edgeEncoder = RegisterModule("edge_encoder", new Mlp(edgeFeatures, options.Latent, options.Latent, options.HiddenLayers));
        processor = new GraphNetBlock[options.MessagePassingSteps];
        for (var i = 0; i < processor.Length; i++) processor[i] = RegisterModule($"block{i}", new GraphNetBlock(options.Latent, options.HiddenLayers));
        decoder = RegisterModule("decoder", new Mlp(options.Latent, options.Latent, stateFields, options.HiddenLayers, layerNorm: false));
    }

    public MeshGraphNetOptions Options { get; }

    public override Tensor forward(GraphInputs inputs, bool accumulate)
    {
        Tensor nodes, edges;
        using (var nodeInputs = NormalizedNodeInputs(inputs, accumulate)) nodes = nodeEncoder.forward(nodeInputs);
        using (var edgeInputs = NormalizedEdgeInputs(inputs, accumulate)) edges = edgeEncoder.forward(edgeInputs);
        // Each block's latents are freed once the next has read them (autograd keeps its own references).
        foreach (var block in processor)
        {
            var (nextNodes, nextEdges) = block.forward(nodes, edges, inputs.Senders, inputs.Receivers);
            nodes.Dispose();
            edges.Dispose();
            (nodes, edges) = (nextNodes, nextEdges);
        }
        edges.Dispose();
        using (nodes) return decoder.forward(nodes);
    }
}
