using System.Diagnostics;
using System.Text.Json;
using GnnSim.Datasets.Particles;
using GnnSim.Solvers.Mpm;
using Spectre.Console;

namespace GnnSim.Cli.Bench;

/// <summary>
/// `gnnsim bench mpm`: particle updates per second (particles x substeps / s) of the MLS-MPM solver
/// on a dam break of about N particles (the grid following, 4 particles a cell), for each material,
/// over <c>substeps</c> substeps after a few of warm-up.
/// </summary>
internal sealed class MpmBenchmark(int[] particleCounts, int substeps)
{
    public int Run()
    {
        if (particleCounts.Length == 0 || particleCounts.Any(n => n < 100) || substeps < 1)
            throw new ArgumentException("particle counts must be at least 100 and substeps at least 1");
        var figures = new Dictionary<string, object> { ["bench"] = "mpm", ["threads"] = Environment.ProcessorCount, ["substeps"] = substeps };
        var table = new Table().AddColumns("material", "particles", "grid", "substep", "particle updates/s");
        foreach (var n in particleCounts)
        foreach (var material in Enum.GetValues<MpmMaterial>())
        {
            var solver = MpmGenerator.InitialState(new MpmDatasetSettings { Material = material, Scene = MpmScene.DamBreak, Particles = n }, 0);
            var settings = solver.Settings;
            for (var k = 0; k < 5; k++) solver.Step(solver.StableTimestep());
            var clock = Stopwatch.StartNew();
            for (var k = 0; k < substeps; k++) solver.Step(solver.StableTimestep());
            var seconds = clock.Elapsed.TotalSeconds;
            var rate = solver.ParticleCount * (double)substeps / seconds;
            table.AddRow(material.ToString().ToLowerInvariant(), $"{solver.ParticleCount:N0}", $"{settings.Cells} x {settings.Cells}", $"{1000 * seconds / substeps:F2} ms", $"{rate / 1e6:F2} M");
            figures[$"updates_per_s_{material.ToString().ToLowerInvariant()}_{n}"] = Math.Round(rate);
        }
        AnsiConsole.Write(table);
        Console.WriteLine(JsonSerializer.Serialize(figures));
        return 0;
    }
}
