using GnnSim.Operators.Data;
using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators;

/// <summary>
/// What every learned simulator shares, whatever its processor: it reads the state and the static
/// node features of a graph, predicts the normalized change of the state over one step, and owns the
/// three normalizers (node inputs, edge inputs, targets) so they travel with its weights.
/// Training, rollout and metrics only talk to this class.
/// </summary>
public abstract class GraphSimulator : Module
{
    protected GraphSimulator(int stateFields, int staticNodeFeatures, int edgeFeatures)
    {
        StateFields = stateFields;
        StaticNodeFeatures = staticNodeFeatures;
        EdgeFeatureCount = edgeFeatures;
        NodeNormalizer = RegisterModule("node_normalizer", new OnlineNormalizer(stateFields + staticNodeFeatures));
        EdgeNormalizer = RegisterModule("edge_normalizer", new OnlineNormalizer(edgeFeatures));
        TargetNormalizer = RegisterModule("target_normalizer", new OnlineNormalizer(stateFields));
    }

    public int StateFields { get; }
    public int StaticNodeFeatures { get; }
    public int EdgeFeatureCount { get; }
    public OnlineNormalizer NodeNormalizer { get; }
    public OnlineNormalizer EdgeNormalizer { get; }
    public OnlineNormalizer TargetNormalizer { get; }

    /// <summary>[N, F]: the normalized change of the state over one step. <paramref name="accumulate"/> feeds the input normalizers (training only).</summary>
    public abstract Tensor forward(GraphInputs inputs, bool accumulate);

    /// <summary>The normalized node inputs <c>[N, F + S]</c>: state, then one-hot type and case parameters.</summary>
    protected Tensor NormalizedNodeInputs(GraphInputs inputs, bool accumulate) =>
        NodeNormalizer.forward(torch.cat([inputs.State, inputs.StaticNodeFeatures], 1), accumulate);

    protected Tensor NormalizedEdgeInputs(GraphInputs inputs, bool accumulate) => EdgeNormalizer.forward(inputs.EdgeFeatures, accumulate);

    /// <summary>The state one step later (no boundary handling: that is the rollout's job).</summary>
    public Tensor NextState(GraphInputs inputs) => inputs.State + TargetNormalizer.Inverse(forward(inputs, accumulate: false));

    /// <summary>Checks that a trajectory fits the widths this model was built for.</summary>
    public void CheckFits(SimulationTrajectory trajectory)
    {
        var staticWidth = 9 + trajectory.Parameters.Length;
        if (trajectory.FieldCount != StateFields || staticWidth != StaticNodeFeatures)
            throw new ArgumentException($"{trajectory.Name}: {trajectory.FieldCount} fields and {trajectory.Parameters.Length} case parameters, but the model was built for {StateFields} fields and {StaticNodeFeatures - 9} parameters");
    }
}
