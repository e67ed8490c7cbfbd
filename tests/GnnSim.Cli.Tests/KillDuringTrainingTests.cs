using System.Globalization;
using System.Text;
using GnnSim.Datasets.CfdBench;
using GnnSim.Torch;
using GnnSim.Training;

namespace GnnSim.Cli.Tests;

/// <summary>
/// kill -9 in the middle of training, ten times, at seeded random moments (a checkpoint is written
/// every step, so many kills land in a write): every checkpoint left behind loads, each resume goes
/// on from it, and the finished run's loss curve is the uninterrupted run's, step for step.
/// </summary>
public sealed class KillDuringTrainingTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("gnnsim-kill-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Config()
    {
        var data = Path.Combine(dir, "data");
        var settings = new GenerationSettings(EndTime: 0.6, FrameDt: 0.1, OutputNx: 16, OutputNy: 16, SolverGrid: (16, 16));
        for (var i = 0; i < 3; i++)
            CfdBenchGenerator.WriteCase(CfdBenchGenerator.CaseDirectory(data, CfdProblem.Cavity, CfdSubset.Bc, i),
                CfdBenchCase.Defaults(CfdProblem.Cavity).With("viscosity", 0.01).With("vel_top", 1 + i), settings, i);
        var path = Path.Combine(dir, "config.yaml");
        // Noise on: the generator's state is in every checkpoint, so even the noise resumes exactly.
        File.WriteAllText(path, $$"""
            model: { latent: 16, message_passing_steps: 2 }
            data: { format: cfdbench, path: {{data}}, problem: cavity, subsets: [bc], split_seed: 0 }
            optimizer: { name: adam, learning_rate: 1.0e-3, schedule: constant, gradient_clip: 1.0 }
            training: { steps: 400, batch_size: 1, noise_std: 0.01, log_every: 1, checkpoint_every: 1, seed: 3 }
            """);
        return path;
    }

    private static List<(int Step, double Loss)> LossCurve(string run) =>
        TrainingLog.Read(run).Select(e => (e.Step, e.Loss)).ToList();

    [Fact]
    public void TenKillsDuringTrainingLeaveNoCorruptCheckpointAndTheResumedCurveIsTheUninterruptedOne()
    {
        var config = Config();
        var reference = Path.Combine(dir, "reference");
        var (exit, output, error) = CliProcess.Run(["train", config, "--out", reference, "--threads", "1"]);
        Assert.True(exit == 0, output + error);

        var run = Path.Combine(dir, "killed");
        var random = new Random(11);
        var kills = new List<int>();
        for (var attempt = 0; kills.Count < 10 && attempt < 30; attempt++)
        {
            var before = Checkpoint.ReadSummary(run)?.Step ?? 0;
            var (stdout, stderr) = (new StringBuilder(), new StringBuilder());
            string[] args = ["train", config, "--out", run, "--threads", "1", .. before > 0 ? new[] { "--resume" } : []];
            using var process = CliProcess.Start(args, null, stdout, stderr);
            // Wait for this session's first own checkpoint, then kill at a random moment of the steps that follow.
            Assert.True(CliProcess.WaitUntil(process, () => (Checkpoint.ReadSummary(run)?.Step ?? 0) > before || process.HasExited), $"no progress: {stdout}{stderr}");
            Thread.Sleep(random.Next(0, 150));
            if (process.HasExited)
            {
                Assert.True(process.ExitCode == 0, $"{stdout}{stderr}");
                break; // finished before the kill
            }
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            // What the kill left must load: the atomic rename keeps either the old checkpoint or the new one, whole.
            using (var scope = torch.NewDisposeScope())
            {
                var entries = torch.load(Path.Combine(run, Checkpoint.FileName));
                var step = (int)entries["trainer.step"].item_long();
                Assert.InRange(step, before + 1, 400);
                kills.Add(step);
            }
        }
        Assert.True(kills.Count == 10, $"only {kills.Count} kills landed before the run finished (at steps {string.Join(", ", kills)})");
        (exit, output, error) = CliProcess.Run(["train", config, "--out", run, "--threads", "1", "--resume"]);
        Assert.True(exit == 0, output + error);

        // The temporaries of writes that a kill cut short were cleared by the next training in the folder.
        Assert.Empty(Directory.GetFiles(run, "*.tmp*"));

        var expected = LossCurve(reference);
        var actual = LossCurve(run);
        Assert.Equal(400, expected.Count);
        Assert.Equal(expected.Select(e => e.Step), actual.Select(e => e.Step));
        for (var i = 0; i < expected.Count; i++)
            Assert.True(expected[i].Loss == actual[i].Loss,
                string.Create(CultureInfo.InvariantCulture, $"step {expected[i].Step}: uninterrupted {expected[i].Loss:R}, killed and resumed {actual[i].Loss:R} (kills at {string.Join(", ", kills)})"));
    }

    [Fact]
    public void ASecondTrainingIntoABusyRunIsRefusedAndTheLockDiesWithItsHolder()
    {
        var config = Config();
        var run = Path.Combine(dir, "busy");
        var (stdout, stderr) = (new StringBuilder(), new StringBuilder());
        using (var first = CliProcess.Start(["train", config, "--out", run, "--threads", "1"], null, stdout, stderr))
        {
            Assert.True(CliProcess.WaitUntil(first, () => Checkpoint.ReadSummary(run) is not null), $"no checkpoint: {stdout}{stderr}");
            var (exit, output, error) = CliProcess.Run(["train", config, "--out", run, "--threads", "1", "--resume"]);
            Assert.True(exit == 2, output + error);
            Assert.Contains($"{run} is in use by another training", error);
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }
        // A kill -9 releases the lock with the process; the next training also clears what dead writers left.
        // (A kill inside torch.save leaves the temporary of AtomicFile's temporary.)
        string[] litter = [Path.Combine(run, Checkpoint.FileName + ".tmp99999999"), Path.Combine(run, Checkpoint.FileName + ".tmp25.tmp-25")];
        foreach (var file in litter) File.WriteAllText(file, "half a checkpoint");
        var (code, text, message) = CliProcess.Run(["train", config, "--out", run, "--threads", "1", "--resume", "--set", "training.steps=" + (Checkpoint.ReadSummary(run)!.Value.Step + 1)]);
        Assert.True(code == 0, text + message);
        Assert.All(litter, file => Assert.False(File.Exists(file), file));
    }
}
