using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.MeshGraphNets;

/// <summary>The sizes of a MeshGraphNet (<c>model:</c> in a config); DeepMind's: 128 wide, 15 blocks, MLPs with 2 hidden layers.</summary>
public sealed class MeshGraphNetOptions : IOperatorOptions
{
    public int Latent { get; set; } = 128;
    public int MessagePassingSteps { get; set; } = 15;
    public int HiddenLayers { get; set; } = 2;

    public IEnumerable<OptionProblem> Check()
    {
        if (Latent < 1) yield return new("latent", Latent, "must be at least 1");
        if (MessagePassingSteps < 1) yield return new("message_passing_steps", MessagePassingSteps, "must be at least 1");
        if (HiddenLayers < 0) yield return new("hidden_layers", HiddenLayers, "must be at least 0");
    }

    public override string ToString() => $"latent {Latent}, message_passing_steps {MessagePassingSteps}, hidden_layers {HiddenLayers}";
}

/// <summary>
/// MeshGraphNets (Pfaff et al. 2021), encode-process-decode over one edge set (the mesh's, or GNS's
/// radius graph: <see cref="Particles.Gns"/> is this network behind a particle-type embedding): node and edge
/// encoders (MLP + LayerNorm) lift the inputs to latents, <c>MessagePassingSteps</c>
/// <see cref="GraphNetBlock"/>s with their own weights process them, a decoder MLP (no LayerNorm)
/// reads the outputs off the node latents. State-dict keys are those of the PyTorch twin in
/// bench/mgn_bench.py (<c>blocks.0.edge_mlp.0.weight</c>).
/// </summary>
public sealed class MeshGraphNet : GraphOperator
{
    private readonly Mlp nodeEncoder;
    private readonly Mlp edgeEncoder;
    private readonly ModuleList<GraphNetBlock> blocks;
    private readonly Mlp decoder;
    private readonly string edgeSet;

    /// <param name="edgeSet">the edge set messages run on (<see cref="OperatorBatch.MeshEdges"/> unless told)</param>
    public MeshGraphNet(OperatorWidths widths, MeshGraphNetOptions options, string edgeSet = OperatorBatch.MeshEdges) : base(widths)
    {
        var problems = options.Check().ToList();
        if (problems.Count > 0) throw new ArgumentException($"MeshGraphNet: {string.Join("; ", problems.Select(p => $"{p.Key} = {p.Value}: {p.Rule}"))}");
        Options = options;
        this.edgeSet = edgeSet;
        nodeEncoder = RegisterModule("node_encoder", new Mlp(widths.NodeInputs, options.Latent, options.Latent, options.HiddenLayers));
        edgeEncoder = RegisterModule("edge_encoder", new Mlp(widths.EdgeInputsOf(edgeSet), options.Latent, options.Latent, options.HiddenLayers));
        blocks = RegisterModule("blocks", new ModuleList<GraphNetBlock>(
            Enumerable.Range(0, options.MessagePassingSteps).Select(_ => new GraphNetBlock(options.Latent, options.HiddenLayers))));
        decoder = RegisterModule("decoder", new Mlp(options.Latent, options.Latent, widths.Outputs, options.HiddenLayers, layerNorm: false));
    }

    public MeshGraphNetOptions Options { get; }

    public override Tensor forward(OperatorBatch batch) => forward(batch.NodeInputs, batch);

    /// <summary>The network on these node inputs <c>[N, NodeInputs]</c> (a wrapper's, such as GNS's embedded ones) and the batch's edges.</summary>
    public Tensor forward(Tensor nodeInputs, OperatorBatch batch)
    {
        var mesh = batch.Edges(edgeSet);
        if (mesh.Features is null) throw new ArgumentException($"MeshGraphNet needs features on the '{edgeSet}' edges");
        var nodes = nodeEncoder.call(nodeInputs);
        var edges = edgeEncoder.call(mesh.Features);
        // Each block's latents are freed once the next has read them (autograd keeps its own references).
        foreach (var block in blocks)
        {
            var (nextNodes, nextEdges) = block.forward(nodes, edges, mesh.Senders, mesh.Receivers);
            nodes.Dispose();
            edges.Dispose();
            (nodes, edges) = (nextNodes, nextEdges);
        }
        edges.Dispose();
        using (nodes) return decoder.call(nodes);
    }
}
