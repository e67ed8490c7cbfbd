namespace GnnSim.Operators.Tests;

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
        using var model = Experiment.CreateModel(config, trajectory);
        // Untrained, with target statistics that scale its output up: predictions are far from the truth everywhere.
        using (var scope = torch.NewDisposeScope())
            model.TargetNormalizer.forward(torch.randn(100, 2) * 10, accumulate: true);
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
            using var model = Experiment.CreateModel(Samples.SmallConfig(1), trajectory);
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

            File.WriteAllText(Path.Combine(directory, "not.h5"), "text");
            Assert.Throws<InvalidDataException>(() => RolloutFile.Read(Path.Combine(directory, "not.h5")));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
