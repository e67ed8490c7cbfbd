using System.Globalization;
using System.Text.Json;
using GnnSim.Datasets.Gmsh;
using GnnSim.Datasets.Hdf5;
using GnnSim.Datasets.Meshes;
using GnnSim.Datasets.Vtu;
using GnnSim.Meshing;
using Spectre.Console;

namespace GnnSim.Cli.Bench;

/// <summary>
/// `gnnsim bench io`: one mesh of about a million triangles (a jittered structured square, so the
/// coordinates do not compress like a lattice), with its node types and one 2-vector frame, written
/// and read back in every format GnnSim writes; each figure is the median of the repeats, as MB/s of
/// the file's size, beside a plain copy of the same file (page cache to page cache, as the reads
/// are). The target: reading at least a third of the copy's speed.
/// </summary>
internal sealed class IoBenchmark(int triangles, int repeats, string? directory)
{
    private const double TargetFractionOfCopy = 1.0 / 3;

    private sealed record Format(string Name, string File, Action<string, MeshTrajectory> Write, Action<string> Read);

    public int Run()
    {
        if (triangles < 2 || repeats < 1) throw new ArgumentException("--triangles must be at least 2 and --repeats at least 1");
        var trajectory = Mesh(triangles);
        var folder = directory is null ? Directory.CreateTempSubdirectory("gnnsim-bench-io-").FullName
            : Directory.CreateDirectory(Path.Combine(directory, $"gnnsim-bench-io-{Guid.NewGuid():N}")).FullName;
        var gmshGroups = GmshNodeTypes.BoundaryGroups(trajectory.Cells, trajectory.NodeTypes);
        var formats = new Format[]
        {
            new("gmsh 4.1 ASCII", "mesh.msh", (path, t) => GmshWriter.Write(path, t.MeshPositions.Select(v => (double)v).ToArray(), t.Cells, gmshGroups),
                path => GmshReader.Read(path)),
            new("GnnSim HDF5 (gzip 4)", "mesh.h5", (path, t) => MeshTrajectoryFile.Write(path, [t]), path => MeshTrajectoryFile.ReadAll(path)),
            new("GnnSim HDF5 (uncompressed)", "raw.h5", (path, t) => MeshTrajectoryFile.Write(path, [t], new Hdf5Storage(GzipLevel: 0, Shuffle: false)), path => MeshTrajectoryFile.ReadAll(path)),
            new("XDMF + HDF5 (gzip 4)", "mesh.xdmf", (path, t) => XdmfTrajectory.Write(path, t), path => XdmfTrajectory.Read(path)),
            new("MeshGraphNets .npz (deflate)", "mesh.npz", (path, t) => MeshGraphNetsNpz.Write(path, t), path => MeshGraphNetsNpz.Read(path)),
            new("MeshGraphNets .npz (stored)", "stored.npz", (path, t) => MeshGraphNetsNpz.Write(path, t, compressed: false), path => MeshGraphNetsNpz.Read(path)),
            new("VTU appended raw", "raw.pvd", (path, t) => VtuTrajectory.Write(path, t, encoding: VtuEncoding.AppendedRaw), path => VtuTrajectory.Read(path)),
            new("VTU ASCII", "ascii.pvd", (path, t) => VtuTrajectory.Write(path, t, encoding: VtuEncoding.Ascii), path => VtuTrajectory.Read(path)),
        };
        // What the file holds, as GnnSim holds it in memory: float32 positions and velocity, int32 cells and node types.
        var dataMegabytes = 4.0 * (trajectory.MeshPositions.Length + trajectory.Cells.Length + trajectory.NodeTypes.Length + trajectory.Fields.Sum(f => f.Values.Length)) / 1e6;
        var table = new Table().AddColumns("format", "size (MB)", "write (MB/s)", "read (MB/s)", "read (s)", "data read (MB/s)", "copy (MB/s)", "read / copy");
        var rows = new List<Dictionary<string, object>>();
        try
        {
            foreach (var format in formats)
            {
                var path = Path.Combine(folder, format.File);
                var writeSeconds = Median(() => format.Write(path, trajectory));
                var files = FilesOf(path);
                var megabytes = files.Sum(f => new FileInfo(f).Length) / 1e6;
                var readSeconds = Median(() => format.Read(path));
                var copySeconds = Median(() => { foreach (var file in files) File.Copy(file, file + ".copy", overwrite: true); });
                foreach (var file in files) File.Delete(file + ".copy");
                double write = megabytes / writeSeconds, read = megabytes / readSeconds, copy = megabytes / copySeconds;
                var ratio = read / copy;
                table.AddRow(format.Name, Number(megabytes, 1), Number(write, 0), Number(read, 0), Number(readSeconds, 3), Number(dataMegabytes / readSeconds, 0), Number(copy, 0),
                    ratio >= TargetFractionOfCopy ? $"[green]{ratio:F2}[/]" : $"[yellow]{ratio:F2}[/]");
                rows.Add(new()
                {
                    ["format"] = format.Name, ["megabytes"] = Math.Round(megabytes, 2), ["write_mb_s"] = Math.Round(write, 1),
                    ["read_mb_s"] = Math.Round(read, 1), ["read_seconds"] = Math.Round(readSeconds, 4), ["data_read_mb_s"] = Math.Round(dataMegabytes / readSeconds, 1), ["copy_mb_s"] = Math.Round(copy, 1), ["read_over_copy"] = Math.Round(ratio, 3),
                });
            }
        }
        finally { Directory.Delete(folder, recursive: true); }
        AnsiConsole.MarkupLineInterpolated($"a mesh of {trajectory.CellCount:N0} triangles and {trajectory.NodeCount:N0} nodes with node types and one velocity frame ({dataMegabytes:F1} MB of data); median of {repeats}");
        AnsiConsole.MarkupLineInterpolated($"MB/s are of the file's size (the data's for 'data read'); copy: the same files copied; target: read at least {TargetFractionOfCopy:F2} of the copy's speed");
        AnsiConsole.Write(table);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["bench"] = "io", ["triangles"] = trajectory.CellCount, ["nodes"] = trajectory.NodeCount, ["data_megabytes"] = Math.Round(dataMegabytes, 2), ["repeats"] = repeats, ["formats"] = rows,
        }));
        return 0;
    }

    /// <summary>A square of about <paramref name="triangles"/> triangles, interior nodes jittered by up to a third of a cell, the border walls, a swirling velocity.</summary>
    private static MeshTrajectory Mesh(int triangles)
    {
        var cells = (int)Math.Ceiling(Math.Sqrt(triangles / 2.0));
        var mesh = StructuredMesh.Rectangle(0, 0, 1, 1, cells, cells, CellShape.Triangles);
        var random = new Random(0);
        var positions = new float[mesh.Positions.Length];
        var h = 1.0 / cells;
        var types = mesh.NodeTypes();
        for (var i = 0; i < mesh.NodeCount; i++)
        {
            var jitter = types[i] == 0 ? h / 3 : 0;
            positions[2 * i] = (float)(mesh.Positions[2 * i] + jitter * (2 * random.NextDouble() - 1));
            positions[2 * i + 1] = (float)(mesh.Positions[2 * i + 1] + jitter * (2 * random.NextDouble() - 1));
        }
        var velocity = new float[2 * mesh.NodeCount];
        for (var i = 0; i < mesh.NodeCount; i++)
        {
            double x = positions[2 * i], y = positions[2 * i + 1];
            velocity[2 * i] = (float)(Math.Sin(Math.PI * x) * Math.Cos(Math.PI * y));
            velocity[2 * i + 1] = (float)(-Math.Cos(Math.PI * x) * Math.Sin(Math.PI * y));
        }
        return new MeshTrajectory("mesh", positions, 2, mesh.Cells, 3, types, 1, 0, [new TrajectoryField("velocity", 2, velocity)]);
    }

    /// <summary>The files a format wrote for <paramref name="path"/>: the file, the .h5 beside an .xdmf, the steps of a .pvd.</summary>
    private static List<string> FilesOf(string path) => Path.GetExtension(path) switch
    {
        ".xdmf" => [path, Path.ChangeExtension(path, ".h5")],
        ".pvd" => [path, .. VtuTrajectory.Collection(path).Select(s => s.File)],
        _ => [path],
    };

    private double Median(Action job) => Timing.MedianSeconds(job, repeats);

    private static string Number(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
