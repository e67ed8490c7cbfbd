namespace GnnSim.Datasets.Meshes;

/// <summary>A named node array of one time step: <c>[nodes, Components]</c> row-major.</summary>
public sealed record PointArray(int Components, double[] Values);

/// <summary>
/// The node arrays of a time series (XDMF attributes, VTU point data) as trajectory fields, by the
/// conventions meshio, ParaView and graph-physics write them: scalar components <c>X_x</c>,
/// <c>X_y</c> (and <c>X_z</c>) are gathered into the vector <c>X</c>; on a planar mesh a 3-vector
/// whose z is zero in every step is the 2-vector ParaView needed it to be written as; the array
/// <c>node_type</c> (or graph-physics' <c>Node_type</c>) holds DeepMind's node types.
/// </summary>
public static class PointFields
{
    public static readonly string[] NodeTypeArrays = ["node_type", "Node_type"];

    /// <param name="steps">Per time step, the node arrays by name; every step must hold the same arrays.</param>
    /// <returns>The node types (null when no step names them) and the fields in name order.</returns>
    public static (int[]? NodeTypes, List<TrajectoryField> Fields) Gather(IReadOnlyList<IReadOnlyDictionary<string, PointArray>> steps, int nodes, string path)
    {
        if (steps.Count == 0) return (null, []);
        var first = steps[0];
        for (var step = 0; step < steps.Count; step++)
        {
            foreach (var (name, array) in steps[step])
            {
                if (array.Components < 1 || array.Values.Length != (long)array.Components * nodes)
                    throw new InvalidDataException($"{path}: step {step}: array {name} holds {array.Values.Length} values for {nodes} nodes in {array.Components} components");
                if (!first.TryGetValue(name, out var reference) || reference.Components != array.Components)
                    throw new InvalidDataException($"{path}: step {step} has array {name}[{array.Components}], which the first step {(reference is null ? "does not have" : $"has with {reference.Components} components")}");
            }
            foreach (var name in first.Keys)
                if (!steps[step].ContainsKey(name)) throw new InvalidDataException($"{path}: step {step} has no array {name}, which the first step has");
        }

        var typeName = NodeTypeArrays.FirstOrDefault(first.ContainsKey);
        int[]? nodeTypes = null;
        if (typeName is not null)
        {
            nodeTypes = new int[nodes];
            var values = first[typeName].Values;
            for (var i = 0; i < nodes; i++)
            {
                var code = values[i * first[typeName].Components];
                if (code != Math.Floor(code) || code is < 0 or > 255) throw new InvalidDataException($"{path}: {typeName} of node {i} is {code}, not a node type code");
                nodeTypes[i] = (int)code;
            }
        }

        var names = first.Keys.Where(k => k != typeName).ToList();
        // X_y joins X_x as X, unless an array is itself named X (our rollout export writes both).
        string VectorOf(string name) => name.Length > 2 && name[^2] == '_' && name[^1] is 'x' or 'y' or 'z'
            && names.Contains(name[..^2] + "_x") && !first.ContainsKey(name[..^2]) ? name[..^2] : name;
        var fields = new List<TrajectoryField>();
        foreach (var group in names.GroupBy(VectorOf).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.OrderBy(k => k, StringComparer.Ordinal).ToList();
            var width = members.Sum(m => first[m].Components);
            if (width == 3 && steps.All(s => ZeroZ(members, s, nodes))) width = 2;
            var values = new float[steps.Count * nodes * width];
            for (var step = 0; step < steps.Count; step++)
            {
                var column = 0;
                foreach (var member in members)
                {
                    var (components, data) = (steps[step][member].Components, steps[step][member].Values);
                    for (var i = 0; i < nodes; i++)
                    for (var c = 0; c < components && column + c < width; c++)
                    {
                        var value = data[i * components + c];
                        if (!double.IsFinite(value)) throw new InvalidDataException($"{path}: step {step}: {member} of node {i} is {value}");
                        values[((long)step * nodes + i) * width + column + c] = (float)value;
                    }
                    column += components;
                }
            }
            fields.Add(new TrajectoryField(group.Key, width, values));
        }
        return (nodeTypes, fields);
    }

    /// <summary>Whether the third column of a 3-wide field (one 3-vector, or the _z member) is zero at every node of this step.</summary>
    private static bool ZeroZ(List<string> members, IReadOnlyDictionary<string, PointArray> step, int nodes)
    {
        var last = step[members[^1]];
        var stride = last.Components;
        for (var i = 0; i < nodes; i++)
            if (last.Values[i * stride + stride - 1] != 0) return false;
        return true;
    }
}
