using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.GraphTransformers;

/// <summary>
/// PhysGTO (Zhu et al., "An Efficient Graph-Transformer Operator for Learning Physical Dynamics with
/// Manifolds Embedding"), as its reference code builds it:
/// <code>
///   encoder:  V = f_v2([f_v1(state), V_cond]),  V_cond = f_type(node conditions) + f_t(t)
///             pos_enc = [cos 2^i pi x, sin 2^i pi x]_(i &lt; L) ++ x   of the positions min-max scaled per graph
///             E = f_e([x_r - x_s, x_s - x_r, |x_r - x_s|])   on the mesh edges stored once (sender the larger index)
///   blocks:   PhysGtoBlock x Blocks  (flux message passing, projection attention, feed-forward)
///   decoder:  delta = MLP([V, V_cond]) * SiLU(alpha),  alpha learned, 1/30 at the start
/// </code>
/// The node inputs' first <see cref="OperatorWidths.StateInputs"/> columns are the state; the rest
/// (node type, case parameters) are the node conditions. The output is the change of the state the
/// objective's targets are in. State-dict keys are those of the PyTorch twin in bench/physgto_bench.py.
/// </summary>
public sealed class PhysGto : GraphOperator
{
    private readonly Mlp stateEncoder;
    private readonly Mlp conditionEncoder;
    private readonly Mlp? timeEncoder;
    private readonly Mlp fusion;
    private readonly Mlp edgeEncoder;
    private readonly ModuleList<PhysGtoBlock> blocks;
    private readonly Sequential stateOut;
    private readonly Tensor alpha;
    private readonly Tensor frequencies;
    private readonly int stateInputs;

    public PhysGto(OperatorWidths widths, PhysGtoOptions options) : base(widths)
    {
        var problems = options.Check().ToList();
        if (problems.Count > 0) throw new ArgumentException($"PhysGTO: {string.Join("; ", problems.Select(p => $"{p.Key} = {p.Value}: {p.Rule}"))}");
        stateInputs = widths.StateInputs;
        if (stateInputs < 1 || stateInputs >= widths.NodeInputs)
            throw new ArgumentException($"PhysGTO embeds the state apart from the node conditions: the objective must say which of the {widths.NodeInputs} node inputs are the state (it says {stateInputs})");
        Options = options;
        int c = options.Width, h = options.Hidden, d = widths.PositionDimension;
        PositionEncodingWidth = d * (2 * options.Frequencies + 1);
        stateEncoder = RegisterModule("fv1", new Mlp(stateInputs, h, c, hiddenLayers: 2, layerNorm: false, Activation.SiLU));
        conditionEncoder = RegisterModule("fv_type", new Mlp(widths.NodeInputs - stateInputs, h, c, hiddenLayers: 2, layerNorm: false, Activation.SiLU));
        if (options.UseTime) timeEncoder = RegisterModule("enc_t", new Mlp(1, h, c, hiddenLayers: 2, layerNorm: false, Activation.SiLU));
        fusion = RegisterModule("fv2", new Mlp(2 * c, h, c, hiddenLayers: 2, layerNorm: false, Activation.SiLU));
        edgeEncoder = RegisterModule("fe", new Mlp(2 * d + 1, h, c, hiddenLayers: 1, layerNorm: false, Activation.SiLU));
        blocks = RegisterModule("blocks", new ModuleList<PhysGtoBlock>(
            Enumerable.Range(0, options.Blocks).Select(_ => new PhysGtoBlock(c, PositionEncodingWidth, h, options.Heads, options.Tokens))));
        stateOut = RegisterModule("state_out", new Sequential(new Linear(2 * c, c), new LayerNorm(c), new SiLU(), new Linear(c, c), new SiLU(), new Linear(c, widths.Outputs)));
        alpha = RegisterParameter("alpha", torch.tensor([1f / 30], 1).reshape());
        frequencies = RegisterBuffer("frequencies", torch.tensor(Enumerable.Range(0, options.Frequencies).Select(i => (float)(Math.Pow(2, i) * Math.PI)).ToArray(), options.Frequencies));
    }

