using GnnSim.Operators.MeshGraphNets;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.Particles;

/// <summary>The sizes of GNS (<c>model:</c> in a config); Sanchez-Gonzalez et al.'s: 128 wide, 10 message-passing steps, MLPs with 2 hidden layers, a 16-wide type embedding.</summary>
public sealed class GnsOptions : IOperatorOptions
{
    public int Latent { get; set; } = 128;
    public int MessagePassingSteps { get; set; } = 10;
    public int HiddenLayers { get; set; } = 2;
    public int TypeEmbedding { get; set; } = 16;

    public IEnumerable<OptionProblem> Check()
    {
        if (Latent < 1) yield return new("latent", Latent, "must be at least 1");
        if (MessagePassingSteps < 1) yield return new("message_passing_steps", MessagePassingSteps, "must be at least 1");
        if (HiddenLayers < 0) yield return new("hidden_layers", HiddenLayers, "must be at least 0");
        if (TypeEmbedding < 1) yield return new("type_embedding", TypeEmbedding, "must be at least 1");
    }

    public override string ToString() => $"latent {Latent}, message_passing_steps {MessagePassingSteps}, hidden_layers {HiddenLayers}, type_embedding {TypeEmbedding}";
}

/// <summary>
/// GNS, the graph network simulator (Sanchez-Gonzalez et al. 2020): a learned embedding of the
/// particle type, then MeshGraphNets' encode-process-decode over the radius graph
/// (<see cref="OperatorBatch.RadiusEdges"/>). The node inputs are the state features the particle
/// objective makes (<see cref="OperatorWidths.StateInputs"/> columns: past velocities and wall
/// distances) and the particle type one-hot; the one-hot times the embedding table is the table's
/// row for the type, exactly what GNS's <c>nn.Embedding</c> looks up. State-dict keys are those of
/// the PyTorch twin in bench/gns_bench.py (<c>particle_type_embedding.weight</c>,
/// <c>encode_process_decode.blocks.0.edge_mlp.0.weight</c>).
/// </summary>
public sealed class Gns : GraphOperator
{
    private readonly Embedding typeEmbedding;
    private readonly MeshGraphNet network;

    public Gns(OperatorWidths widths, GnsOptions options) : base(widths)
    {
        var problems = options.Check().ToList();
        if (problems.Count > 0) throw new ArgumentException($"GNS: {string.Join("; ", problems.Select(p => $"{p.Key} = {p.Value}: {p.Rule}"))}");
        if (widths.StateInputs < 1 || widths.StateInputs >= widths.NodeInputs)
            throw new ArgumentException($"GNS needs state inputs followed by a particle-type one-hot, got {widths.StateInputs} state columns of {widths.NodeInputs}");
        Options = options;
        TypeCount = widths.NodeInputs - widths.StateInputs;
        typeEmbedding = RegisterModule("particle_type_embedding", new Embedding(TypeCount, options.TypeEmbedding));
        var inner = widths with { NodeInputs = widths.StateInputs + options.TypeEmbedding };
        network = RegisterModule("encode_process_decode", new MeshGraphNet(inner,
            new MeshGraphNetOptions { Latent = options.Latent, MessagePassingSteps = options.MessagePassingSteps, HiddenLayers = options.HiddenLayers },
            OperatorBatch.RadiusEdges));
    }

    public GnsOptions Options { get; }
    /// <summary>The particle types the embedding has rows for (the one-hot's width).</summary>
    public int TypeCount { get; }

    public override Tensor forward(OperatorBatch batch)
    {
        var stateWidth = Widths.StateInputs;
        using var state = batch.NodeInputs.narrow(1, 0, stateWidth);
        using var oneHot = batch.NodeInputs.narrow(1, stateWidth, TypeCount);
        using var embedded = oneHot.matmul(typeEmbedding.weight);
        using var inputs = torch.cat([state, embedded], 1);
        return network.forward(inputs, batch);
    }
}
