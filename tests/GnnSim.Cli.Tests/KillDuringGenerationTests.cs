using System.Text;
using GnnSim.Datasets.CfdBench;
using GnnSim.Datasets.Particles;

namespace GnnSim.Cli.Tests;

/// <summary>
/// kill -9 in the middle of `gnnsim generate`, five times at seeded random moments, for both ways a
/// generator resumes: CFDBench's folder per case (built as caseNNNN.partial, then renamed) and the
/// HDF5 generators' part files (mpm here; cylinder-mesh and helmholtz share the code). After every
/// kill nothing half-written is taken for a finished case, and the resumed data equal an uninterrupted run's.
/// </summary>
public sealed class KillDuringGenerationTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("gnnsim-kill-generate-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private const int Kills = 5;

    /// <summary>Starts the command <see cref="Kills"/> times and kills it at a random moment after it has begun writing; then lets it finish.</summary>
    private static List<string> KillRepeatedly(string[] args, Func<int> progress, Action afterKill, int seed)
    {
        var random = new Random(seed);
        var kills = new List<string>();
        for (var attempt = 0; kills.Count < Kills && attempt < 3 * Kills; attempt++)
        {
            var before = progress();
            var (stdout, stderr) = (new StringBuilder(), new StringBuilder());
            using var process = CliProcess.Start(args, null, stdout, stderr);
            // Past the start-up, into the writing: then a random moment of the cases that follow.
            Assert.True(CliProcess.WaitUntil(process, () => progress() > before || process.HasExited), $"no progress: {stdout}{stderr}");
            Thread.Sleep(random.Next(0, 250)); // about one case: many kills land inside one
            if (process.HasExited)
            {
                Assert.True(process.ExitCode == 0, $"{stdout}{stderr}");
                break; // finished before the kill
            }
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            kills.Add($"after {progress()} done");
            afterKill();
        }
        var (exit, output, error) = CliProcess.Run(args);
        Assert.True(exit == 0, output + error);
        return kills;
    }

    [Fact]
    public void AKilledCfdBenchGeneratorLeavesOnlyWholeCasesAndResumesToTheUninterruptedData()
    {
        string[] Args(string root) => ["generate", "cfdbench", "--problem", "cavity", "--subset", "bc", "--cases", "16",
            "--t-end", "1", "--frame-dt", "0.1", "--grid", "32x32", "--resolution", "16x16", "--out", root];
        var reference = Path.Combine(dir, "reference");
        var (exit, output, error) = CliProcess.Run(Args(reference));
        Assert.True(exit == 0, output + error);

        var killed = Path.Combine(dir, "killed");
        var cases = Path.Combine(killed, "cavity", "bc");
        string[] Finished() => Directory.Exists(cases) ? Directory.GetDirectories(cases, "case????") : [];
        // Progress counts the partial folders too, so that kills land inside a case as well as between cases.
        int Progress() => Directory.Exists(cases) ? Directory.GetDirectories(cases).Length : 0;
        var kills = KillRepeatedly(Args(killed), Progress, () =>
        {
            // A case folder under its final name is whole: it loads (a half-written one would be caseNNNN.partial).
            foreach (var folder in Finished())
                Assert.Equal(11, CfdBenchCaseData.Load(folder, CfdProblem.Cavity).Frames);
        }, seed: 5);
        Assert.True(kills.Count == Kills, $"only {kills.Count} kills landed ({string.Join(", ", kills)})");

        var expected = Files(reference);
        Assert.Equal(expected.Keys.Order(), Files(killed).Keys.Order()); // no .partial left over
        foreach (var (name, bytes) in Files(killed))
            Assert.True(expected[name].AsSpan().SequenceEqual(bytes), $"{name} differs from the uninterrupted run's (kills {string.Join(", ", kills)})");
    }

    [Fact]
    public void AKilledHdf5GeneratorKeepsWholePartsAndResumesToTheUninterruptedFile()
    {
        string[] Args(string file) => ["generate", "mpm", "--trajectories", "16", "--particles", "500", "--frames", "300", "--seed", "2", "--out", file];
        var reference = Path.Combine(dir, "reference.h5");
        var (exit, output, error) = CliProcess.Run(Args(reference));
        Assert.True(exit == 0, output + error);

        var file = Path.Combine(dir, "killed.h5");
        var parts = file + ".parts";
        int Progress() => Directory.Exists(parts) ? Directory.GetFiles(parts, "*.h5").Length : File.Exists(file) ? int.MaxValue : 0;
        var kills = KillRepeatedly(Args(file), Progress, () =>
        {
            // Every part a kill leaves is one whole trajectory; the final file, where it already exists, holds them all.
            if (Directory.Exists(parts))
                foreach (var part in Directory.GetFiles(parts, "*.h5"))
                    Assert.Equal(300, Assert.Single(ParticleTrajectoryFile.ReadAll(part)).FrameCount);
            if (File.Exists(file)) Assert.Equal(16, ParticleTrajectoryFile.ReadAll(file).Count);
        }, seed: 6);
        Assert.True(kills.Count == Kills, $"only {kills.Count} kills landed ({string.Join(", ", kills)})");

        Assert.False(Directory.Exists(parts));
        var expected = ParticleTrajectoryFile.ReadAll(reference);
        var actual = ParticleTrajectoryFile.ReadAll(file);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Positions, actual[i].Positions);
            Assert.Equal(expected[i].ParticleTypes, actual[i].ParticleTypes);
        }
    }

    [Fact]
    public void ACtrlCEndsAGeneratorAtOnce()
    {
        // A command that does not listen for interrupts (only training does: it checkpoints) ends at the first, as programs do.
        var file = Path.Combine(dir, "interrupted.h5");
        var (stdout, stderr) = (new StringBuilder(), new StringBuilder());
        using var process = CliProcess.Start(["generate", "mpm", "--trajectories", "500", "--particles", "300", "--frames", "40", "--out", file], null, stdout, stderr);
        Assert.True(CliProcess.WaitUntil(process, () => Directory.Exists(file + ".parts") && Directory.GetFiles(file + ".parts", "*.h5").Length > 0), $"no progress: {stdout}{stderr}");
        using (var signal = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) signal.WaitForExit();
        Assert.True(process.WaitForExit(10_000), "the generator ran on after Ctrl+C");
        Assert.NotEqual(0, process.ExitCode);
        Assert.False(File.Exists(file));
    }

    private static Dictionary<string, byte[]> Files(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllBytes);
}
