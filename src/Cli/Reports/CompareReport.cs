using System.Globalization;
using GnnSim.Training;
using GnnSim.Training.Evaluation;
using GnnSim.Training.Experiments;
using GnnSim.Viz.Reports;
using GnnSim.Viz.Rollouts;

namespace GnnSim.Cli.Reports;

/// <summary>
/// Several runs side by side, one HTML file: what each run is, every run's metrics table, their
/// error curves on one chart, and the same case at the same step for each run. A run without an
/// eval or a rollout is said to lack it, not left out.
/// </summary>
internal static class CompareReport
{
    public static string Build(IReadOnlyList<string> runDirectories, RunReport.Options options)
    {
        if (runDirectories.Count < 2) throw new ArgumentException("a comparison needs at least two run directories");
        var labels = RunLabels.For(runDirectories);
        var configs = runDirectories.Select(d =>
        {
            if (!Directory.Exists(d)) throw new DirectoryNotFoundException($"{d}: no such run directory");
            return Experiment.ReadRunConfig(d);
        }).ToList();
        var report = new HtmlReport($"GnnSim comparison: {string.Join(" vs ", labels)}");

        report.Heading("Runs");
        report.Table(["run", "model", "data", "trained", "directory"], runDirectories.Select((d, i) =>
        {
            var m = configs[i].Model;
            var sizes = string.Join(", ", m.Registration.Values(m.Options).Select(v => $"{v.Key} {Convert.ToString(v.Value, CultureInfo.InvariantCulture)}"));
            var trained = Checkpoint.ReadSummary(d) is var (step, seconds)
                ? string.Create(CultureInfo.InvariantCulture, $"{step} of {configs[i].Training.Steps} steps, {seconds / 60:F1} min")
                : "no checkpoint";
            // The problem names a CFDBench problem; other formats are told by their file.
            var data = configs[i].Data;
            var described = data.Format == "cfdbench" ? $"cfdbench {data.Problem}" : $"{data.Format} {Path.GetFileName(data.Path.TrimEnd('/'))}";
            return (IReadOnlyList<string>)[labels[i], $"{m.Name} ({sizes})", described, trained, Path.GetFullPath(d)];
        }));

        report.Heading("Rollout metrics");
        report.Paragraph("Each run's errors over rollout steps 1..h on its predicted nodes (mean over its evaluation cases), beside persistence; a ratio below 1 beats holding the start frame.");
        string E(double v) => v.ToString("0.000E+0", CultureInfo.InvariantCulture);
        for (var i = 0; i < runDirectories.Count; i++)
        {
            report.Heading(labels[i], 3);
            if (EvaluationReport.Read(runDirectories[i]) is not { } evaluation)
            {
                report.Paragraph($"No eval.json in {runDirectories[i]}: `gnnsim eval {runDirectories[i]}` writes it.");
                continue;
            }
            report.Table(["steps", "RMSE", "MAE", "NMSE", "NMSE persistence", "model / persistence"], evaluation.Model.Zip(evaluation.Persistence, (m, p) => (IReadOnlyList<string>)
                [m.Horizon.ToString(CultureInfo.InvariantCulture), E(m.Rmse), E(m.Mae), E(m.Nmse), E(p.Nmse), (m.Nmse / p.Nmse).ToString("F3", CultureInfo.InvariantCulture)]),
                new HashSet<int> { 0, 1, 2, 3, 4, 5 });
        }

        var rollouts = runDirectories.Select(d => Path.Combine(d, RunReport.RolloutFileName)).Select(p => File.Exists(p) ? RolloutViews.Read(p) : null).ToList();
        var withRollouts = rollouts.Select((r, i) => (Label: labels[i], Rollouts: r)).Where(r => r.Rollouts is not null).ToList();
        report.Heading("Error against rollout step");
        foreach (var (label, r) in rollouts.Select((r, i) => (labels[i], r)).Where(p => p.r is null))
            report.Paragraph($"{label} has no {RunReport.RolloutFileName}: `gnnsim rollout RUN_DIR --out RUN_DIR/{RunReport.RolloutFileName}` makes one.");
        if (withRollouts.Count == 0) return Finish(report, runDirectories);
        var field = options.Field ?? RolloutViews.DefaultField(withRollouts[0].Rollouts![0]);
        report.Svg(RolloutFigures.ErrorCurves(withRollouts.Select(r => (r.Label, (IReadOnlyList<RolloutView>)r.Rollouts!)).ToList(), field).ToSvg(800, 420),
            $"RMSE of {field} against rollout step, one curve per run (the mean over its cases).");

        // The same case at the same step in every run: the first case all rollouts hold, at the last step all reach.
        var common = withRollouts.Select(r => r.Rollouts!.Select(v => v.Case)).Aggregate((a, b) => a.Intersect(b)).FirstOrDefault();
        report.Heading("The same case in every run");
        if (common is null)
        {
            report.Paragraph("The runs' rollouts share no case, so there is no common snapshot to show.");
            return Finish(report, runDirectories);
        }
        var views = withRollouts.Select(r => (r.Label, View: r.Rollouts!.First(v => v.Case == common))).ToList();
        var step = views.Min(v => v.View.Steps);
        foreach (var (label, view) in views)
        {
            using var figure = RolloutFigures.Snapshot(view, field, step);
            report.Image(figure.ToPng(), "image/png", $"{label}: case {common}, {field} at rollout step {step}");
        }
        return Finish(report, runDirectories);
    }

    private static string Finish(HtmlReport report, IReadOnlyList<string> runDirectories) =>
        report.ToHtml(string.Create(CultureInfo.InvariantCulture, $"written by gnnsim report from {runDirectories.Count} runs on {DateTime.Now:yyyy-MM-dd HH:mm}"));
}