    public PhysGtoOptions Options { get; }

    /// <summary>Width of the position encoding: D (2 L + 1).</summary>
    public int PositionEncodingWidth { get; }

    public override Tensor forward(OperatorBatch batch)
    {
        var state = batch.NodeInputs.narrow(1, 0, stateInputs);
        var nodeConditions = batch.NodeInputs.narrow(1, stateInputs, batch.NodeInputs.shape[1] - stateInputs);
        var conditions = conditionEncoder.forward(nodeConditions);
        if (timeEncoder is not null)
        {
            var time = batch.Time ?? throw new ArgumentException("PhysGTO conditions on time (use_time): the batch carries none");
            conditions = conditions + timeEncoder.forward(time).index_select(0, batch.BatchVector);
        }
        var nodes = fusion.forward(torch.cat([stateEncoder.forward(state), conditions], 1));

        var positions = ScaledPositions(batch.Positions, batch.NodeOffsets);
        var mesh = batch.Edges(OperatorBatch.MeshEdges);
        // The mesh edges stored once, sender the larger index, as the reference code packs them.
        var once = mesh.Senders.gt(mesh.Receivers).nonzero().squeeze(1);
        var senders = mesh.Senders.index_select(0, once);
        var receivers = mesh.Receivers.index_select(0, once);
        var edges = edgeEncoder.forward(EdgeFeatures(positions, senders, receivers));
        var graph = new PhysGtoGraph(senders, receivers, Share(senders, batch.NodeCount), Share(receivers, batch.NodeCount),
            FourierFeatures(positions, frequencies), conditions, batch.NodeOffsets);
        foreach (var block in blocks) (nodes, edges) = block.forward(nodes, edges, graph);
        return stateOut.forward(torch.cat([nodes, conditions], 1)) * alpha.silu();
    }

    /// <summary>Each graph's positions scaled to [0, 1] along each axis by its own bounding box.</summary>
    public static Tensor ScaledPositions(Tensor positions, IReadOnlyList<int> nodeOffsets)
    {
        var parts = new List<Tensor>(nodeOffsets.Count - 1);
        for (var g = 0; g + 1 < nodeOffsets.Count; g++)
        {
            var p = positions.narrow(0, nodeOffsets[g], nodeOffsets[g + 1] - nodeOffsets[g]);
            var low = p.amin(0, keepdim: true);
            parts.Add((p - low) / (p.amax(0, keepdim: true) - low).clamp_min(1e-12));
        }
        return parts.Count == 1 ? parts[0] : torch.cat(parts);
    }

    /// <summary>
    /// [N, D (2 L + 1)]: for each coordinate its cosines cos(2^i pi x) for i &lt; L, then its sines,
    /// coordinate after coordinate, then the coordinates themselves.
    /// </summary>
    public static Tensor FourierFeatures(Tensor positions, Tensor frequencies)
    {
        long n = positions.shape[0], d = positions.shape[1], l = frequencies.shape[0];
        var angles = positions.unsqueeze(2) * frequencies.view(1, 1, l);                 // [N, D, L]
        var waves = torch.cat([angles.cos(), angles.sin()], 2).reshape(n, 2 * l * d);    // [N, D 2L]
        return torch.cat([waves, positions], 1);
    }

    /// <summary>[E, 2 D + 1]: x_r - x_s, x_s - x_r and the distance.</summary>
    public static Tensor EdgeFeatures(Tensor positions, Tensor senders, Tensor receivers)
    {
        var offset = positions.index_select(0, receivers) - positions.index_select(0, senders);
        return torch.cat([offset, -offset, offset.norm(1, keepdim: true)], 1);
    }

    /// <summary>[N, 1]: 1 / (edges at the node), 0 where there are none: the weights that make a scatter-sum a mean.</summary>
    private static Tensor Share(Tensor index, long nodes)
    {
        var counts = torch.scatter_sum(torch.ones([index.shape[0], 1], device: index.device), index, nodes);
        return torch.where(counts > 0.0, counts.clamp_min(1).reciprocal(), torch.zeros_like(counts));
    }
}
