using GnnSim.Meshing;
using GnnSim.Viz.Fields;

namespace GnnSim.Viz.Rollouts;

/// <summary>
/// A rollout for ParaView: one .vtu per step (truth, prediction and error of every field, velocity
/// vectors when there is a velocity, the node types) and a .pvd collection that plays them in time.
/// Triangle meshes keep their triangles; grid cases become quads joining neighbouring cell centres.
/// </summary>
public static class RolloutVtkExport
{
    /// <summary>Writes <c>{directory}/{name}.pvd</c> and <c>{directory}/{name}/step_NNNN.vtu</c>; returns the .pvd path.</summary>
    public static string Write(RolloutView rollout, string directory, string name)
    {
        rollout.Check();
        var mesh = MeshOf(rollout.Domain);
        var stepDirectory = Path.Combine(directory, name);
        Directory.CreateDirectory(stepDirectory);
        var steps = new List<(double Time, string File)>();
        for (var step = 0; step <= rollout.Steps; step++)
        {
            var fields = new List<VtuField> { new("node_type", rollout.NodeTypes.Select(t => (float)t).ToArray()) };
            foreach (var field in rollout.Fields)
            {
                fields.Add(new VtuField($"truth_{field}", rollout.TruthAt(field, step)));
                fields.Add(new VtuField($"prediction_{field}", rollout.PredictionAt(field, step)));
                fields.Add(new VtuField($"error_{field}", rollout.ErrorAt(field, step)));
            }
            if (rollout.Velocity is var (x, y))
            {
                fields.Add(new VtuField("truth_velocity", Interleave(rollout.TruthAt(x, step), rollout.TruthAt(y, step)), 2));
                fields.Add(new VtuField("prediction_velocity", Interleave(rollout.PredictionAt(x, step), rollout.PredictionAt(y, step)), 2));
            }
            var file = $"step_{step:D4}.vtu";
            VtuWriter.Write(Path.Combine(stepDirectory, file), mesh, fields, includeNodeTypes: false);
            steps.Add(((rollout.StartFrame + step) * rollout.Dt, $"{name}/{file}"));
        }
        var path = Path.Combine(directory, name + ".pvd");
        VtuWriter.WriteCollection(path, steps);
        return path;
    }

    /// <summary>The domain as a Mesh2D: its triangles, or for a grid the quads between four neighbouring nodes (counterclockwise, y up).</summary>
    public static Mesh2D MeshOf(PlotDomain domain)
    {
        switch (domain)
        {
            case TriangleDomain triangles:
                return new Mesh2D(domain.Positions, triangles.Triangles, 3);
            case GridDomain grid:
                var quads = new List<int>();
                for (var row = 0; row + 1 < grid.Rows; row++)
                for (var column = 0; column + 1 < grid.Columns; column++)
                {
                    int a = grid.NodeAt(column, row), b = grid.NodeAt(column + 1, row), c = grid.NodeAt(column + 1, row + 1), d = grid.NodeAt(column, row + 1);
                    if (a >= 0 && b >= 0 && c >= 0 && d >= 0) quads.AddRange([a, b, c, d]);
                }
                return new Mesh2D(domain.Positions, quads.ToArray(), 4);
            default:
                throw new ArgumentException($"cannot export a {domain.GetType().Name} to VTK");
        }
    }

    private static float[] Interleave(float[] x, float[] y)
    {
        var result = new float[2 * x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            result[2 * i] = x[i];
            result[2 * i + 1] = y[i];
        }
        return result;
    }
}
