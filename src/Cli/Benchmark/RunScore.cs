using System.Text.Json;
using System.Text.Json.Serialization;
using GnnSim.Datasets;
using GnnSim.Training;
using GnnSim.Training.Evaluation;
using GnnSim.Training.Experiments;
using GnnSim.Training.Objectives;

namespace GnnSim.Cli.Benchmark;

/// <summary>
/// The errors of one group of evaluation cases: all of the test split (<c>test</c>), or, for
/// CFDBench data of several subsets, the test cases of one subset (<c>test/bc</c>), whose boundary
/// conditions, properties or geometry the model never saw. Particle rollouts add the Chamfer
/// distance of the predicted and true clouds at each case's last step (the model's and persistence's).
/// </summary>
internal sealed record ScoreGroup(string Split, int Cases, IReadOnlyList<HorizonErrors> Model, IReadOnlyList<HorizonErrors> Persistence,
    double? Chamfer = null, double? ChamferPersistence = null);

/// <summary>A mesh mover's scores: meshes with a tangled cell, error reductions (the model's and Monge-Ampere's) and the speed ratio.</summary>
internal sealed record MoverSummary(int Meshes, int MeshesTangled, int TangledCells, double? ErrorReduction, double? MongeAmpereErrorReduction, double? SpeedRatio);

/// <summary>
/// One trained and evaluated run of a suite entry (one seed), as the leaderboard needs it; the
/// suite writes it as score.json in the run's directory once the run is finished, and a
/// resumed suite skips runs that have one. <paramref name="ConcurrentRuns"/> is how many runs the
/// suite trained at once beside this one (<c>--jobs</c>): above 1 its timings shared the machine.
/// </summary>
internal sealed record RunScore(string Problem, string Entry, int Seed, string Model, string Objective, long? Parameters, int Steps, double TrainingSeconds,
    double? TrainStepSeconds, double? RolloutStepSeconds, long? PeakResidentBytes, IReadOnlyList<ScoreGroup> Groups, MoverSummary? Mover, int ConcurrentRuns = 1)
{
    public const string FileName = "score.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public void Write(string runDirectory) => AtomicFile.WriteAllText(Path.Combine(runDirectory, FileName), JsonSerializer.Serialize(this, Json));

    /// <summary>The run's score.json; null when the run is not finished.</summary>
    public static RunScore? Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<RunScore>(File.ReadAllText(path), Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a benchmark score ({e.Message}); delete it to score the run again"); }
    }

    /// <summary>
    /// Scores a run that gnnsim train and gnnsim eval have finished: what it is (checkpoint.json,
    /// config.yaml), how it trained (metrics.csv: the median step time over the log intervals after
    /// the first, which holds the warm-up; the mean step time where there are none), and how it rolled out (eval.json, chamfer.csv or mover_eval.json).
    /// </summary>
    public static RunScore FromRun(string runDirectory, string problem, string entry, int seed)
    {
        var config = Experiment.ReadRunConfig(runDirectory);
        var (steps, seconds) = Checkpoint.ReadSummary(runDirectory) ?? throw new InvalidDataException($"{runDirectory}: no {Checkpoint.SummaryFileName}: the run has not trained");
        var (parameters, peak) = Checkpoint.ReadResources(runDirectory) ?? (null, null);
        var log = TrainingLog.Read(runDirectory);
        var stepTimes = log.Skip(log.Count > 1 ? 1 : 0).Where(e => e.StepsPerSecond > 0).Select(e => 1 / e.StepsPerSecond).ToList();
        // A run too slow to log twice falls back on its mean step time, warm-up included.
        double? trainStep = stepTimes.Count > 0 ? Bench.Timing.Median(stepTimes) : steps > 0 ? seconds / steps : null;
        var objective = config.Training.Objective;
        if (objective == MeshMovementObjective.ObjectiveName)
        {
            var (mean, cases, tangled) = MoverEvaluation.ReadMean(runDirectory) ?? throw new InvalidDataException($"{runDirectory}: no {MoverEvaluation.JsonFileName}: the run is not evaluated");
            return new RunScore(problem, entry, seed, config.Model.Name, objective, parameters, steps, seconds, trainStep, mean.ModelSeconds, peak, [],
                new MoverSummary(cases, tangled, mean.TangledCells, mean.ErrorReduction, mean.MongeAmpereErrorReduction, mean.SpeedRatio));
        }
        var evaluation = EvaluationReport.Read(runDirectory) ?? throw new InvalidDataException($"{runDirectory}: no {EvaluationReport.JsonFileName}: the run is not evaluated");
        double? chamfer = null, chamferPersistence = null;
        if (ParticleScores.Read(runDirectory) is { Count: > 0 } rows)
        {
            var last = rows.GroupBy(r => r.Case).Select(g => g.MaxBy(r => r.Horizon)).ToList();
            (chamfer, chamferPersistence) = (last.Average(r => r.Model), last.Average(r => r.Persistence));
        }
        var groups = new List<ScoreGroup> { new(evaluation.Split, evaluation.Cases, evaluation.Model, evaluation.Persistence, chamfer, chamferPersistence) };
        // CFDBench cases are named subset/caseNNNN: where the test cases come from several subsets, each subset's are scored apart too.
        var subsets = evaluation.PerCase.GroupBy(c => c.Case.Split('/')[0]).ToList();
        if (config.Data.Format == "cfdbench" && subsets.Count > 1)
            foreach (var subset in subsets.OrderBy(s => config.Data.Subsets.IndexOf(s.Key)))
            {
                var (model, persistence) = RolloutMetrics.Mean(subset.ToList());
                groups.Add(new ScoreGroup($"{evaluation.Split}/{subset.Key}", subset.Count(), model, persistence));
            }
        return new RunScore(problem, entry, seed, config.Model.Name, objective, parameters, steps, seconds, trainStep, evaluation.RolloutStepSeconds, peak, groups, null);
    }
}
