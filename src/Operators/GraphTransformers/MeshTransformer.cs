using System.Runtime.CompilerServices;
using GnnSim.Graph;
using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.GraphTransformers;

/// <summary>
/// The mesh graph transformer of Garnier et al., "Training Transformers for Mesh-Based Simulations"
/// (graph-physics' <c>EncodeTransformDecode</c>), with the paper's receptive-field augmentations:
/// <code>
///   x = RMSNorm(MLP_4(node inputs))                        encoder, to width h
///   x = MeshTransformerBlock(x) x Blocks                    attention masked by the augmented adjacency
///   output = MLP_4(x)                                       decoder, back to the fields' change
/// </code>
/// The mask is the mesh adjacency joined with the sets the options ask for, each a named edge set of
/// the batch, disjoint from the others so that no neighbour counts twice: <c>khop</c> (every node 2 to
/// k hops away), <c>dilated</c> (the rings d, 2d, ..., w d hops away, <see cref="DilatedWindows"/>),
/// <c>self</c> (self loops), <c>jumps</c> (random far edges, redrawn for every batch). Global tokens
/// are G learned latents appended to every graph of the batch: each node of a graph attends to its
/// graph's tokens, and each token to every node of its graph, never across graphs; they go through
/// the blocks like nodes and are dropped before the decoder. With RoPE, a token sits at its graph's
/// centroid (so the encoding stays translation invariant).
/// </summary>
public sealed class MeshTransformer : GraphOperator
{
    public const string KHopEdges = "khop", DilatedEdges = "dilated", SelfEdges = "self", JumpEdges = "jumps";

    private readonly Mlp encoder;
    private readonly ModuleList<MeshTransformerBlock> blocks;
    private readonly Mlp decoder;
    private readonly Tensor? globalTokens;
    // The fixed augmented sets of each mesh, built once: the random jumps of every batch avoid them.
    private readonly ConditionalWeakTable<SparseGraph, FixedSets> fixedSets = [];

    public MeshTransformer(OperatorWidths widths, MeshTransformerOptions options) : base(widths)
    {
        var problems = options.Check().ToList();
        if (problems.Count > 0) throw new ArgumentException($"mesh transformer: {string.Join("; ", problems.Select(p => $"{p.Key} = {p.Value}: {p.Rule}"))}");
        Options = options;
        int h = options.Width;
        encoder = RegisterModule("nodes_encoder", new Mlp(widths.NodeInputs, h, h, hiddenLayers: 3, layerNorm: false, rmsNorm: true));
        blocks = RegisterModule("processor_list", new ModuleList<MeshTransformerBlock>(
            Enumerable.Range(0, options.Blocks).Select(_ => new MeshTransformerBlock(h, options.Heads, options.Rope ? widths.PositionDimension : 0, options.RopeBase))));
        decoder = RegisterModule("decode_module", new Mlp(h, h, widths.Outputs, hiddenLayers: 3, layerNorm: false));
        if (options.GlobalTokens > 0)
            globalTokens = RegisterParameter("global_tokens", torch.empty([options.GlobalTokens, h]).normal_(0, 0.02));
        DerivedEdgeSets = Derived(options);
    }

    public MeshTransformerOptions Options { get; }

    public override IReadOnlyList<DerivedEdgeSet> DerivedEdgeSets { get; }

    public override Tensor forward(OperatorBatch batch)
    {
        long n = batch.NodeCount;
        var (senders, receivers) = AttentionEdges(batch);
        using (senders)
        using (receivers)
        {
            var x = encoder.call(batch.NodeInputs);
            Tensor? positions = Options.Rope ? batch.Positions.alias() : null;
            if (globalTokens is not null)
            {
                using var nodes = x;
                using var tokens = Tokens(batch.GraphCount);
                x = torch.cat([nodes, tokens]);
                if (positions is not null)
                {
                    using var nodePositions = positions;
                    using var centroids = TokenPositions(batch);
                    positions = torch.cat([nodePositions, centroids]);
                }
            }
            using (positions)
            {
                foreach (var block in blocks)
                {
                    using var previous = x;
                    x = block.forward(previous, senders, receivers, positions);
                }
            }
            using (x)
            using (var atNodes = x.narrow(0, 0, n))
                return decoder.call(atNodes);
        }
    }

    /// <summary>
    /// [E'] senders and receivers of the attention: the mesh edges, the derived sets the batch
    /// carries, and with global tokens the edges between every node and its graph's tokens (token
    /// rows follow the nodes: graph b's token j is row N + b G + j).
    /// </summary>
    public (Tensor Senders, Tensor Receivers) AttentionEdges(OperatorBatch batch)
    {
        var senders = new List<Tensor> { batch.Edges(OperatorBatch.MeshEdges).Senders };
        var receivers = new List<Tensor> { batch.Edges(OperatorBatch.MeshEdges).Receivers };
        foreach (var set in DerivedEdgeSets)
        {
            var edges = batch.Edges(set.Name);
            senders.Add(edges.Senders);
            receivers.Add(edges.Receivers);
        }
        Tensor? tokenSide = null, nodeSide = null;
        if (globalTokens is not null)
        {
            (nodeSide, tokenSide) = TokenEdges(batch.NodeOffsets, Options.GlobalTokens, batch.NodeInputs.device);
            senders.Add(tokenSide);     // tokens to nodes
            receivers.Add(nodeSide);
            senders.Add(nodeSide);      // nodes to tokens
            receivers.Add(tokenSide);
        }
        using (tokenSide)
        using (nodeSide)
            return (torch.cat(senders), torch.cat(receivers));
    }

