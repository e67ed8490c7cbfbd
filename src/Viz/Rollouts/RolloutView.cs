using GnnSim.Viz.Fields;

namespace GnnSim.Viz.Rollouts;

/// <summary>
/// A rollout as the pictures see it: the domain it lives on, and truth and prediction
/// <c>[steps + 1, N, F]</c> (frame 0 is the start). <see cref="Scored"/> marks the nodes the model
/// predicts (the others are reset to the truth): the ones errors are measured on. <see cref="NodeTypes"/>
/// are the DeepMind codes.
/// </summary>
public sealed record RolloutView(string Case, PlotDomain Domain, IReadOnlyList<string> Fields, int Steps,
    float[] Truth, float[] Prediction, int[] NodeTypes, bool[] Scored, double Dt, int StartFrame)
{
    /// <summary>Derived fields, where the fields hold a velocity's two components: its magnitude and its curl.</summary>
    public const string Speed = "speed";
    public const string VorticityField = "vorticity";

    // How datasets name a velocity's components: CFDBench's u and v, the mesh datasets' velocity_x and velocity_y.
    private static readonly (string X, string Y)[] VelocityNames = [("u", "v"), ("velocity_x", "velocity_y")];

    public int NodeCount => Domain.NodeCount;

    /// <summary>The case's parameters as the data named them (vel_in, radius, ...), for figures that need physical scales.</summary>
    public IReadOnlyDictionary<string, double> CaseParameters { get; init; } = new Dictionary<string, double>();

    /// <summary>The names of the velocity's x and y components, when the fields hold both.</summary>
    public (string X, string Y)? Velocity => VelocityNames.Cast<(string X, string Y)?>().FirstOrDefault(p => Fields.Contains(p!.Value.X) && Fields.Contains(p.Value.Y));

    /// <summary>The fields that can be plotted: the stored ones, then <see cref="Speed"/> and <see cref="VorticityField"/> where they can be derived.</summary>
    public IEnumerable<string> PlottableFields => Velocity is null ? Fields : Fields.Concat(new[] { Speed, VorticityField }.Where(f => !Fields.Contains(f)));

    public void Check()
    {
        var size = (Steps + 1) * NodeCount * Fields.Count;
        if (Truth.Length != size || Prediction.Length != size)
            throw new ArgumentException($"case {Case}: truth has {Truth.Length} and prediction {Prediction.Length} values; {Steps + 1} frames x {NodeCount} nodes x {Fields.Count} fields is {size}");
        if (Scored.Length != NodeCount || NodeTypes.Length != NodeCount)
            throw new ArgumentException($"case {Case}: {NodeTypes.Length} node types and {Scored.Length} scored flags for {NodeCount} nodes");
    }

    public float[] TruthAt(string field, int step) => FieldAt(Truth, field, step);

    public float[] PredictionAt(string field, int step) => FieldAt(Prediction, field, step);

    /// <summary>prediction - truth at every node.</summary>
    public float[] ErrorAt(string field, int step)
    {
        var truth = TruthAt(field, step);
        var prediction = PredictionAt(field, step);
        for (var n = 0; n < truth.Length; n++) prediction[n] -= truth[n];
        return prediction;
    }

    /// <summary>Root-mean-square error of <paramref name="field"/> at each step 0..Steps, over the scored nodes.</summary>
    public double[] RmseByStep(string field) => ScoredRms(step => ErrorAt(field, step));

    /// <summary>The same for persistence, the start frame held: how far the truth has moved from where it began.</summary>
    public double[] PersistenceRmseByStep(string field)
    {
        var start = TruthAt(field, 0);
        return ScoredRms(step =>
        {
            var truth = TruthAt(field, step);
            for (var n = 0; n < truth.Length; n++) truth[n] = start[n] - truth[n];
            return truth;
        });
    }

    private double[] ScoredRms(Func<int, float[]> errorAt)
    {
        var rms = new double[Steps + 1];
        for (var s = 0; s <= Steps; s++)
        {
            var error = errorAt(s);
            double sum = 0;
            var count = 0;
            for (var n = 0; n < error.Length; n++)
            {
                if (!Scored[n]) continue;
                sum += (double)error[n] * error[n];
                count++;
            }
            rms[s] = count == 0 ? double.NaN : Math.Sqrt(sum / count);
        }
        return rms;
    }

    private float[] FieldAt(float[] data, string field, int step)
    {
        if (step < 0 || step > Steps) throw new ArgumentException($"case {Case}: step {step} is outside the rollout's 0..{Steps}");
        int fieldCount = Fields.Count, offset = step * NodeCount * fieldCount;
        var values = new float[NodeCount];
        if (field == VorticityField && !Fields.Contains(VorticityField) && Velocity is { } flow)
        {
            int ux = IndexOf(flow.X), vy = IndexOf(flow.Y);
            var u = new float[NodeCount];
            var v = new float[NodeCount];
            for (var n = 0; n < NodeCount; n++)
            {
                u[n] = data[offset + n * fieldCount + ux];
                v[n] = data[offset + n * fieldCount + vy];
            }
            return Vorticity.Compute(Domain, u, v);
        }
        if (field == Speed && !Fields.Contains(Speed) && Velocity is { } velocity)
        {
            int u = IndexOf(velocity.X), v = IndexOf(velocity.Y);
            for (var n = 0; n < NodeCount; n++)
            {
                float a = data[offset + n * fieldCount + u], b = data[offset + n * fieldCount + v];
                values[n] = MathF.Sqrt(a * a + b * b);
            }
            return values;
        }
        var f = IndexOf(field);
        for (var n = 0; n < NodeCount; n++) values[n] = data[offset + n * fieldCount + f];
        return values;
    }

    private int IndexOf(string field)
    {
        for (var i = 0; i < Fields.Count; i++)
            if (Fields[i] == field) return i;
        throw new ArgumentException($"case {Case} has no field '{field}' (it has {string.Join(", ", PlottableFields)})");
    }
}
