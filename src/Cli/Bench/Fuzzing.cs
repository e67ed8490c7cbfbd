using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using GnnSim.Datasets.CfdBench;
using GnnSim.Datasets.Gmsh;
using GnnSim.Datasets.Meshes;
using GnnSim.Datasets.Npy;
using GnnSim.Datasets.Particles;
using GnnSim.Datasets.TfRecord;
using GnnSim.Datasets.Vtu;
using GnnSim.Graph;
using GnnSim.Meshing;
using GnnSim.Torch;
using GnnSim.Training.Data;
using GnnSim.Training.Evaluation;
using GnnSim.Training.Experiments;

namespace GnnSim.Cli.Bench;

/// <summary>
/// One reader under fuzzing: <see cref="Make"/> writes a valid input into a folder with our own
/// writers and returns the file to damage; <see cref="Read"/> reads the folder's input back the way
/// a user's command does.
/// </summary>
internal sealed record FuzzTarget(string Name, Func<string, string> Make, Action<string> Read);

/// <summary>A mutant that did not end in a valid result or the reader's clear error.</summary>
internal sealed record FuzzFailure(string Target, int Mutant, string Mutation, string Problem);

/// <summary>
/// The readers' fuzzing harness (the hardening issue): each reader's valid file, damaged by seeded
/// mutations (bit flips, truncation at header and section boundaries, huge declared counts, NaN and
/// infinite values, wrong dtypes, duplicated and missing lines), must end in a valid result or in a
/// clear error: <see cref="InvalidDataException"/> or an <see cref="IOException"/> whose message names
/// the file. Anything else fails, as does a read that runs past its time or allocates far more than
/// the file's size could justify.
/// </summary>
internal static class Fuzzing
{
    public static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(20);

    /// <summary>A read may allocate this many times the file's size, and never less than this floor, before it counts as unjustified.</summary>
    public const long AllocationFactor = 200, AllocationFloor = 64L << 20;

    public static IReadOnlyList<FuzzTarget> Targets() =>
    [
        new("npy", folder => Written(Path.Combine(folder, "u.npy"), p => NpyFile.Write(p, [3, 4], Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray())),
            folder => NpyFile.Read(Path.Combine(folder, "u.npy"))),
        new("npz", folder => Written(Path.Combine(folder, "trajectory.npz"), p => MeshGraphNetsNpz.Write(p, SmallMesh())),
            folder => MeshGraphNetsNpz.Read(Path.Combine(folder, "trajectory.npz"), dt: 0.01)),
        new("case.json", folder => Path.Combine(CfdCase(folder), "case.json"), folder => CfdBenchCaseData.Load(CfdCase(folder, make: false), CfdProblem.Cavity)),
        new("cfdbench-u.npy", folder => Path.Combine(CfdCase(folder), "u.npy"), folder => CfdBenchCaseData.Load(CfdCase(folder, make: false), CfdProblem.Cavity)),
        new("mesh-hdf5", folder => Written(Path.Combine(folder, "meshes.h5"), p => MeshTrajectoryFile.Write(p, [SmallMesh()])),
            folder => MeshTrajectoryFile.ReadAll(Path.Combine(folder, "meshes.h5"))),
        new("particle-hdf5", folder => Written(Path.Combine(folder, "water.h5"), p => ParticleTrajectoryFile.Write(p, [SmallParticles()])),
            folder => ParticleTrajectoryFile.ReadAll(Path.Combine(folder, "water.h5"))),
        new("gns-tfrecord", folder => { GnsDataset.Write(folder, "train", [SmallParticles()]); return Path.Combine(folder, "train.tfrecord"); },
            folder => GnsDataset.Read(folder, "train")),
        new("gns-metadata", folder => { GnsDataset.Write(folder, "train", [SmallParticles()]); return Path.Combine(folder, "metadata.json"); },
            folder => GnsDataset.Read(folder, "train")),
        new("deepmind-tfrecord", folder => { DeepMindDataset(folder); return DeepMindMeshDataset.RecordPath(folder, "train"); },
            folder => DeepMindMeshDataset.Read(folder, "train").ToList()),
        new("deepmind-meta", folder => { DeepMindDataset(folder); return Path.Combine(folder, "meta.json"); },
            folder => DeepMindMeshDataset.Read(folder, "train").ToList()),
        new("xdmf", folder => Written(Path.Combine(folder, "flow.xdmf"), p => XdmfTrajectory.Write(p, SmallMesh())),
            folder => XdmfTrajectory.Read(Path.Combine(folder, "flow.xdmf"))),
        new("gmsh", folder => Written(Path.Combine(folder, "plate.msh"), p => GmshWriter.Write(p, SquareMesh().Positions, SquareMesh().Cells)),
            folder => GmshReader.Read(Path.Combine(folder, "plate.msh"))),
        new("vtu", folder => { VtuTrajectory.Write(Path.Combine(folder, "flow.pvd"), SmallMesh()); return Directory.GetFiles(folder, "*.vtu", SearchOption.AllDirectories).Order().First(); },
            folder => VtuReader.Read(Directory.GetFiles(folder, "*.vtu", SearchOption.AllDirectories).Order().First())),
        new("yaml-config", folder => Written(Path.Combine(folder, "config.yaml"), p => File.WriteAllText(p, ExperimentConfig.Parse("model: { latent: 16 }", "fuzz").ToYaml())),
            folder => ExperimentConfig.Load(Path.Combine(folder, "config.yaml"))),
        new("checkpoint", folder => Written(Path.Combine(folder, "checkpoint.pt"), Checkpoint),
            folder => { foreach (var tensor in torch.load(Path.Combine(folder, "checkpoint.pt")).Values) tensor.Dispose(); }),
        new("rollout", folder => Written(Path.Combine(folder, "rollout.h5"), p => RolloutFile.Write(p, [SmallRollout()])),
            folder => RolloutFile.Read(Path.Combine(folder, "rollout.h5"))),
    ];

