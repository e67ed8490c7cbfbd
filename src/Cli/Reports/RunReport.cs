using System.Globalization;
using GnnSim.Training.Evaluation;
using GnnSim.Training;
using GnnSim.Training.Experiments;
using GnnSim.Viz;
using GnnSim.Viz.Reports;
using GnnSim.Viz.Rollouts;

namespace GnnSim.Cli.Reports;

/// <summary>
/// The report of a training run, one HTML file: the config, the data it was scored on, the loss and
/// learning-rate curves, the metrics table beside persistence, error against rollout step, field
/// snapshots at a few steps for a few cases, and an animation. Whatever the run does not have yet
/// (no rollout, no eval) is said, not skipped silently.
/// </summary>
internal static class RunReport
{
    /// <summary>Where the quickstart puts a run's rollout, and where the report looks for it.</summary>
    public const string RolloutFileName = "rollout.h5";

    /// <summary>The report's default place in the run directory.</summary>
    public const string FileName = "report.html";

    public sealed record Options(string? RolloutPath = null, string? Field = null, int SnapshotCases = 2, int AnimationFrames = 40);

    public static string Build(string runDirectory, Options options)
    {
        if (!Directory.Exists(runDirectory)) throw new DirectoryNotFoundException($"{runDirectory}: no such run directory");
        var configPath = Path.Combine(runDirectory, Experiment.ConfigFileName);
        if (!File.Exists(configPath)) throw new InvalidDataException($"{runDirectory}: no {Experiment.ConfigFileName}, so not a run directory made by gnnsim train");
        var config = ExperimentConfig.Load(configPath);
        var runName = Path.GetFileName(Path.GetFullPath(runDirectory).TrimEnd(Path.DirectorySeparatorChar));
        var report = new HtmlReport($"GnnSim run: {runName}");

        report.Heading("Summary").Paragraph(Summary(runDirectory, config));
        report.Heading("Configuration").Preformatted(File.ReadAllText(configPath));
        AddTraining(report, runDirectory);

        var rolloutPath = options.RolloutPath ?? Path.Combine(runDirectory, RolloutFileName);
        var stored = File.Exists(rolloutPath) ? RolloutFile.Read(rolloutPath) : null;
        if (stored is { Count: 0 }) throw new InvalidDataException($"{rolloutPath}: the rollout file holds no cases");
        var particles = stored is not null && ParticleRollout.IsParticleRollout(stored[0]);
        var rollouts = stored is null || particles ? null : stored.Select(r => RolloutViews.From(r, rolloutPath)).ToList();
        AddData(report, config, stored, rolloutPath);
        AddMetrics(report, runDirectory, rollouts);
        if (rollouts is not null) AddRolloutFigures(report, rollouts, options);
        if (particles) AddParticleFigures(report, stored!, rolloutPath, options);

        return report.ToHtml(string.Create(CultureInfo.InvariantCulture, $"written by gnnsim report from {Path.GetFullPath(runDirectory)} on {DateTime.Now:yyyy-MM-dd HH:mm}"));
    }

    private static string Summary(string runDirectory, ExperimentConfig config)
    {
        var m = config.Model;
        var sizes = string.Join(", ", m.Registration.Values(m.Options).Select(v => $"{v.Key} {Convert.ToString(v.Value, CultureInfo.InvariantCulture)}"));
        var text = $"{m.Name} ({sizes}) trained on {config.Data.Format} data" + (config.Data.Format == "cfdbench" ? $" ({config.Data.Problem})." : ".");
        if (Checkpoint.ReadSummary(runDirectory) is not var (step, seconds)) return text + " No checkpoint yet.";
        return text + string.Create(CultureInfo.InvariantCulture, $" The checkpoint is at step {step} of {config.Training.Steps}, after {seconds / 60:F1} minutes of training.");
    }

