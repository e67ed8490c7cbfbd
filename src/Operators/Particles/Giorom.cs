using GnnSim.Operators.Layers;
using GnnSim.Operators.MeshGraphNets;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.Particles;

/// <summary>The sizes of GIOROM (<c>model:</c> in a config); its 2D reference: 128 wide, 2 interaction layers each side of a 32-channel latent grid, a 16-wide type embedding.</summary>
public sealed class GioromOptions : IOperatorOptions
{
    public int Latent { get; set; } = 128;
    /// <summary>Interaction layers on the sparse radius graph before the latent grid, and as many after it.</summary>
    public int InteractionLayers { get; set; } = 2;
    public int HiddenLayers { get; set; } = 2;
    public int TypeEmbedding { get; set; } = 16;
    /// <summary>Latent grid nodes per axis.</summary>
    public int GridSide { get; set; } = 16;
    /// <summary>The kernel integrals' radius in grid spacings.</summary>
    public double GridRadius { get; set; } = 1.5;
    /// <summary>Channels on the latent grid.</summary>
    public int GridWidth { get; set; } = 32;
    /// <summary>Hidden width of the kernel MLPs.</summary>
    public int KernelHidden { get; set; } = 64;
    /// <summary>Transformer layers on the latent grid (attention over each graph's grid nodes).</summary>
    public int TransformerLayers { get; set; } = 2;
    public int Heads { get; set; } = 4;
    /// <summary>Hidden width of the neural-field decoder's MLPs (16: 100,000 query points in 0.7 s on 2 cores; 32: 1.1 s; 64: 1.5 s).</summary>
    public int FieldHidden { get; set; } = 16;

    public IEnumerable<OptionProblem> Check()
    {
        if (Latent < 1) yield return new("latent", Latent, "must be at least 1");
        if (InteractionLayers < 0) yield return new("interaction_layers", InteractionLayers, "must be at least 0");
        if (HiddenLayers < 0) yield return new("hidden_layers", HiddenLayers, "must be at least 0");
        if (TypeEmbedding < 1) yield return new("type_embedding", TypeEmbedding, "must be at least 1");
        if (GridSide < 2) yield return new("grid_side", GridSide, "must be at least 2");
        if (!(GridRadius > 0) || double.IsInfinity(GridRadius)) yield return new("grid_radius", GridRadius, "must be positive (grid spacings)");
        if (GridWidth < 1) yield return new("grid_width", GridWidth, "must be at least 1");
        if (KernelHidden < 1) yield return new("kernel_hidden", KernelHidden, "must be at least 1");
        if (TransformerLayers < 0) yield return new("transformer_layers", TransformerLayers, "must be at least 0");
        if (Heads < 1 || GridWidth % Heads != 0) yield return new("heads", Heads, $"must be at least 1 and divide grid_width ({GridWidth})");
        if (FieldHidden < 1) yield return new("field_hidden", FieldHidden, "must be at least 1");
    }

    public override string ToString() => $"latent {Latent}, interaction_layers {InteractionLayers}, grid {GridSide} x {GridWidth}, transformer_layers {TransformerLayers}";
}

/// <summary>
/// GIOROM (Viswanath et al. 2024, "Reduced-Order Neural Operators: Learning Lagrangian Dynamics on
/// Highly Sparse Graphs"), the dynamics network, on a sparse sample of the particles (the particle
/// objective's <c>particle_fraction</c>): the particle type embedded and the node and edge inputs
/// encoded as GNS does; interaction layers (MeshGraphNets blocks) on the sparse radius graph; a
/// graph neural operator onto a latent grid, <c>z = KI(h)</c> (<see cref="KernelIntegral"/>) plus an
/// embedding of each node's place in its grid; transformer layers over each graph's grid nodes; the
/// operator back to the particles, <c>h += KI(z)</c> (GIOROM replaces h; the residual keeps the
/// particles' own latents beside what the grid adds); interaction layers again; the decoder gives
/// the normalized acceleration. Grid and pairs come from the batch's positions every call
/// (<see cref="LatentGrid"/>). Its <see cref="NeuralField"/> reconstructs the dense cloud from the
/// sparse one (<see cref="INeuralFieldDecoder"/>).
/// </summary>
public sealed class Giorom : GraphOperator, INeuralFieldDecoder
{
    readonly Embedding typeEmbedding;
    readonly Mlp nodeEncoder, edgeEncoder, decoder;
    readonly ModuleList<GraphNetBlock> processorIn, processorOut;
    readonly KernelIntegral toGrid, fromGrid;
    readonly Linear gridPlace;
    readonly ModuleList<GraphSelfAttention> transformer;
    readonly NeuralField field;