    private static string Written(string path, Action<string> write)
    {
        write(path);
        return path;
    }

    private static Mesh2D SquareMesh() => StructuredMesh.Rectangle(0, 0, 1, 1, 3, 3, CellShape.Triangles);

    private static MeshTrajectory SmallMesh()
    {
        var mesh = SquareMesh();
        const int frames = 3;
        var velocity = Enumerable.Range(0, frames * mesh.NodeCount * 2).Select(i => (float)Math.Sin(i)).ToArray();
        return new MeshTrajectory("fuzz", mesh.Positions.Select(p => (float)p).ToArray(), 2, mesh.Cells, 3, new int[mesh.NodeCount], frames, 0.01,
            [new TrajectoryField("velocity", 2, velocity)], new Dictionary<string, double> { ["reynolds"] = 100 });
    }

    private static ParticleTrajectory SmallParticles()
    {
        const int particles = 6, frames = 4;
        var positions = Enumerable.Range(0, frames * particles * 2).Select(i => 0.2f + 0.05f * (i % 11)).ToArray();
        return new ParticleTrajectory("fuzz", 2, positions, Enumerable.Repeat(GnsParticleTypes.Water, particles).ToArray(), 0.0025, [0, 1, 0, 1], "water");
    }

    // A one-trajectory dataset in DeepMind's cylinder_flow layout: meta.json, and a tf.train.Example of raw little-endian arrays.
    private static void DeepMindDataset(string folder)
    {
        var mesh = SmallMesh();
        File.WriteAllText(Path.Combine(folder, "meta.json"), $$"""
            {"simulator": "fuzz", "dt": {{mesh.Dt.ToString(CultureInfo.InvariantCulture)}}, "collection": "cylinder_flow",
             "field_names": ["cells", "mesh_pos", "node_type", "velocity"],
             "features": {
               "cells": {"type": "static", "shape": [1, -1, 3], "dtype": "int32"},
               "mesh_pos": {"type": "static", "shape": [1, -1, 2], "dtype": "float32"},
               "node_type": {"type": "static", "shape": [1, -1, 1], "dtype": "int32"},
               "velocity": {"type": "dynamic", "shape": [{{mesh.FrameCount}}, -1, 2], "dtype": "float32"}
             },
             "trajectory_length": {{mesh.FrameCount}}
            }
            """);
        static byte[] Raw<T>(T[] values) where T : struct => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        TfRecordFile.Write(DeepMindMeshDataset.RecordPath(folder, "train"), [TfExample.Encode(new Dictionary<string, TfFeature>
        {
            ["cells"] = TfFeature.OfBytes(Raw(mesh.Cells)),
            ["mesh_pos"] = TfFeature.OfBytes(Raw(mesh.MeshPositions)),
            ["node_type"] = TfFeature.OfBytes(Raw(mesh.NodeTypes)),
            ["velocity"] = TfFeature.OfBytes(Raw(mesh.Fields[0].Values)),
        })]);
    }

    private static void Checkpoint(string path)
    {
        using var scope = torch.NewDisposeScope();
        torch.save(new Dictionary<string, Tensor>
        {
            ["model.encoder.0.weight"] = torch.ones(4, 3), ["model.encoder.0.bias"] = torch.zeros(4),
            ["trainer.step"] = torch.tensor(new long[] { 12 }), ["trainer.elapsed_seconds"] = torch.tensor(new double[] { 1.5 }),
        }, path);
    }

