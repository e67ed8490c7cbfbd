using GnnSim.Datasets.CfdBench;
using GnnSim.Datasets.Meshes;
using GnnSim.Datasets.Vtu;
using GnnSim.Graph;

namespace GnnSim.Training.Data;

/// <summary>Turns the dataset files of GnnSim.Datasets into <see cref="SimulationTrajectory"/> lists, one split at a time.</summary>
public static class TrajectoryLoader
{
    /// <summary>
    /// CFDBench cases (real or generated) of one split: one node per fluid cell (solid cells dropped),
    /// 4- or 8-neighbour edges, state fields u and v, and the case parameters normalized as CFDBench does
    /// (<paramref name="parameters"/> names which, in <see cref="CfdBenchCaseData.ParameterNames"/>; null: all).
    /// Frames are case.json's frame_dt apart, or our generator's default interval where it has none.
    /// </summary>
    public static List<SimulationTrajectory> CfdBench(string root, CfdProblem problem, IEnumerable<CfdSubset> subsets,
        DataSplit split, int splitSeed, IReadOnlyList<string>? parameters = null, int neighbours = 4, int? maxCases = null)
    {
        var directories = CfdBenchDataset.CaseDirectories(root, problem, subsets);
        if (directories.Count == 0) throw new InvalidDataException($"{root}: no {CfdBenchCase.Name(problem)} cases found (expected {CfdBenchCase.Name(problem)}/<subset>/caseNNNN)");
        var chosen = CfdBenchDataset.Split(directories, splitSeed)[(int)split].Take(maxCases ?? int.MaxValue).ToList();
        if (chosen.Count == 0)
            throw new InvalidDataException($"{root}: the {split.ToString().ToLowerInvariant()} split of {directories.Count} {CfdBenchCase.Name(problem)} cases is empty (80/10/10 by case); generate more cases");
        var names = CfdBenchCaseData.ParameterNames(problem);
        var columns = (parameters ?? names).Select(name => IndexOf(names, name)
            ?? throw new InvalidDataException($"data.parameters: {CfdBenchCase.Name(problem)} cases have no parameter '{name}' (they have {string.Join(", ", names)})")).ToArray();
        var defaultDt = GenerationSettings.Defaults(problem).FrameDt;
        return chosen.Select(directory =>
        {
            var data = CfdBenchCaseData.Load(directory, problem);
            return FromGridCase(data, neighbours, data.FrameDt ?? defaultDt, columns);
        }).ToList();
    }