    /// <summary>[N G] node rows and the matching token rows: every node with each of its graph's G tokens.</summary>
    public static (Tensor Nodes, Tensor Tokens) TokenEdges(IReadOnlyList<int> nodeOffsets, int tokensPerGraph, Device device)
    {
        var n = nodeOffsets[^1];
        var nodes = new long[(long)n * tokensPerGraph];
        var tokens = new long[nodes.Length];
        var at = 0;
        for (var g = 0; g + 1 < nodeOffsets.Count; g++)
        for (var node = nodeOffsets[g]; node < nodeOffsets[g + 1]; node++)
        for (var j = 0; j < tokensPerGraph; j++, at++)
        {
            nodes[at] = node;
            tokens[at] = n + (long)g * tokensPerGraph + j;
        }
        using var nodeRows = torch.tensor(nodes, nodes.Length);
        using var tokenRows = torch.tensor(tokens, tokens.Length);
        return (nodeRows.to(device), tokenRows.to(device));
    }

    /// <summary>[B G, h]: the learned tokens, a copy for every graph.</summary>
    private Tensor Tokens(int graphs)
    {
        using var one = globalTokens!.unsqueeze(0);
        using var each = one.expand(graphs, Options.GlobalTokens, Options.Width);
        return each.reshape(graphs * Options.GlobalTokens, Options.Width);
    }

    /// <summary>[B G, D]: every token at its graph's centroid.</summary>
    private Tensor TokenPositions(OperatorBatch batch)
    {
        var parts = new List<Tensor>(batch.GraphCount);
        for (var g = 0; g < batch.GraphCount; g++)
        {
            using var mine = batch.Positions.narrow(0, batch.NodeOffsets[g], batch.NodeOffsets[g + 1] - batch.NodeOffsets[g]);
            using var centroid = mine.mean(0, keepdim: true);
            parts.Add(centroid.expand(Options.GlobalTokens, centroid.shape[1]).contiguous());
        }
        var joined = torch.cat(parts);
        foreach (var part in parts) part.Dispose();
        return joined;
    }

    /// <summary>The edge sets the options ask for, each disjoint from the mesh and from those before it.</summary>
    private List<DerivedEdgeSet> Derived(MeshTransformerOptions o)
    {
        var sets = new List<DerivedEdgeSet>();
        if (o.KHop > 1) sets.Add(new(KHopEdges, (mesh, _) => Fixed(mesh).Sets[KHopEdges]));
        if (o.Dilation > 0) sets.Add(new(DilatedEdges, (mesh, _) => Fixed(mesh).Sets[DilatedEdges]));
        if (o.SelfLoops) sets.Add(new(SelfEdges, (mesh, _) => Fixed(mesh).Sets[SelfEdges]));
        if (o.RandomJumps > 0) sets.Add(new(JumpEdges, Jumps, Redrawn: true));
        return sets;
    }

    /// <summary>A mesh's fixed augmented sets by name, and a sampler of jumps outside the whole mask they make with the mesh.</summary>
    private sealed record FixedSets(Dictionary<string, SparseGraph> Sets, SparseGraph Mask, RandomJumps.Sampler Jumps);

    private FixedSets Fixed(SparseGraph mesh) => fixedSets.GetValue(mesh, m =>
    {
        var sets = new Dictionary<string, SparseGraph>();
        var taken = new List<SparseGraph> { m };
        void Add(string name, SparseGraph set)
        {
            var own = set.Except([.. taken]);
            sets[name] = own;
            taken.Add(own);
        }
        if (Options.KHop > 1) Add(KHopEdges, KHop.Build(m, Options.KHop));
        if (Options.Dilation > 0) Add(DilatedEdges, DilatedWindows.Build(m, Options.Dilation, Options.Window));
        if (Options.SelfLoops)
        {
            var loops = Enumerable.Range(0, m.NodeCount).ToArray();
            Add(SelfEdges, new SparseGraph(m.NodeCount, loops, [.. loops]));
        }
        var mask = new SparseGraph(m.NodeCount, [.. taken.SelectMany(t => t.Senders)], [.. taken.SelectMany(t => t.Receivers)]);
        return new FixedSets(sets, mask, new RandomJumps.Sampler(mask));
    });

    /// <summary>About <see cref="MeshTransformerOptions.RandomJumps"/> random edges per node (both directions), none of them already in the mask.</summary>
    private SparseGraph Jumps(SparseGraph mesh, Random random)
    {
        var (_, mask, sampler) = Fixed(mesh);
        var fraction = Options.RandomJumps * mask.NodeCount / Math.Max(1, mask.EdgeCount);
        return sampler.Draw((long)Math.Round(fraction * mask.EdgeCount / 2.0), random.Next());
    }
}
