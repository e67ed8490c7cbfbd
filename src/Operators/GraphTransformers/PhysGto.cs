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
        var mesh = batch.Edges(OperatorBatch.MeshEdges);
        // The mesh edges stored once, sender the larger index, as the reference code packs them.
        using var once = OneDirection(mesh.Senders, mesh.Receivers);
        var ratio = Options.EdgeSampleRatio;
        if (ratio >= 1) return Forward(batch, once);
        if (training)
        {
            using var keep = Sample(once, ratio);
            return Forward(batch, keep);
        }
        // Evaluation sees every edge once: the average over disjoint parts.
        var parts = EdgeParts(once, (int)Math.Max(1, Math.Round(1 / ratio)));
        Tensor? sum = null;
        foreach (var part in parts)
        {
            using (part)
            {
                var output = Forward(batch, part);
                if (sum is null) sum = output;
                else using (var previous = sum) using (output) sum = previous + output;
            }
        }
        using (sum) return sum! / parts.Count;
    }

    /// <summary>
    /// The operator on a chosen set of edges: <paramref name="edges"/> indexes the mesh edge set (its
    /// one-direction edges, as <see cref="forward"/> picks them).
    /// </summary>
    public Tensor Forward(OperatorBatch batch, Tensor edges)
    {
        // Every intermediate is disposed once consumed (autograd keeps what backward needs); what all
        // blocks read (edges, position encoding, conditions) lives to the end of the pass.
        using var conditions = Conditions(batch);
        Tensor nodes;
        using (var state = batch.NodeInputs.narrow(1, 0, stateInputs))
        using (var embedded = stateEncoder.call(state))
        using (var joined = torch.cat([embedded, conditions], 1))
            nodes = fusion.call(joined);

        using var positions = ScaledPositions(batch.Positions, batch.NodeOffsets);
        var mesh = batch.Edges(OperatorBatch.MeshEdges);
        using var senders = mesh.Senders.index_select(0, edges);
        using var receivers = mesh.Receivers.index_select(0, edges);
        Tensor latentEdges;
        using (var features = EdgeFeatures(positions, senders, receivers)) latentEdges = edgeEncoder.call(features);
        using var senderShare = Share(senders, batch.NodeCount);
        using var receiverShare = Share(receivers, batch.NodeCount);
        using var encoding = FourierFeatures(positions, frequencies);
        var graph = new PhysGtoGraph(senders, receivers, senderShare, receiverShare, encoding, conditions, batch.NodeOffsets);
        foreach (var block in blocks)
        {
            var (nextNodes, nextEdges) = Options.CheckpointBlocks ? Checkpointed(block, nodes, latentEdges, graph) : block.forward(nodes, latentEdges, graph);
            nodes.Dispose();
            latentEdges.Dispose();
            (nodes, latentEdges) = (nextNodes, nextEdges);
        }
        latentEdges.Dispose();
        Tensor delta;
        using (nodes)
        using (var decoderInputs = torch.cat([nodes, conditions], 1))
            delta = stateOut.call(decoderInputs);
        using (delta)
        using (var gate = alpha.silu())
            return delta * gate;
    }

    /// <summary>
    /// A block run as a checkpointed segment: every tensor it reads goes in as an input, so the
    /// backward's recomputation finds them alive (the pass disposes its own when it ends) and the
    /// conditions' gradient flows on to their encoder.
    /// </summary>
    private static (Tensor Nodes, Tensor Edges) Checkpointed(PhysGtoBlock block, Tensor nodes, Tensor edges, PhysGtoGraph graph)
    {
        var outputs = torch.checkpoint(inputs =>
        {
            var shared = graph with
            {
                Conditions = inputs[2], Senders = inputs[3], Receivers = inputs[4], SenderShare = inputs[5], ReceiverShare = inputs[6], PositionEncoding = inputs[7],
            };
            var (nextNodes, nextEdges) = block.forward(inputs[0], inputs[1], shared);
            return [nextNodes, nextEdges];
        }, nodes, edges, graph.Conditions, graph.Senders, graph.Receivers, graph.SenderShare, graph.ReceiverShare, graph.PositionEncoding);
        return (outputs[0], outputs[1]);
    }

    /// <summary>About <paramref name="ratio"/> of <paramref name="edges"/>, each kept with that probability (libtorch's generator).</summary>
    public static Tensor Sample(Tensor edges, double ratio)
    {
        using var draw = torch.rand([edges.shape[0]], device: edges.device);
        using var kept = draw < ratio;
        using var where = kept.nonzero();
        using var rows = where.squeeze(1);
        return edges.index_select(0, rows);
    }

    /// <summary><paramref name="edges"/> split into <paramref name="parts"/> disjoint random parts that together hold every edge once.</summary>
    public static List<Tensor> EdgeParts(Tensor edges, int parts)
    {
        using var draw = torch.rand([edges.shape[0]], device: edges.device);
        using var scaled = draw * parts;
        using var label = scaled.floor();
        var result = new List<Tensor>(parts);
        for (var k = 0; k < parts; k++)
        {
            using var mine = label.eq(k);
            using var where = mine.nonzero();
            using var rows = where.squeeze(1);
            result.Add(edges.index_select(0, rows));
        }
        return result;
    }

    /// <summary>V_cond = f_type(node conditions) + f_t(t), the time embedding given to each graph's nodes.</summary>
    private Tensor Conditions(OperatorBatch batch)
    {
        using var nodeConditions = batch.NodeInputs.narrow(1, stateInputs, batch.NodeInputs.shape[1] - stateInputs);
        var embedded = conditionEncoder.call(nodeConditions);
        if (timeEncoder is null) return embedded;
        var time = batch.Time ?? throw new ArgumentException("PhysGTO conditions on time (use_time): the batch carries none");
        using (embedded)
        using (var perGraph = timeEncoder.call(time))
        using (var perNode = perGraph.index_select(0, batch.BatchVector))
            return embedded + perNode;
    }

    private static Tensor OneDirection(Tensor senders, Tensor receivers)
    {
        using var larger = senders.gt(receivers);
        using var indices = larger.nonzero();
        return indices.squeeze(1);
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
        using var column = positions.unsqueeze(2);
        using var row = frequencies.view(1, 1, l);
        using var angles = column * row;                                                // [N, D, L]
        using var cos = angles.cos();
        using var sin = angles.sin();
        using var both = torch.cat([cos, sin], 2);
        using var waves = both.reshape(n, 2 * l * d);                                   // [N, D 2L]
        return torch.cat([waves, positions], 1);
    }

    /// <summary>[E, 2 D + 1]: x_r - x_s, x_s - x_r and the distance.</summary>
    public static Tensor EdgeFeatures(Tensor positions, Tensor senders, Tensor receivers)
    {
        using var atReceivers = positions.index_select(0, receivers);
        using var atSenders = positions.index_select(0, senders);
        using var offset = atReceivers - atSenders;
        using var back = -offset;
        using var distance = offset.norm(1, keepdim: true);
        return torch.cat([offset, back, distance], 1);
    }

    /// <summary>[N, 1]: 1 / (edges at the node), 0 where there are none: the weights that make a scatter-sum a mean.</summary>
    private static Tensor Share(Tensor index, long nodes)
    {
        using var ones = torch.ones([index.shape[0], 1], device: index.device);
        using var counts = torch.scatter_sum(ones, index, nodes);
        using var any = counts > 0.0;
        using var atLeastOne = counts.clamp_min(1);
        using var share = atLeastOne.reciprocal();
        using var none = torch.zeros_like(counts);
        return torch.where(any, share, none);
    }
}