    public Giorom(OperatorWidths widths, GioromOptions options) : base(widths)
    {
        var problems = options.Check().ToList();
        if (problems.Count > 0) throw new ArgumentException($"GIOROM: {string.Join("; ", problems.Select(p => $"{p.Key} = {p.Value}: {p.Rule}"))}");
        if (widths.StateInputs < 1 || widths.StateInputs >= widths.NodeInputs)
            throw new ArgumentException($"GIOROM needs state inputs followed by a particle-type one-hot, got {widths.StateInputs} state columns of {widths.NodeInputs}");
        Options = options;
        TypeCount = widths.NodeInputs - widths.StateInputs;
        int l = options.Latent, h = options.HiddenLayers, d = widths.PositionDimension;
        typeEmbedding = RegisterModule("particle_type_embedding", new Embedding(TypeCount, options.TypeEmbedding));
        nodeEncoder = RegisterModule("node_encoder", new Mlp(widths.StateInputs + options.TypeEmbedding, l, l, h));
        edgeEncoder = RegisterModule("edge_encoder", new Mlp(widths.EdgeInputsOf(OperatorBatch.RadiusEdges), l, l, h));
        processorIn = RegisterModule("processor_in", new ModuleList<GraphNetBlock>(Enumerable.Range(0, options.InteractionLayers).Select(_ => new GraphNetBlock(l, h))));
        toGrid = RegisterModule("to_grid", new KernelIntegral(d, l, options.GridWidth, options.KernelHidden));
        gridPlace = RegisterModule("grid_place", new Linear(d, options.GridWidth));
        transformer = RegisterModule("transformer", new ModuleList<GraphSelfAttention>(
            Enumerable.Range(0, options.TransformerLayers).Select(_ => new GraphSelfAttention(options.GridWidth, options.Heads))));
        fromGrid = RegisterModule("from_grid", new KernelIntegral(d, options.GridWidth, l, options.KernelHidden));
        processorOut = RegisterModule("processor_out", new ModuleList<GraphNetBlock>(Enumerable.Range(0, options.InteractionLayers).Select(_ => new GraphNetBlock(l, h))));
        decoder = RegisterModule("decoder", new Mlp(l, l, widths.Outputs, h, layerNorm: false));
        field = RegisterModule("neural_field", new NeuralField(d, options.FieldHidden));
    }

    public Tensor Reconstruct(Tensor pairFeatures, Tensor queries, long queryCount) => field.forward(pairFeatures, queries, queryCount);

    public GioromOptions Options { get; }
    public int TypeCount { get; }

    public override Tensor forward(OperatorBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        var radius = batch.Edges(OperatorBatch.RadiusEdges);
        if (radius.Features is null) throw new ArgumentException("GIOROM needs features on the radius edges");
        var stateWidth = Widths.StateInputs;
        var embedded = batch.NodeInputs.narrow(1, stateWidth, TypeCount).matmul(typeEmbedding.weight);
        var nodes = nodeEncoder.call(torch.cat([batch.NodeInputs.narrow(1, 0, stateWidth), embedded], 1));
        var edges = edgeEncoder.call(radius.Features);
        foreach (var block in processorIn) (nodes, edges) = block.forward(nodes, edges, radius.Senders, radius.Receivers);

        using var grid = LatentGrid.For(batch.Positions, batch.NodeOffsets, Options.GridSide, Options.GridRadius);
        var toNodes = grid.Points.index_select(0, grid.Nodes);
        var atParticles = batch.Positions.index_select(0, grid.Particles);
        var pairRadii = grid.Radii.index_select(0, grid.Nodes);
        // z(x) = KI over the particles near grid node x of kappa((y - x) / r) W h(y), then where x sits in its grid.
        var latent = toGrid.forward((atParticles - toNodes) / pairRadii, nodes, grid.Particles, grid.Nodes, grid.NodeCount) + gridPlace.forward(grid.UnitCoordinates);
        foreach (var layer in transformer) latent = layer.forward(latent, grid.NodeOffsets);
        // And back: h(y) += KI over the grid nodes near particle y of kappa((x - y) / r) W z(x).
        nodes = nodes + fromGrid.forward((toNodes - atParticles) / pairRadii, latent, grid.Nodes, grid.Particles, batch.NodeCount);

        foreach (var block in processorOut) (nodes, edges) = block.forward(nodes, edges, radius.Senders, radius.Receivers);
        return decoder.call(nodes).DetachFromDisposeScope();
    }
}