    private static int? IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return null;
    }

    /// <summary>A case as a trajectory; <paramref name="parameterColumns"/> picks entries of its parameter vector (null: all).</summary>
    public static SimulationTrajectory FromGridCase(CfdBenchCaseData data, int neighbours, double frameDt, int[]? parameterColumns = null)
    {
        var vector = data.ParameterVector(normalize: true);
        var parameters = parameterColumns is null ? vector : parameterColumns.Select(c => vector[c]).ToArray();
        var grid = GridCaseGraph.Build(data, neighbours, SolidCells.Drop);
        int nodes = grid.CellOfNode.Length, cells = data.CellsPerFrame;
        var states = new float[data.Frames * nodes * 2];
        for (var t = 0; t < data.Frames; t++)
        for (var n = 0; n < nodes; n++)
        {
            var source = t * cells + grid.CellOfNode[n];
            states[(t * nodes + n) * 2] = data.U[source];
            states[(t * nodes + n) * 2 + 1] = data.V[source];
        }
        var parent = Path.GetFileName(Path.GetDirectoryName(data.Directory.TrimEnd(Path.DirectorySeparatorChar)));
        return new SimulationTrajectory($"{parent}/{Path.GetFileName(data.Directory.TrimEnd(Path.DirectorySeparatorChar))}",
            grid.Graph, grid.Positions.Select(p => (float)p).ToArray(), grid.NodeTypes.Select(t => (int)t).ToArray(),
            ["u", "v"], states, parameters, frameDt)
        {
            GridShape = (data.Width, data.Height),
            CellOfNode = grid.CellOfNode,
            CaseParameters = data.Case.Parameters.ToDictionary(p => p.Key, p => p.Value),
        };
    }

    /// <summary>
    /// Mesh trajectories from our HDF5 layout (or a DeepMind dataset converted to it). Without a
    /// separate evaluation file the trajectories are split 80/10/10 after a seeded shuffle; with one,
    /// <paramref name="path"/> is all training data and <paramref name="evaluationPath"/> serves dev and test.
    /// <paramref name="parameters"/> names the trajectory attributes the model gets as inputs (none: DeepMind's inputs);
    /// <paramref name="boundary"/>, when given, types the nodes from the geometry instead of the file.
    /// </summary>
    public static List<SimulationTrajectory> MeshFile(string path, string? evaluationPath, DataSplit split, int splitSeed,
        IReadOnlyList<string> fields, IReadOnlyList<string> parameters, int? maxCases = null, string? boundary = null)
    {
        if (fields.Count == 0) throw new ArgumentException("data.fields names no state field");
        var file = evaluationPath is not null && split != DataSplit.Train ? evaluationPath : path;
        using var reader = new MeshTrajectoryReader(file);
        IReadOnlyList<string> names = reader.Names;
        if (names.Count == 0) throw new InvalidDataException($"{file}: holds no trajectory");
        if (evaluationPath is null) names = CfdBenchDataset.Split(names, splitSeed)[(int)split];
        names = names.Take(maxCases ?? int.MaxValue).ToList();
        if (names.Count == 0) throw new InvalidDataException($"{file}: the {split.ToString().ToLowerInvariant()} split of {reader.Names.Count} trajectories is empty (80/10/10); add trajectories or give data.eval_path");
        return names.Select(name =>
        {
            var trajectory = reader.Read(name);
            return FromMeshTrajectory(boundary is null ? trajectory : Typed(trajectory, boundary, file), fields, parameters, file);
        }).ToList();
    }

    /// <summary>The formats that hold one trajectory per file, by their data.format name: the file (or collection) extension and its reader.</summary>
    public static readonly IReadOnlyDictionary<string, (string Extension, Func<string, double?, string?, MeshTrajectory> Read)> FileFormats =
        new Dictionary<string, (string, Func<string, double?, string?, MeshTrajectory>)>
        {
            ["npz"] = (".npz", (file, dt, boundary) => boundary is null ? MeshGraphNetsNpz.Read(file, dt) : Typed(MeshGraphNetsNpz.Read(file, dt), boundary, file)),
            ["xdmf"] = (".xdmf", XdmfTrajectory.Read),
            ["vtu"] = (".pvd", VtuTrajectory.Read),
        };

    /// <summary>
    /// Trajectories stored one per file (<see cref="FileFormats"/>: MeshGraphNets .npz, XDMF + HDF5,
    /// VTU series as .pvd or a single .vtu): <paramref name="path"/> is one file or a folder of them,
    /// in name order, split 80/10/10 by file after a seeded shuffle, or with <paramref name="evaluationPath"/>
    /// serving dev and test. <paramref name="dt"/> gives the time step where the files do not record
    /// it; <paramref name="boundary"/> types the nodes from the geometry.
    /// </summary>
    public static List<SimulationTrajectory> TrajectoryFiles(string format, string path, string? evaluationPath, DataSplit split, int splitSeed,
        IReadOnlyList<string> fields, double? dt, int? maxCases = null, string? boundary = null)
    {
        if (!FileFormats.TryGetValue(format, out var reader)) throw new ArgumentException($"data.format {format}: one of {string.Join(", ", FileFormats.Keys)}");
        if (fields.Count == 0) throw new ArgumentException("data.fields names no state field");
        var extension = reader.Extension;
        var source = evaluationPath is not null && split != DataSplit.Train ? evaluationPath : path;
        IReadOnlyList<string> files = Directory.Exists(source)
            ? Directory.GetFiles(source, "*" + extension).Order(StringComparer.Ordinal).ToList()
            : File.Exists(source) ? [source] : throw new FileNotFoundException($"{source}: no such {extension} file or folder", source);
        if (files.Count == 0) throw new InvalidDataException($"{source}: a folder with no {extension} files");
        if (evaluationPath is null && files.Count > 1) files = CfdBenchDataset.Split(files, splitSeed)[(int)split];
        files = files.Take(maxCases ?? int.MaxValue).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{source}: the {split.ToString().ToLowerInvariant()} split of its {extension} files is empty (80/10/10 by file); add files or give data.eval_path");
        return files.Select(file => FromMeshTrajectory(reader.Read(file, dt, boundary), fields, [], file)).ToList();
    }

    private static MeshTrajectory Typed(MeshTrajectory trajectory, string boundary, string file)
    {
        try { return trajectory.WithBoundaryTypes(boundary); }
        catch (ArgumentException e) { throw new InvalidDataException($"{file}: node types from the boundary: {e.Message}"); }
    }

    public static SimulationTrajectory FromMeshTrajectory(MeshTrajectory trajectory, IReadOnlyList<string> fields, IReadOnlyList<string> parameters, string file)
    {
        if (trajectory.Dimension != 2) throw new InvalidDataException($"{file}: trajectory {trajectory.Name} is {trajectory.Dimension}D; the mesh operators take 2D meshes");
        if (trajectory.FrameCount < 2) throw new InvalidDataException($"{file}: trajectory {trajectory.Name} has {trajectory.FrameCount} frame{(trajectory.FrameCount == 1 ? "" : "s")}; learning the next state needs two or more");
        var columns = new List<(TrajectoryField Field, int Component)>();
        var names = new List<string>();
        foreach (var name in fields)
        {
            var field = trajectory.Fields.FirstOrDefault(f => f.Name == name)
                ?? throw new InvalidDataException($"{file}: trajectory {trajectory.Name} has no field '{name}' (it has {string.Join(", ", trajectory.Fields.Select(f => f.Name))})");
            for (var c = 0; c < field.Width; c++)
            {
                columns.Add((field, c));
                names.Add(field.Width == 1 ? name : $"{name}_{"xyz"[c]}");
            }
        }
        int nodes = trajectory.NodeCount, frames = trajectory.FrameCount, width = columns.Count;
        var states = new float[frames * nodes * width];
        for (var t = 0; t < frames; t++)
        for (var n = 0; n < nodes; n++)
        for (var k = 0; k < width; k++)
        {
            var (field, component) = columns[k];
            states[(t * nodes + n) * width + k] = field.Values[(t * nodes + n) * field.Width + component];
        }
        var graph = MeshEdges.FromCells(trajectory.Cells, trajectory.VerticesPerCell, nodes);
        // Raw values in the config's order (the node normalizer scales them).
        var values = parameters.Select(p => trajectory.Parameters.TryGetValue(p, out var value)
            ? (float)value
            : throw new InvalidDataException($"{file}: trajectory {trajectory.Name} has no attribute '{p}' named in data.parameters (it has {(trajectory.Parameters.Count == 0 ? "none" : string.Join(", ", trajectory.Parameters.Keys))})")).ToArray();
        return new SimulationTrajectory(trajectory.Name, graph, trajectory.MeshPositions, trajectory.NodeTypes, names, states,
            values, trajectory.Dt)
        {
            Cells = trajectory.VerticesPerCell == 3 ? trajectory.Cells : null,
            CaseParameters = trajectory.Parameters,
        };
    }
}
