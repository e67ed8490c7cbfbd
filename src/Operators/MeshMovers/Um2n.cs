using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.MeshMovers;

/// <summary>
/// UM2N (Zhang et al., "Towards Universal Mesh Movement Networks"): a mesh mover. Node inputs are
/// the coordinates (first two columns, in the frame the batch's positions use) and per-node
/// features (the monitor, the boundary mask); the output is every node's new position <c>[N, 2]</c>.
/// <code>
///   e = Linear(inputs); e = TransformerLayer(e) per graph;  g = Linear(e)       global, 16
///   l = sum over mesh edges of MLP(x_s - x_r, |x_s - x_r|, f_r, f_s)              local, 16
///   h_0 = SELU(Linear([f, g, l]))
///   x_0 = positions;  for each deformer layer k:
///       (x_(k+1), h_(k+1)) = ConvexGAT([x_k, h_0, ..., h_k])   (dense skips)
///       x_(k+1) = boundary projection of x_(k+1), h_(k+1) = SELU(h_(k+1))
/// </code>
/// Each layer's positions are convex combinations of neighbours' positions, so nodes stay inside
/// their neighbours' hull; with a <see cref="OperatorBatch.BoundaryRule"/> boundary nodes are put
/// back on their boundary after every layer.
/// </summary>
public sealed class Um2n : GraphOperator
{
    readonly Linear embed, toGlobal, toHidden;
    readonly ModuleList<GraphSelfAttention> encoder;
    readonly LocalFeatureExtractor local;
    readonly ModuleList<ConvexGraphAttention> deformer;

    public Um2n(OperatorWidths widths, Um2nOptions options) : base(widths)
    {
        var problems = options.Check().ToList();
        if (problems.Count > 0) throw new ArgumentException($"UM2N: {string.Join("; ", problems.Select(p => $"{p.Key} = {p.Value}: {p.Rule}"))}");
        if (widths.NodeInputs < 3) throw new ArgumentException($"UM2N needs the coordinates and at least one node feature (the monitor): {widths.NodeInputs} node inputs");
        if (widths.Outputs != 2 || widths.PositionDimension != 2) throw new ArgumentException($"UM2N moves 2-D nodes: it outputs 2 coordinates, asked for {widths.Outputs} ({widths.PositionDimension}-D positions)");
        Options = options;
        var features = widths.NodeInputs - 2;
        embed = RegisterModule("embed", new Linear(widths.NodeInputs, options.EmbedWidth));
        encoder = RegisterModule("encoder", new ModuleList<GraphSelfAttention>(
            Enumerable.Range(0, options.TransformerLayers).Select(_ => new GraphSelfAttention(options.EmbedWidth, options.Heads))));
        toGlobal = RegisterModule("to_global", new Linear(options.EmbedWidth, options.GlobalFeatures));
        local = RegisterModule("local", new LocalFeatureExtractor(features, options.LocalFeatures));
        toHidden = RegisterModule("to_hidden", new Linear(features + options.GlobalFeatures + options.LocalFeatures, options.Hidden));
        deformer = RegisterModule("deformer", new ModuleList<ConvexGraphAttention>(
            Enumerable.Range(0, options.DeformerLayers).Select(k => new ConvexGraphAttention(2 + (k + 1) * options.Hidden, options.Hidden, options.DeformerHeads))));
    }

    public Um2nOptions Options { get; }

    public override Tensor forward(OperatorBatch batch)
    {
        var inputs = batch.NodeInputs;
        long n = inputs.shape[0];
        var mesh = batch.Edges(OperatorBatch.MeshEdges);
        using var coordinates = inputs.narrow(1, 0, 2);
        using var features = inputs.narrow(1, 2, inputs.shape[1] - 2);

        var e = embed.call(inputs);
        foreach (var layer in encoder)
        {
            var next = layer.forward(e, batch.NodeOffsets);
            e.Dispose();
            e = next;
        }
        Tensor h0;
        using (e)
        using (var global = toGlobal.call(e))
        using (var around = local.forward(coordinates, features, mesh.Senders, mesh.Receivers))
        using (var joined = torch.cat([features, global, around], 1))
        using (var lifted = toHidden.call(joined))
            h0 = lifted.selu();

        // The deformer's edges: the mesh's and a self loop on every node.
        using var self = torch.arange(n, inputs.device);
        using var senders = torch.cat([mesh.Senders, self]);
        using var receivers = torch.cat([mesh.Receivers, self]);
        var hidden = new List<Tensor> { h0 };
        var positions = batch.Positions.alias();
        try
        {
            foreach (var layer in deformer)
            {
                Tensor moved, next;
                using (var z = torch.cat([positions, .. hidden], 1))
                    (moved, next) = layer.forward(z, positions, senders, receivers);
                using (next) hidden.Add(next.selu());
                positions.Dispose();
                if (batch.BoundaryRule is null) positions = moved;
                else using (moved) positions = BoundaryProjection.Apply(moved, batch.Positions, batch.BoundaryRule);
            }
            return positions;
        }
        catch
        {
            positions.Dispose();
            throw;
        }
        finally
        {
            foreach (var h in hidden) h.Dispose();
        }
    }
}
