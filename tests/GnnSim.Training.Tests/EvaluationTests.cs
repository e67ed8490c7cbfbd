namespace GnnSim.Training.Tests;

public class EvaluationTests
{
    [Fact]
    public void MetricsFollowTheirDefinitionsOnHandValues()
    {
        // Two nodes (the second masked out), one field, two steps after the start frame.
        float[] truth = [9, 9, /* step 1 */ 1, 100, /* step 2 */ 2, 100];
        float[] prediction = [9, 9, /* step 1 */ 2, 0, /* step 2 */ 0, 0];
        var errors = RolloutMetrics.Errors(prediction, truth, [true, false], 1, [1, 2]);
        // step 1: error 1; steps 1..2: errors 1 and -2.
        Assert.Equal(1.0, errors[0].Mse, 12);
        Assert.Equal(1.0, errors[0].Mae, 12);
        Assert.Equal(1.0, errors[0].Nmse, 12); // 1 / mean(1^2)
        Assert.Equal(2.5, errors[1].Mse, 12); // (1 + 4) / 2
        Assert.Equal(Math.Sqrt(2.5), errors[1].Rmse, 12);
        Assert.Equal(1.5, errors[1].Mae, 12);
        Assert.Equal(2.5 / 2.5, errors[1].Nmse, 12); // mean(truth^2) = (1 + 4) / 2
        Assert.Equal([1, 10, 20, 50, 100, 200, 250], RolloutMetrics.HorizonsFor(250));
        Assert.Equal([1, 7], RolloutMetrics.HorizonsFor(7));
    }

    [Fact]
    public void RolloutResetsTheBoundaryNodesToTheTruth()
    {
        var trajectory = Samples.Swirl(frames: 4);
        var config = Samples.SmallConfig(steps: 1);
        using var model = Experiment.CreateSimulator(config, trajectory);
        // Untrained, with target statistics that scale its output up: predictions are far from the truth everywhere.
        using (var scope = torch.NewDisposeScope())
            model.ObjectiveAs<NextStateObjective>().TargetNormalizer.forward(torch.randn(100, 2) * 10, accumulate: true);
        var rollout = Rollout.Run(model, trajectory);
        Assert.Equal(3, rollout.Steps);
        var mask = trajectory.PredictedNodes();
        int frameSize = trajectory.NodeCount * 2;
        double boundaryError = 0, interiorError = 0;
        for (var s = 1; s <= rollout.Steps; s++)
        for (var n = 0; n < trajectory.NodeCount; n++)
        for (var f = 0; f < 2; f++)
        {
            var i = s * frameSize + n * 2 + f;
            var error = Math.Abs(rollout.Prediction[i] - rollout.Truth[i]);
            if (mask[n]) interiorError = Math.Max(interiorError, error); else boundaryError = Math.Max(boundaryError, error);
        }
        Assert.Equal(0, boundaryError);
        Assert.True(interiorError > 0.1, $"the interior should carry the untrained model's error, got {interiorError}");
    }

    [Fact]
    public void RolloutFileRoundTrips()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var trajectory = Samples.Swirl(frames: 3);
            using var model = Experiment.CreateSimulator(Samples.SmallConfig(1), trajectory);
            var rollout = Rollout.Run(model, trajectory, startFrame: 1);
            var path = Path.Combine(directory, "rollout.h5");
            RolloutFile.Write(path, [rollout]);
            var stored = Assert.Single(RolloutFile.Read(path));
            Assert.Equal("swirl", stored.Case);
            Assert.Equal(1, stored.StartFrame);
            Assert.Equal(1, stored.Steps);
            Assert.Equal(["u", "v"], stored.Fields);
            Assert.Equal(rollout.Truth, stored.Truth);
            Assert.Equal(rollout.Prediction, stored.Prediction);
            Assert.Equal(trajectory.NodeTypes, stored.NodeTypes);
            Assert.Equal(trajectory.Cells, stored.Cells);

            Assert.Null(stored.PredictedPositions);
            Assert.Null(stored.QueryPoints);

            // Where nodes move (particles, moved meshes) their positions per frame travel along, and query points too.
            var frames = (rollout.Steps + 1) * trajectory.NodeCount * 2;
            var moving = rollout with
            {
                TruthPositions = Enumerable.Range(0, frames).Select(i => i * 0.5f).ToArray(),
                PredictedPositions = Enumerable.Range(0, frames).Select(i => i * 0.25f).ToArray(),
                QueryPoints = [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f],
            };
            var movingPath = Path.Combine(directory, "moving.h5");
            RolloutFile.Write(movingPath, [moving]);
            Assert.True(RolloutFile.IsRolloutFile(movingPath));
            var movingStored = Assert.Single(RolloutFile.Read(movingPath));
            Assert.Equal(moving.TruthPositions, movingStored.TruthPositions);
            Assert.Equal(moving.PredictedPositions, movingStored.PredictedPositions);
            Assert.Equal(moving.QueryPoints, movingStored.QueryPoints);

            File.WriteAllText(Path.Combine(directory, "not.h5"), "text");
            Assert.Throws<InvalidDataException>(() => RolloutFile.Read(Path.Combine(directory, "not.h5")));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void EvaluationAndTrainingLogsReadBackWhatWasWritten()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"gnnsim-eval-{Guid.NewGuid():N}");
        try
        {
            HorizonErrors Row(int h, double mse) => new(h, mse, Math.Sqrt(mse), mse / 2, double.NaN);
            var cases = new[]
            {
                new CaseMetrics("a", [Row(1, 1e-4), Row(5, 4e-4)], [Row(1, 1e-3), Row(5, 4e-3)]),
                new CaseMetrics("b", [Row(1, 3e-4), Row(5, 8e-4)], [Row(1, 3e-3), Row(5, 8e-3)]),
            };
            EvaluationReport.Write(directory, cases, "test", rolloutStepSeconds: 0.0125);
            var stored = EvaluationReport.Read(directory)!;
            Assert.Equal(("test", 2), (stored.Split, stored.Cases));
            Assert.Equal(0.0125, stored.RolloutStepSeconds);
            Assert.Equal(["a", "b"], stored.PerCase.Select(c => c.Case));
            Assert.Equal(8e-3, stored.PerCase[1].Persistence[1].Mse, 12);
            Assert.Equal([1, 5], stored.Model.Select(r => r.Horizon));
            Assert.Equal(2e-4, stored.Model[0].Mse, 12);
            Assert.Equal(6e-3, stored.Persistence[1].Mse, 12);
            Assert.True(double.IsNaN(stored.Model[0].Nmse));

            File.WriteAllText(Path.Combine(directory, TrainingLog.CsvFileName), "step,loss,learning_rate,steps_per_second,elapsed_seconds\n10,0.5,0.001,9.5,1.2\n20,NaN,0.001,9.4,2.3\n");
            var log = TrainingLog.Read(directory);
            Assert.Equal([10, 20], log.Select(e => e.Step));
            Assert.True(double.IsNaN(log[1].Loss));
            File.AppendAllText(Path.Combine(directory, TrainingLog.CsvFileName), "30,oops\n");
            var error = Assert.Throws<InvalidDataException>(() => TrainingLog.Read(directory));
            Assert.Contains(TrainingLog.CsvFileName, error.Message);
            Assert.Contains("line 4", error.Message);

            File.WriteAllText(Path.Combine(directory, EvaluationReport.JsonFileName), "{\"split\": \"test\"}");
            Assert.Contains(EvaluationReport.JsonFileName, Assert.Throws<InvalidDataException>(() => EvaluationReport.Read(directory)).Message);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