    private static void AddTraining(HtmlReport report, string runDirectory)
    {
        report.Heading("Training");
        var log = TrainingLog.Read(runDirectory);
        if (log.Count == 0)
        {
            report.Paragraph("The run has not logged a training step yet (metrics.csv is empty or missing).");
            return;
        }
        var steps = log.Select(e => (double)e.Step).ToList();
        var loss = new LineChart { Title = "training loss", XLabel = "step", YLabel = "loss (normalized MSE)", LogY = log.All(e => !(e.Loss <= 0)) };
        loss.Series.Add(new Series("loss", steps, log.Select(e => e.Loss).ToList()));
        report.Svg(loss.ToSvg(800, 400), "Training loss: the mean over each logging interval of the one-step loss on normalized targets.");
        var learningRate = new LineChart { Title = "learning rate", XLabel = "step", YLabel = "learning rate", LogY = log.All(e => e.LearningRate > 0) };
        learningRate.Series.Add(new Series("learning rate", steps, log.Select(e => e.LearningRate).ToList()));
        report.Svg(learningRate.ToSvg(800, 300), "The learning-rate schedule.");
    }

    private static void AddData(HtmlReport report, ExperimentConfig config, List<StoredRollout>? rollouts, string rolloutPath)
    {
        report.Heading("Data");
        var d = config.Data;
        var rows = new List<(string, string)> { ("format", d.Format), ("path", d.Path) };
        if (d.Format == "cfdbench") rows.Add(("problem", d.Problem));
        if (rollouts is null)
        {
            report.Facts(rows);
            report.Paragraph($"No rollout at {rolloutPath}: make one with `gnnsim rollout RUN_DIR --out {rolloutPath}` to see metrics curves and flow fields here.");
            return;
        }
        var first = rollouts[0];
        rows.Add(("rollout cases", string.Join(", ", rollouts.Select(r => r.Case))));
        rows.Add((ParticleRollout.IsParticleRollout(first) ? "particles per case" : "nodes per case", string.Join(", ", rollouts.Select(r => r.NodeCount).Distinct().Take(6))));
        rows.Add(("fields", string.Join(", ", first.Fields)));
        rows.Add(("time step dt", first.Dt.ToString("G4", CultureInfo.InvariantCulture)));
        rows.Add(("rollout", string.Create(CultureInfo.InvariantCulture, $"{first.Steps} steps from frame {first.StartFrame}")));
        report.Facts(rows);
    }

    private static void AddMetrics(HtmlReport report, string runDirectory, List<RolloutView>? rollouts)
    {
        report.Heading("Rollout metrics");
        var evaluation = EvaluationReport.Read(runDirectory);
        if (evaluation is null)
            report.Paragraph("No eval.json in the run: `gnnsim eval RUN_DIR` writes it.");
        else
        {
            report.Paragraph($"Errors over rollout steps 1..h on the predicted nodes, the mean over {evaluation.Cases} {evaluation.Split} cases; " +
                             "persistence holds the start frame, the baseline a surrogate has to beat (ratio below 1).");
            string E(double v) => v.ToString("0.000E+0", CultureInfo.InvariantCulture);
            var rows = evaluation.Model.Zip(evaluation.Persistence, (m, p) => (IReadOnlyList<string>)
            [
                m.Horizon.ToString(CultureInfo.InvariantCulture), E(m.Rmse), E(m.Mae), E(m.Nmse), E(p.Nmse),
                (m.Nmse / p.Nmse).ToString("F3", CultureInfo.InvariantCulture),
            ]);
            report.Table(["steps", "RMSE", "MAE", "NMSE", "NMSE persistence", "model / persistence"], rows, new HashSet<int> { 0, 1, 2, 3, 4, 5 });
        }
        if (rollouts is null) return;
        var chart = new LineChart { Title = "error against rollout step", XLabel = "rollout step", YLabel = "RMSE (mean over cases)", LogY = true };
        foreach (var (field, index) in rollouts[0].Fields.Select((f, i) => (f, i)))
        {
            var x = Enumerable.Range(1, rollouts.Min(r => r.Steps)).Select(s => (double)s).ToList();
            var model = rollouts.Select(r => r.RmseByStep(field)).ToList();
            var persistence = rollouts.Select(r => r.PersistenceRmseByStep(field)).ToList();
            chart.Series.Add(new Series($"{field}, model", x, x.Select(s => model.Average(c => c[(int)s])).ToList(), ColorIndex: index));
            chart.Series.Add(new Series($"{field}, persistence", x, x.Select(s => persistence.Average(c => c[(int)s])).ToList(), Dashed: true, ColorIndex: index));
        }
        report.Svg(chart.ToSvg(800, 420), "RMSE of each field against rollout step (solid: the model; dashed: persistence), the mean over the rollout's cases.");
    }