    private static RolloutResult SmallRollout()
    {
        var mesh = SquareMesh();
        const int frames = 3;
        var states = Enumerable.Range(0, frames * mesh.NodeCount * 2).Select(i => (float)Math.Cos(i)).ToArray();
        var trajectory = new SimulationTrajectory("fuzz", mesh.EdgeGraph(), mesh.Positions.Select(p => (float)p).ToArray(), new int[mesh.NodeCount],
            ["u", "v"], states, [], 0.01) { Cells = mesh.Cells };
        return new RolloutResult(trajectory, 0, frames - 1, states, states.Select(v => v * 0.9f).ToArray());
    }

    // A tiny cavity case (8 x 8, three frames) by our solver, once per folder.
    private static string CfdCase(string folder, bool make = true)
    {
        var directory = Path.Combine(folder, "cavity", "bc", "case0000");
        if (make && !Directory.Exists(directory))
            CfdBenchGenerator.WriteCase(directory, CfdBenchCase.Defaults(CfdProblem.Cavity).With("viscosity", 0.01),
                new GenerationSettings(EndTime: 0.2, FrameDt: 0.1, OutputNx: 8, OutputNy: 8, SolverGrid: (8, 8)), 0);
        return directory;
    }

    /// <summary>
    /// Runs mutants of every target until each has had <paramref name="mutantsPerTarget"/> or
    /// <paramref name="budget"/> is spent, whichever comes first; returns the failures and the count run.
    /// </summary>
    /// <param name="keep">where each failing mutant is saved (TARGET-MUTANT plus the file's extension), to reproduce it; null: nowhere</param>
    public static (List<FuzzFailure> Failures, int Mutants) Run(IReadOnlyList<FuzzTarget> targets, int seed, int? mutantsPerTarget, TimeSpan? budget,
        Action<string>? progress = null, string? keep = null)
    {
        var failures = new List<FuzzFailure>();
        var clock = Stopwatch.StartNew();
        var total = 0;
        var folders = new Dictionary<string, (string Folder, string File, byte[] Original)>();
        try
        {
            foreach (var target in targets)
            {
                var folder = Directory.CreateTempSubdirectory($"gnnsim-fuzz-{target.Name}-").FullName;
                var file = target.Make(folder);
                folders[target.Name] = (folder, file, File.ReadAllBytes(file));
                target.Read(folder); // the valid input must read
            }
            var random = new Random(seed);
            for (var round = 0; mutantsPerTarget is null || round < mutantsPerTarget; round++)
            {
                foreach (var target in targets)
                {
                    if (budget is { } b && clock.Elapsed > b) return (failures, total);
                    var (folder, file, original) = folders[target.Name];
                    var (bytes, mutation) = Mutate(original, random, round);
                    File.WriteAllBytes(file, bytes);
                    total++;
                    // A crash of the whole process (a native reader's) leaves the mutant that caused it behind.
                    if (keep is not null)
                    {
                        Directory.CreateDirectory(keep);
                        File.WriteAllBytes(Path.Combine(keep, $"last{Path.GetExtension(file)}"), bytes);
                        File.WriteAllText(Path.Combine(keep, "last.txt"), $"{target.Name} mutant {round} ({mutation})\n");
                    }
                    if (Judge(target, folder, file, bytes.Length) is { } problem)
                    {
                        failures.Add(new FuzzFailure(target.Name, round, mutation, problem));
                        if (keep is not null)
                        {
                            Directory.CreateDirectory(keep);
                            File.WriteAllBytes(Path.Combine(keep, $"{target.Name}-{round}{Path.GetExtension(file)}"), bytes);
                        }
                        progress?.Invoke($"{target.Name} mutant {round} ({mutation}): {problem}");
                        if (problem.StartsWith("hang", StringComparison.Ordinal)) return (failures, total); // its thread cannot be stopped: end the hunt
                    }
                }
                if (round % 50 == 49) progress?.Invoke($"{total} mutants, {failures.Count} failures, {clock.Elapsed.TotalMinutes:F1} min");
            }
        }
        finally
        {
            foreach (var (folder, file, original) in folders.Values)
            {
                File.WriteAllBytes(file, original);
                Directory.Delete(folder, recursive: true);
            }
        }
        return (failures, total);
    }

    // Null when the mutant read to a result or to a clear error; else what went wrong.
    private static string? Judge(FuzzTarget target, string folder, string file, long size)
    {
        Exception? error = null;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try { target.Read(folder); }
            catch (Exception e) { error = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, 256 << 20) { IsBackground = true }; // a deep recursion is a failure to report, not a crashed host: give the reader a large stack
        thread.Start();
        if (!thread.Join(ReadLimit)) return $"hang: the read ran past {ReadLimit.TotalSeconds:F0} s";
        var limit = Math.Max(AllocationFloor, AllocationFactor * size);
        if (allocated > limit) return $"allocated {allocated / 1e6:F0} MB for a file of {size:N0} bytes";
        if (error is null) return null;
        var name = Path.GetFileName(file);
        var named = error.Message.Contains(name, StringComparison.Ordinal) || error.Message.Contains(folder, StringComparison.Ordinal);
        if (error is InvalidDataException or IOException && named) return null;
        return $"{error.GetType().Name}{(named ? "" : " not naming the file")}: {error.Message.Split('\n')[0]}" +
            $" at {error.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("GnnSim", StringComparison.Ordinal))?.Trim() ?? "?"}";
    }

