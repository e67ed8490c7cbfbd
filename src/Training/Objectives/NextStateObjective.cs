using GnnSim.Operators;
using GnnSim.Torch;
using GnnSim.Training.Data;

namespace GnnSim.Training.Objectives;

/// <summary>How next-state training runs (the <c>training:</c> keys it reads).</summary>
/// <param name="NoiseStd">std of the Gaussian noise on NORMAL nodes' input state (DeepMind: 0.02 for cylinder flow)</param>
/// <param name="PushforwardSteps">steps rolled without gradient before the trained ones</param>
/// <param name="UnrollSteps">steps rolled with gradient through them; the loss sums theirs (1: one-step training)</param>
/// <param name="Loss">mse (normalized targets, DeepMind) or relative_l2 (de-normalized fields, per graph, PhysGTO)</param>
/// <param name="DetachUnrolled">each unrolled step starts from the previous prediction detached (PhysGTO's code), not with the gradient through it</param>
/// <param name="ChangeScale">the units of the operator's output: change ((change - its mean) / its std, MeshGraphNets) or state (change / the state's std: the step of the normalized state, PhysGTO)</param>
/// <param name="RandomPushforward">each loss draws its push-forward count uniformly from 0..PushforwardSteps (Brandstetter et al.), instead of always PushforwardSteps</param>
public sealed record NextStateOptions(double NoiseStd = 0.02, int PushforwardSteps = 0, int UnrollSteps = 1, string Loss = NextStateObjective.MseLoss,
    bool DetachUnrolled = false, string ChangeScale = NextStateObjective.ChangeUnits, bool RandomPushforward = false);

/// <summary>
/// Next state on fixed nodes, as MeshGraphNets trains it (MeshGraphNet, PhysGTO, the mesh
/// transformer): node inputs are the state, the one-hot node type and the case parameters; mesh
/// edges carry x_s - x_r and its norm; all three normalized online. The operator predicts the
/// change of the state over one step, normalized by the change's statistics or by the state's std
/// (<see cref="NextStateOptions.ChangeScale"/>); NORMAL and OUTFLOW nodes are predicted, the others
/// are boundary conditions a rollout resets to the truth.
/// </summary>
public sealed class NextStateObjective : TrainingObjective
{
    public const string ObjectiveName = "next_state";
    public const string MseLoss = "mse";
    public const string RelativeL2Loss = "relative_l2";
    public const string ChangeUnits = "change";
    public const string StateUnits = "state";

    public NextStateObjective(int stateFields, int parameters, NextStateOptions options)
    {
        if (stateFields < 1) throw new ArgumentException("next-state training needs at least one state field");
        if (options.UnrollSteps < 1 || options.PushforwardSteps < 0 || options.NoiseStd < 0 || options.Loss is not (MseLoss or RelativeL2Loss) || options.ChangeScale is not (ChangeUnits or StateUnits))
            throw new ArgumentException($"next-state options out of range: {options}");
        StateFields = stateFields;
        ParameterCount = parameters;
        Options = options;
        NodeNormalizer = RegisterModule("node_normalizer", new OnlineNormalizer(stateFields + TrajectoryTensors.NodeTypeWidth + parameters));
        EdgeNormalizer = RegisterModule("edge_normalizer", new OnlineNormalizer(TrajectoryTensors.EdgeFeatureWidth));
        TargetNormalizer = RegisterModule("target_normalizer", new OnlineNormalizer(stateFields));
    }

    public override string Name => ObjectiveName;
    public int StateFields { get; }
    public int ParameterCount { get; }
    public NextStateOptions Options { get; }
    public OnlineNormalizer NodeNormalizer { get; }
    public OnlineNormalizer EdgeNormalizer { get; }
    public OnlineNormalizer TargetNormalizer { get; }

    public override OperatorWidths Widths => new(StateFields + TrajectoryTensors.NodeTypeWidth + ParameterCount,
        new Dictionary<string, int> { [OperatorBatch.MeshEdges] = TrajectoryTensors.EdgeFeatureWidth }, StateFields, Conditions: ParameterCount, StateInputs: StateFields);

    /// <summary>Checks that a trajectory has the fields and parameters this objective was sized for.</summary>
    public void CheckFits(SimulationTrajectory trajectory)
    {
        if (trajectory.FieldCount != StateFields || trajectory.Parameters.Length != ParameterCount)
            throw new ArgumentException($"{trajectory.Name}: {trajectory.FieldCount} fields and {trajectory.Parameters.Length} case parameters, but the model was built for {StateFields} fields and {ParameterCount} parameters");
    }

    /// <summary>
    /// The operator's batch for these graphs and states, normalized; <paramref name="accumulate"/> feeds
    /// the input statistics (training). <paramref name="frames"/>, the frame of each state, gives the
    /// batch its time (operators that condition on time need it).
    /// </summary>
    public OperatorBatch Inputs(IReadOnlyList<(TrajectoryTensors Graph, Tensor State)> graphs, bool accumulate, IReadOnlyList<int>? frames = null)
    {
        if (frames is not null && frames.Count != graphs.Count) throw new ArgumentException($"{frames.Count} frames for {graphs.Count} graphs");
        var raw = OperatorBatch.Combine(graphs.Select((g, i) => g.Graph.Graph(g.State, frames?[i])).ToList());
        var mesh = raw.Edges(OperatorBatch.MeshEdges);
        return raw.WithNodeInputs(NodeNormalizer.forward(raw.NodeInputs, accumulate))
            .WithEdgeFeatures(OperatorBatch.MeshEdges, EdgeNormalizer.forward(mesh.Features!, accumulate));
    }

    /// <summary>The state one step after <paramref name="frame"/> on every node (no boundary handling: that is the caller's).</summary>
    public Tensor NextState(GraphOperator model, TrajectoryTensors graph, Tensor state, int frame) =>
        state + Change(model.forward(Inputs([(graph, state)], accumulate: false, [frame])));

    /// <summary>
    /// A change of the state in the units the operator predicts (<see cref="NextStateOptions.ChangeScale"/>);
    /// <paramref name="accumulate"/> feeds the change statistics either way. In state units the change
    /// is the step of the normalized state, (s' - mean) / std - (s - mean) / std: small, as PhysGTO's
    /// decoder gate SiLU(1/30) expects; in change units it is of order one, as MeshGraphNet's decoder expects.
    /// </summary>
    public Tensor NormalizedChange(Tensor change, bool accumulate)
    {
        var normalized = TargetNormalizer.forward(change, accumulate);
        if (Options.ChangeScale == ChangeUnits) return normalized;
        normalized.Dispose();
        using var std = StateStd();
        return change / std;
    }

    /// <summary>The change of the state an operator's output stands for: the inverse of <see cref="NormalizedChange"/>.</summary>
    public Tensor Change(Tensor output)
    {
        if (Options.ChangeScale == ChangeUnits) return TargetNormalizer.Inverse(output);
        using var std = StateStd();
        return output * std;
    }

    /// <summary>[fields]: the std of the state's columns of the node inputs.</summary>
    private Tensor StateStd()
    {
        using var all = NodeNormalizer.Std();
        return all.narrow(0, 0, StateFields);
    }

    /// <summary>
    /// The training samples of these trajectories: windows of push-forward plus unrolled steps; their
    /// batches carry the edge sets the operator derives (<see cref="GraphOperator.DerivedEdgeSets"/>).
    /// </summary>
    public NextStateTrainingSet Prepare(IReadOnlyList<SimulationTrajectory> training, Device? device = null, IReadOnlyList<DerivedEdgeSet>? derivedEdgeSets = null) =>
        new(this, training, device, derivedEdgeSets);
}
