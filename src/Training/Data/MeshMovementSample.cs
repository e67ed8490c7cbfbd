using GnnSim.Datasets.CfdBench;
using GnnSim.Datasets.Meshes;
using GnnSim.Meshing;

namespace GnnSim.Training.Data;

/// <summary>
/// One mesh to move: its triangles, the monitor at its nodes, and (for supervised training) the
/// positions a classical mover gave it; the file's parameters (a Helmholtz sample's problem and
/// Monge-Ampere figures) ride along for scoring.
/// </summary>
public sealed record MeshMovementSample(string Name, Mesh2D Mesh, double[] Monitor, double[]? Target, IReadOnlyDictionary<string, double> Parameters)
{
    public const string MonitorField = "monitor", TargetField = "moved_position";

    /// <summary>The sample a mesh file's trajectory holds: field <c>monitor</c> (first frame) and, where present, <c>moved_position</c>.</summary>
    public static MeshMovementSample FromTrajectory(MeshTrajectory trajectory, string file)
    {
        if (trajectory.Dimension != 2 || trajectory.VerticesPerCell != 3) throw new InvalidDataException($"{file}: {trajectory.Name} is not a 2D triangle mesh");
        if (trajectory.FrameCount < 1 || !trajectory.Fields.Any(f => f.Name == MonitorField && f.Width == 1))
            throw new InvalidDataException($"{file}: {trajectory.Name} has no one-channel '{MonitorField}' field to move the mesh by (fields: {string.Join(", ", trajectory.Fields.Select(f => f.Name))})");
        var monitor = Array.ConvertAll(trajectory.Frame(MonitorField, 0).ToArray(), v => (double)v);
        for (var i = 0; i < monitor.Length; i++)
            if (!double.IsFinite(monitor[i]) || !(monitor[i] > 0)) throw new InvalidDataException($"{file}: {trajectory.Name}: the monitor at node {i} is {monitor[i]}; it must be finite and positive");
        double[]? target = null;
        if (trajectory.Fields.Any(f => f.Name == TargetField))
        {
            if (trajectory.Field(TargetField).Width != 2) throw new InvalidDataException($"{file}: {trajectory.Name}: '{TargetField}' must hold 2 coordinates per node");
            target = Array.ConvertAll(trajectory.Frame(TargetField, 0).ToArray(), v => (double)v);
        }
        Mesh2D mesh;
        try { mesh = new Mesh2D(Array.ConvertAll(trajectory.MeshPositions, v => (double)v), trajectory.Cells, 3).CounterClockwise(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{file}: {trajectory.Name}: {e.Message}", e); }
        return new MeshMovementSample(trajectory.Name, mesh, monitor, target, trajectory.Parameters);
    }

    /// <summary>One split (80/10/10 by sample, seeded, as mesh trajectories split) of a file of samples.</summary>
    public static List<MeshMovementSample> Load(string path, string? evaluationPath, DataSplit split, int splitSeed, int? maxCases = null)
    {
        var file = evaluationPath is not null && split != DataSplit.Train ? evaluationPath : path;
        using var reader = new MeshTrajectoryReader(file);
        IReadOnlyList<string> names = reader.Names;
        if (names.Count == 0) throw new InvalidDataException($"{file}: holds no mesh");
        if (evaluationPath is null && names.Count > 1) names = CfdBenchDataset.Split(names, splitSeed)[(int)split];
        names = names.Take(maxCases ?? int.MaxValue).ToList();
        if (names.Count == 0) throw new InvalidDataException($"{file}: the {split.ToString().ToLowerInvariant()} split of {reader.Names.Count} meshes is empty (80/10/10); add samples or give data.eval_path");
        return names.Select(name => FromTrajectory(reader.Read(name), file)).ToList();
    }
}