    private static readonly string[] TextNumbers = ["nan", "inf", "-inf", "1e999", "-1", "99999999999999999999", "0"];
    private static readonly (string From, string To)[] DtypeSwaps =
        [("<f4", "<i8"), ("<f4", "|b1"), ("<f8", "<c8"), ("<i4", "<f2"), ("Float", "Int"), ("float32", "int64"), ("Int32", "Float64"), ("\"F\"", "\"I\"")];

    /// <summary>One seeded mutation of <paramref name="original"/>, chosen by <paramref name="round"/>, and what it was.</summary>
    public static (byte[] Bytes, string Mutation) Mutate(byte[] original, Random random, int round)
    {
        var text = IsText(original);
        var bytes = (byte[])original.Clone();
        switch (round % 6)
        {
            case 0:
            {
                var flips = 1 + random.Next(8);
                for (var k = 0; k < flips; k++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return (bytes, $"{flips} bit flips");
            }
            case 1:
            {
                // Header and section boundaries first (the small powers of two most formats align to), then anywhere.
                int[] boundaries = [0, 1, 4, 8, 10, 16, 32, 64, 96, 128, 256, 512, 1024, 2048, 4096, original.Length / 2, original.Length - 1];
                var cut = (round / 6) < boundaries.Length ? Math.Min(boundaries[round / 6], original.Length - 1) : random.Next(original.Length);
                return (original[..cut], $"truncated at {cut} of {original.Length}");
            }
            case 2 when !text:
            {
                var at = random.Next(Math.Max(1, bytes.Length / 4)) * 4;
                uint[] huge = [0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0x40000000, 0x00FFFFFF];
                var value = huge[random.Next(huge.Length)];
                for (var k = 0; k < 4 && at + k < bytes.Length; k++) bytes[at + k] = (byte)(value >> (8 * k));
                return (bytes, $"0x{value:X8} written at byte {at}");
            }
            case 3 when !text:
            {
                var at = random.Next(Math.Max(1, bytes.Length / 4)) * 4;
                var value = random.Next(2) == 0 ? float.NaN : float.PositiveInfinity;
                BitConverter.GetBytes(value).AsSpan(0, Math.Min(4, bytes.Length - at)).CopyTo(bytes.AsSpan(at));
                return (bytes, $"{value} written at byte {at}");
            }
            case 2 or 3:
            {
                var source = Encoding.UTF8.GetString(original);
                var numbers = Regex.Matches(source, @"-?\d+(\.\d+)?([eE][-+]?\d+)?");
                if (numbers.Count == 0) goto default;
                var pick = numbers[random.Next(numbers.Count)];
                var replacement = TextNumbers[random.Next(TextNumbers.Length)];
                return (Encoding.UTF8.GetBytes(source[..pick.Index] + replacement + source[(pick.Index + pick.Length)..]), $"number {pick.Value} at {pick.Index} made {replacement}");
            }
            case 4:
            {
                var source = Encoding.Latin1.GetString(original);
                var swaps = DtypeSwaps.Where(s => source.Contains(s.From, StringComparison.Ordinal)).ToList();
                if (swaps.Count == 0) goto default;
                var (from, to) = swaps[random.Next(swaps.Count)];
                var index = source.IndexOf(from, StringComparison.Ordinal);
                // Same length where the tokens are: binary offsets stay put.
                var replaced = from.Length == to.Length ? source[..index] + to + source[(index + from.Length)..] : source.Replace(from, to, StringComparison.Ordinal);
                return (Encoding.Latin1.GetBytes(replaced), $"dtype {from} made {to}");
            }
            default:
            {
                if (!text) goto case 0;
                var lines = Encoding.UTF8.GetString(original).Split('\n').ToList();
                var line = random.Next(lines.Count);
                var duplicate = random.Next(2) == 0;
                if (duplicate) lines.Insert(line, lines[line]);
                else lines.RemoveAt(line);
                return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), $"line {line + 1} {(duplicate ? "duplicated" : "removed")}");
            }
        }
    }

    private static bool IsText(byte[] bytes) => bytes.Take(4096).All(b => b is 9 or 10 or 13 or (>= 32 and < 127));

    public static string Describe(IReadOnlyList<FuzzFailure> failures) =>
        string.Join("\n", failures.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Target} mutant {f.Mutant} ({f.Mutation}): {f.Problem}")));
}
