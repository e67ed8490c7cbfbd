using GnnSim.Datasets;
using GnnSim.Datasets.Hdf5;

namespace GnnSim.Training.Evaluation;

/// <summary>A rollout as stored: what the plots and reports need, without the model.</summary>
public sealed record StoredRollout(string Case, int StartFrame, double Dt, IReadOnlyList<string> Fields, int Steps, int NodeCount,
    float[] Positions, int[] NodeTypes, float[] Truth, float[] Prediction, int[]? Cells, (int Width, int Height)? GridShape, int[]? CellOfNode,
    IReadOnlyDictionary<string, double> CaseParameters)
{
    /// <summary>[steps + 1, N, 2] true and predicted node positions per frame where nodes move (particles, moved meshes); null where they do not.</summary>
    public float[]? TruthPositions { get; init; }
    public float[]? PredictedPositions { get; init; }
    /// <summary>[Q, 2] the points a neural-field decoder answered at, or null.</summary>
    public float[]? QueryPoints { get; init; }
}

/// <summary>
/// Rollouts in HDF5 (file attribute <c>format = gnnsim-rollout-1</c>), one group per case
/// (<c>0000</c>, <c>0001</c>, ...): <c>mesh_pos [N, 2]</c> (positions at the start frame),
/// <c>node_type [N]</c>, <c>truth</c> and <c>prediction [steps + 1, N, F]</c>; <c>cells [C, 3]</c> for
/// meshes or <c>cell_of_node [N]</c> with attributes <c>grid_width</c>, <c>grid_height</c> for grid
/// cases; where nodes move, <c>truth_positions</c> and <c>predicted_positions [steps + 1, N, 2]</c>;
/// for neural-field decoders <c>query_points [Q, 2]</c>; attributes <c>case</c>, <c>fields</c> (comma
/// separated), <c>start_frame</c>, <c>dt</c> and the case parameters (prefixed <c>param_</c>).
/// </summary>
public static class RolloutFile
{
    public const string Format = "gnnsim-rollout-1";
    private const string ParameterPrefix = "param_";

    public static void Write(string path, IReadOnlyList<RolloutResult> rollouts)
    {
        AtomicFile.Replace(path, temporary =>
        {
            using var file = Hdf5File.Create(temporary);
            file.SetAttribute("format", Format);
            for (var i = 0; i < rollouts.Count; i++) WriteGroup(file, $"{i:D4}", rollouts[i]);
        });
    }

    private static void WriteGroup(Hdf5File file, string name, RolloutResult rollout)
    {
        var t = rollout.Trajectory;
        using var group = file.CreateGroup(name);
        int n = t.NodeCount, f = t.FieldCount;
        var storage = Hdf5Storage.Compressed;
        group.Write<float>("mesh_pos", t.Positions, [n, 2], storage);
        group.Write<int>("node_type", t.NodeTypes, [n], storage);
        group.Write<float>("truth", rollout.Truth, [rollout.Steps + 1, n, f], storage);
        group.Write<float>("prediction", rollout.Prediction, [rollout.Steps + 1, n, f], storage);
        if (t.Cells is not null) group.Write<int>("cells", t.Cells, [t.Cells.Length / 3, 3], storage);
        if (rollout.TruthPositions is not null) group.Write<float>("truth_positions", rollout.TruthPositions, [rollout.Steps + 1, n, 2], storage);
        if (rollout.PredictedPositions is not null) group.Write<float>("predicted_positions", rollout.PredictedPositions, [rollout.Steps + 1, n, 2], storage);
        if (rollout.QueryPoints is not null) group.Write<float>("query_points", rollout.QueryPoints, [rollout.QueryPoints.Length / 2, 2], storage);
        if (t.GridShape is { } grid && t.CellOfNode is not null)
        {
            group.Write<int>("cell_of_node", t.CellOfNode, [n], storage);
            group.SetAttribute("grid_width", grid.Width);
            group.SetAttribute("grid_height", grid.Height);
        }
        group.SetAttribute("case", t.Name);
        group.SetAttribute("fields", string.Join(",", t.FieldNames));
        group.SetAttribute("start_frame", rollout.StartFrame);
        group.SetAttribute("dt", t.Dt);
        foreach (var (key, value) in t.CaseParameters) group.SetAttribute(ParameterPrefix + key, value);
    }

    /// <summary>True when <paramref name="path"/> is an HDF5 file that says it is a GnnSim rollout.</summary>
    public static bool IsRolloutFile(string path)
    {
        using var file = Hdf5File.OpenRead(path);
        return file.HasAttribute("format") && file.ReadString("format") == Format;
    }

    public static List<StoredRollout> Read(string path)
    {
        using var file = Hdf5File.OpenRead(path);
        if (!file.HasAttribute("format") || file.ReadString("format") != Format)
            throw new InvalidDataException($"{path}: not a GnnSim rollout file (no format attribute '{Format}')");
        var result = new List<StoredRollout>();
        foreach (var name in file.GroupNames().Order(StringComparer.Ordinal))
        {
            using var g = file.OpenGroup(name);
            var positions = g.Read<float>("mesh_pos", 2, out var positionShape);
            var n = (int)positionShape[0];
            var types = g.Read<int>("node_type", 1, out _);
            var truth = g.Read<float>("truth", 3, out var truthShape);
            var prediction = g.Read<float>("prediction", 3, out var predictionShape);
            var fields = g.ReadString("fields").Split(',');
            if (!truthShape.SequenceEqual(predictionShape) || truthShape[1] != n || truthShape[2] != fields.Length || types.Length != n)
                throw new InvalidDataException($"{path}: group {name}: truth [{string.Join(", ", truthShape)}], prediction [{string.Join(", ", predictionShape)}], {n} nodes and {fields.Length} fields do not agree");
            int[]? cells = g.HasDataset("cells") ? g.Read<int>("cells", 2, out _) : null;
            int[]? cellOfNode = g.HasDataset("cell_of_node") ? g.Read<int>("cell_of_node", 1, out _) : null;
            (int, int)? grid = g.HasAttribute("grid_width") ? ((int)g.ReadNumber("grid_width"), (int)g.ReadNumber("grid_height")) : null;
            var parameters = g.AttributeNames().Where(a => a.StartsWith(ParameterPrefix, StringComparison.Ordinal))
                .ToDictionary(a => a[ParameterPrefix.Length..], g.ReadNumber);
            float[]? Frames(string dataset)
            {
                if (!g.HasDataset(dataset)) return null;
                var values = g.Read<float>(dataset, 3, out var shape);
                if (shape[0] != truthShape[0] || shape[1] != n || shape[2] != 2)
                    throw new InvalidDataException($"{path}: group {name}: {dataset} is [{string.Join(", ", shape)}], expected [{truthShape[0]}, {n}, 2]");
                return values;
            }
            float[]? queries = null;
            if (g.HasDataset("query_points"))
            {
                queries = g.Read<float>("query_points", 2, out var queryShape);
                if (queryShape[1] != 2) throw new InvalidDataException($"{path}: group {name}: query_points is [{string.Join(", ", queryShape)}], expected [Q, 2]");
            }
            result.Add(new StoredRollout(g.ReadString("case"), (int)g.ReadNumber("start_frame"), g.ReadNumber("dt"), fields,
                (int)truthShape[0] - 1, n, positions, types, truth, prediction, cells, grid, cellOfNode, parameters)
            {
                TruthPositions = Frames("truth_positions"), PredictedPositions = Frames("predicted_positions"), QueryPoints = queries,
            });
        }
        return result;
    }
}
