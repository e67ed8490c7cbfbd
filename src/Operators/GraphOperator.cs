using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators;

/// <summary>
/// What an operator is built for: the width of its node inputs, of each edge set's features, of its
/// outputs, the dimension of the positions and the width of the per-graph conditions. The objective
/// decides them (what the inputs and outputs mean is its business, not the operator's), and says
/// which node inputs are the state: the first <paramref name="StateInputs"/> columns (0: it does not
/// say); the others are per-node conditions (node type, case parameters), which operators such as
/// PhysGTO embed apart from the state.
/// </summary>
public sealed record OperatorWidths(int NodeInputs, IReadOnlyDictionary<string, int> EdgeInputs, int Outputs, int PositionDimension = 2, int Conditions = 0, int StateInputs = 0)
{
    /// <summary>The width of an edge set's features; an error names the sets the objective provides.</summary>
    public int EdgeInputsOf(string edgeSet) => EdgeInputs.TryGetValue(edgeSet, out var width)
        ? width
        : throw new ArgumentException($"the operator needs edge set '{edgeSet}', the objective provides [{string.Join(", ", EdgeInputs.Keys)}]");
}

/// <summary>
/// A graph operator as a pure module: a batch of graphs in, per-node outputs <c>[N, Outputs]</c> out
/// (per query point <c>[Q, Outputs]</c> for neural-field decoders). It knows nothing of normalizers,
/// noise, targets or time steps: the objective prepares its inputs and reads its outputs.
/// </summary>
public abstract class GraphOperator : Module
{
    protected GraphOperator(OperatorWidths widths)
    {
        if (widths.NodeInputs < 1 || widths.Outputs < 1)
            throw new ArgumentException($"an operator needs at least one node input and one output, got {widths.NodeInputs} and {widths.Outputs}");
        Widths = widths;
    }

    public OperatorWidths Widths { get; }

    /// <summary>The edge sets, besides those the objective provides, that this operator's batches must carry.</summary>
    public virtual IReadOnlyList<DerivedEdgeSet> DerivedEdgeSets => [];

    public abstract Tensor forward(OperatorBatch batch);
}