    private static void AddParticleFigures(HtmlReport report, List<StoredRollout> rollouts, string source, Options options)
    {
        var chart = new LineChart { Title = "position error against rollout step", XLabel = "rollout step", YLabel = "position RMSE (mean over cases)", LogY = true };
        var steps = rollouts.Min(r => r.Steps);
        var errors = rollouts.Select(ParticleRolloutFigures.RmseByStep).ToList();
        var x = Enumerable.Range(1, steps).Select(s => (double)s).ToList();
        chart.Series.Add(new Series("model", x, x.Select(s => errors.Average(e => e.Model[(int)s - 1])).ToList(), ColorIndex: 0));
        chart.Series.Add(new Series("persistence", x, x.Select(s => errors.Average(e => e.Persistence[(int)s - 1])).ToList(), Dashed: true, ColorIndex: 0));
        report.Svg(chart.ToSvg(800, 420), "RMSE of the moving particles' positions against rollout step (solid: the model; dashed: persistence, the particles held at the start).");
        report.Heading("Particles");
        report.Paragraph("Truth beside prediction, each particle coloured by its speed over the frame before; one colour scale for both panels.");
        foreach (var rollout in rollouts.Take(Math.Max(1, options.SnapshotCases)))
        {
            report.Heading($"case {rollout.Case}", 3);
            foreach (var step in new[] { 1, rollout.Steps / 2, rollout.Steps }.Where(s => s >= 1).Distinct())
            {
                using var figure = ParticleRolloutFigures.Snapshot(rollout, step, source);
                report.Image(figure.ToPng(), "image/png", $"case {rollout.Case} at rollout step {step} of {rollout.Steps}");
            }
        }
        report.Heading("Animation");
        report.Image(ParticleRolloutFigures.Animation(rollouts[0], source, options.AnimationFrames), "image/gif",
            $"case {rollouts[0].Case} over the whole rollout (truth, prediction; one speed scale)");
    }

    private static void AddRolloutFigures(HtmlReport report, List<RolloutView> rollouts, Options options)
    {
        var field = options.Field ?? RolloutViews.DefaultField(rollouts[0]);
        report.Heading("Flow fields");
        report.Paragraph($"{field}: truth, prediction and their difference; truth and prediction share one colour scale, the error has its own centred on zero. Gray cells are solid.");
        foreach (var rollout in rollouts.Take(Math.Max(1, options.SnapshotCases)))
        {
            report.Heading($"case {rollout.Case}", 3);
            foreach (var step in new[] { 1, rollout.Steps / 2, rollout.Steps }.Where(s => s >= 1).Distinct())
            {
                using var figure = RolloutFigures.Snapshot(rollout, field, step);
                report.Image(figure.ToPng(), "image/png", $"case {rollout.Case}, {field} at rollout step {step} of {rollout.Steps}");
            }
        }
        report.Heading("Animation");
        var animated = rollouts[0];
        report.Image(RolloutFigures.Animation(animated, field, options.AnimationFrames), "image/gif",
            $"case {animated.Case}, {field} over the whole rollout (truth, prediction, error; fixed scales)");
    }
}
