using GnnSim.Operators.MeshGraphNets;

namespace GnnSim.Training.Tests;

public class ObjectiveTests
{
    [Fact]
    public void NormalizerStatisticsMatchADirectComputation()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var normalizer = new OnlineNormalizer(3, maxAccumulations: 2);
        var batches = new[] { torch.randn(50, 3) * 4 + 2, torch.randn(30, 3) * 0.5 - 1, torch.randn(20, 3) * 100 };
        foreach (var batch in batches) normalizer.forward(batch, accumulate: true);
        Assert.Equal(2, normalizer.Accumulations); // the third batch came after the limit and was not counted

        var seen = torch.cat([batches[0], batches[1]]).@double();
        var mean = seen.mean(0);
        var std = seen.var(0, unbiased: false).sqrt();
        Samples.AssertClose(mean.ToArray<double>(), normalizer.Mean().@double().ToArray<double>(), 1e-5);
        Samples.AssertClose(std.ToArray<double>(), normalizer.Std().@double().ToArray<double>(), 1e-5);

        var x = torch.randn(7, 3);
        var roundTrip = normalizer.Inverse(normalizer.forward(x, accumulate: false));
        Samples.AssertClose(x.@double().ToArray<double>(), roundTrip.@double().ToArray<double>(), 1e-4);
    }

    [Fact]
    public void StaticFeaturesAreOneHotTypesAndParametersAndEdgesAreRelativePositions()
    {
        using var scope = torch.NewDisposeScope();
        // Two triangles: 0 (0,0) NORMAL, 1 (1,0) WALL, 2 (0,1) INFLOW, 3 (1,1) OUTFLOW.
        var graph = MeshEdges.FromCells([0, 1, 2, 1, 3, 2], 3, 4);
        var trajectory = new SimulationTrajectory("square", graph, [0, 0, 1, 0, 0, 1, 1, 1],
            [(int)NodeType.Normal, (int)NodeType.WallBoundary, (int)NodeType.Inflow, (int)NodeType.Outflow],
            ["u"], [0, 0, 0, 0, 1, 1, 1, 1], [2.5f, -1f], 0.1);
        using var tensors = TrajectoryTensors.Create(trajectory);

        var features = tensors.StaticNodeFeatures.ToArray<float>();
        Assert.Equal([4L, 11L], tensors.StaticNodeFeatures.shape);
        int[] expectedType = [0, 6, 4, 5];
        for (var node = 0; node < 4; node++)
        {
            for (var code = 0; code < 9; code++) Assert.Equal(code == expectedType[node] ? 1f : 0f, features[node * 11 + code]);
            Assert.Equal(2.5f, features[node * 11 + 9]);
            Assert.Equal(-1f, features[node * 11 + 10]);
        }
        Assert.Equal([true, false, false, true], tensors.PredictedMask.ToArray<bool>());

        // 5 undirected sides, both directions; every edge carries x_s - x_r and its length.
        Assert.Equal(10, graph.EdgeCount);
        var edgeFeatures = tensors.EdgeFeatures.ToArray<float>();
        for (var e = 0; e < graph.EdgeCount; e++)
        {
            int s = graph.Senders[e], r = graph.Receivers[e];
            float dx = trajectory.Positions[2 * s] - trajectory.Positions[2 * r], dy = trajectory.Positions[2 * s + 1] - trajectory.Positions[2 * r + 1];
            Assert.Equal(dx, edgeFeatures[3 * e], 6);
            Assert.Equal(dy, edgeFeatures[3 * e + 1], 6);
            Assert.Equal(MathF.Sqrt(dx * dx + dy * dy), edgeFeatures[3 * e + 2], 6);
        }
    }

    [Fact]
    public void NormalizerCentresButDoesNotScaleAConstantFeature()
    {
        using var scope = torch.NewDisposeScope();
        using var normalizer = new OnlineNormalizer(3);
        // Column 0 constant at 3, column 1 never nonzero (a node type absent from training), column 2 varies.
        var seen = torch.cat([torch.full([10, 1], 3.0), torch.zeros(10, 1), torch.randn(10, 1)], 1);
        normalizer.forward(seen, accumulate: true);
        var std = normalizer.Std().ToArray<float>();
        Assert.Equal(1f, std[0]);
        Assert.Equal(1f, std[1]);
        Assert.NotEqual(1f, std[2]);
        // A value one float step from the constant stays one float step from zero (DeepMind's floor of 1e-8 made it 24).
        var probe = torch.tensor(new[] { MathF.BitIncrement(3f), 1f, 0f }, 1, 3);
        var normalized = normalizer.forward(probe, accumulate: false).ToArray<float>();
        Assert.True(Math.Abs(normalized[0]) < 1e-5, $"got {normalized[0]}");
        Assert.Equal(1f, normalized[1], 6);
    }

    [Fact]
    public void AModelTrainedOnOneViscosityTakesAnotherWithoutBlowingUp()
    {
        // As a bc-only CFDBench run meets prop cases: the parameter column was constant in training.
        var directory = Samples.TemporaryDirectory();
        try
        {
            var config = Samples.SmallConfig(steps: 20);
            using var run = Samples.StartRun(config, [Samples.Swirl(parameter: 0.5f)], directory);
            run.Trainer.Run();
            var other = Samples.Swirl(name: "prop", parameter: 3.5f);
            var objective = run.Simulator.ObjectiveAs<NextStateObjective>();
            using var scope = torch.NewDisposeScope();
            using var tensors = TrajectoryTensors.Create(other);
            var inputs = objective.Inputs([(tensors, tensors.State(0))], accumulate: false).NodeInputs.ToArray<float>();
            var width = objective.Widths.NodeInputs;
            // The parameter is the last input column: 3.5 - 0.5, not (3.5 - 0.5) / 1e-8.
            Assert.Equal(3.0f, inputs[width - 1], 4);
            Assert.True(inputs.All(float.IsFinite) && inputs.Max(Math.Abs) < 100, $"inputs reach {inputs.Max(Math.Abs)}");
            var rollout = Rollout.Run(run.Simulator, other);
            Assert.True(rollout.Prediction.All(float.IsFinite));
            Assert.True(rollout.Prediction.Max(Math.Abs) < 10, $"the rollout reaches {rollout.Prediction.Max(Math.Abs)}");
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    /// <summary>An operator that predicts zero change and keeps the node inputs it was given.</summary>
    private sealed class RecordingOperator : GraphOperator
    {
        private readonly Tensor scale;

        public RecordingOperator(OperatorWidths widths) : base(widths) => scale = RegisterParameter("scale", torch.zeros(1));

        public List<float[]> Inputs { get; } = [];

        public override Tensor forward(OperatorBatch batch)
        {
            Inputs.Add(batch.NodeInputs.detach().ToArray<float>());
            return torch.zeros(batch.NodeCount, Widths.Outputs) * scale;
        }
    }

    private static NextStateObjective Objective(SimulationTrajectory t, double noise = 0, int pushforward = 0, int unroll = 1, string loss = NextStateObjective.MseLoss) =>
        new(t.FieldCount, t.Parameters.Length, new NextStateOptions(noise, pushforward, unroll, loss));

    [Fact]
    public void NoiseTouchesTheStateOfNormalNodesOnly()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var trajectory = Samples.Swirl();
        using var objective = Objective(trajectory, noise: 0.1);
        using var model = new RecordingOperator(objective.Widths);
        using var data = objective.Prepare([trajectory]);
        data.Loss(model, [2]);
        var (_, frame) = data.Sample(2);
        using var tensors = TrajectoryTensors.Create(trajectory);
        var clean = objective.Inputs([(tensors, tensors.State(frame))], accumulate: false).NodeInputs.ToArray<float>();
        var noisy = Assert.Single(model.Inputs);
        var width = objective.Widths.NodeInputs;
        int perturbedNormal = 0;
        for (var n = 0; n < trajectory.NodeCount; n++)
        for (var c = 0; c < width; c++)
        {
            var moved = Math.Abs(noisy[n * width + c] - clean[n * width + c]) > 1e-6;
            var expected = trajectory.NodeTypes[n] == (int)NodeType.Normal && c < trajectory.FieldCount;
            if (!expected) Assert.False(moved, $"node {n} ({(NodeType)trajectory.NodeTypes[n]}) column {c} moved");
            else if (moved) perturbedNormal++;
        }
        Assert.Equal(trajectory.NodeTypes.Count(t => t == (int)NodeType.Normal) * trajectory.FieldCount, perturbedNormal);
    }

    [Fact]
    public void PushforwardTrainsOnFrameTPlusKPlusOne()
    {
        using var scope = torch.NewDisposeScope();
        var trajectory = Samples.Swirl(frames: 6);
        const int k = 2;
        using var objective = Objective(trajectory, pushforward: k);
        using var model = new RecordingOperator(objective.Widths);
        using var data = objective.Prepare([trajectory]);
        Assert.Equal(6 - (k + 1), data.Count);
        var loss = data.Loss(model, [1]).item();
        Assert.Equal((0, 1), data.Sample(1));
        // The model predicts no change: pushed k steps, predicted nodes still hold frame 1, the others frame 1 + k.
        using var tensors = TrajectoryTensors.Create(trajectory);
        var predicted = tensors.PredictedMask.unsqueeze(1);
        var state = torch.where(predicted, tensors.State(1), tensors.State(1 + k));
        double LossAgainst(int frame) => Losses.MaskedMse(torch.zeros(trajectory.NodeCount, 2),
            objective.TargetNormalizer.forward(tensors.State(frame) - state, accumulate: false), tensors.PredictedMask).item();
        Assert.Equal(LossAgainst(1 + k + 1), loss, 6);
        Assert.NotEqual(LossAgainst(1 + k), loss, 3);
    }

    [Fact]
    public void RandomPushforwardTrainsAfterEveryCountFromZeroToK()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        var trajectory = Samples.Swirl(frames: 6);
        const int k = 2;
        using var objective = new NextStateObjective(trajectory.FieldCount, trajectory.Parameters.Length, new NextStateOptions(0, k, 1, RandomPushforward: true));
        using var model = new RecordingOperator(objective.Widths);
        using var data = objective.Prepare([trajectory]);
        // The windows are sized for the longest push-forward.
        Assert.Equal(6 - (k + 1), data.Count);
        using var tensors = TrajectoryTensors.Create(trajectory);
        var predicted = tensors.PredictedMask.unsqueeze(1);
        // The model predicts no change: pushed j steps from frame 1, predicted nodes still hold frame 1,
        // the others frame 1 + j, and the loss is against frame 1 + j + 1.
        double LossAfter(int j)
        {
            var state = torch.where(predicted, tensors.State(1), tensors.State(1 + j));
            return Losses.MaskedMse(torch.zeros(trajectory.NodeCount, 2),
                objective.TargetNormalizer.forward(tensors.State(1 + j + 1) - state, accumulate: false), tensors.PredictedMask).item();
        }
        var drawn = new int[k + 1];
        for (var draw = 0; draw < 30; draw++)
        {
            var loss = data.Loss(model, [1]).item();
            // The normalizer has just taken this loss's statistics: the candidates are computed with them.
            var candidates = Enumerable.Range(0, k + 1).Select(LossAfter).ToArray();
            var matches = Enumerable.Range(0, k + 1).Where(j => Math.Abs(candidates[j] - loss) <= 1e-6 * Math.Max(1, loss)).ToList();
            Assert.True(matches.Count == 1, $"draw {draw}: loss {loss} against {string.Join(", ", candidates)}");
            drawn[matches[0]]++;
        }
        Assert.All(drawn, count => Assert.True(count > 0, $"push-forward counts drawn: {string.Join(", ", drawn)}"));

        // The config's key reaches the objective, and a draw from nothing is refused.
        var config = Experiments.ExperimentConfig.Parse("training: { pushforward_steps: 3, random_pushforward: true }", "a.yaml");
        using var configured = Experiments.Experiment.CreateObjective(config, trajectory);
        Assert.True(configured.Options.RandomPushforward);
        var error = Assert.Throws<InvalidDataException>(() => Experiments.ExperimentConfig.Parse("training: { random_pushforward: true }", "a.yaml"));
        Assert.Contains("a.yaml: training.random_pushforward", error.Message);
    }

    [Fact]
    public void UnrolledLossIsTheSumOfItsOneStepLosses()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var trajectory = Samples.Swirl(frames: 6);
        foreach (var lossName in new[] { NextStateObjective.MseLoss, NextStateObjective.RelativeL2Loss })
        {
            using var objective = Objective(trajectory, unroll: 3, loss: lossName);
            using var model = new MeshGraphNet(objective.Widths, new MeshGraphNetOptions { Latent = 8, MessagePassingSteps = 1, HiddenLayers = 1 });
            using var data = objective.Prepare([trajectory]);
            var loss = data.Loss(model, [1]).item();

            // By hand: three steps from frame 1, each fed the last prediction (boundaries reset to the truth).
            using var tensors = TrajectoryTensors.Create(trajectory);
            var mask = tensors.PredictedMask;
            var state = tensors.State(1);
            var batch = torch.zeros([trajectory.NodeCount], ScalarType.Int64);
            double sum = 0;
            for (var j = 1; j <= 3; j++)
            {
                var truth = tensors.State(1 + j);
                var change = model.forward(objective.Inputs([(tensors, state)], accumulate: false));
                var next = state + objective.TargetNormalizer.Inverse(change);
                sum += lossName == NextStateObjective.MseLoss
                    ? Losses.MaskedMse(change, objective.TargetNormalizer.forward(truth - state, accumulate: false), mask).item()
                    : Losses.RelativeL2(next, truth, mask, batch, 1).item();
                state = torch.where(mask.unsqueeze(1), next, truth);
            }
            Assert.True(Math.Abs(sum - loss) <= 1e-5 * Math.Abs(sum), $"{lossName}: unrolled {loss} vs summed {sum}");
        }
    }

    [Fact]
    public void FiveUnrolledPhysGtoStepsSumTheirLossesAndDetachingCutsOnlyTheGradient()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var trajectory = Samples.Swirl(frames: 8);
        var options = new Operators.GraphTransformers.PhysGtoOptions { Width = 8, Blocks = 1, Heads = 2, Tokens = 3, Frequencies = 2, Hidden = 8 };
        double[] Gradient(GraphOperator model)
        {
            var gradients = model.parameters().Select(p => p.grad?.flatten().ToArray<float>() ?? []).SelectMany(g => g).Select(g => (double)g).ToArray();
            foreach (var p in model.parameters()) p.grad?.zero_();
            return gradients;
        }
        var results = new List<(double Loss, double[] Gradient)>();
        using var model = new Operators.GraphTransformers.PhysGto(Objective(trajectory, unroll: 5, loss: NextStateObjective.RelativeL2Loss).Widths, options);
        foreach (var detach in new[] { false, true })
        {
            using var objective = new NextStateObjective(trajectory.FieldCount, trajectory.Parameters.Length, new NextStateOptions(0, 0, 5, NextStateObjective.RelativeL2Loss, detach, NextStateObjective.StateUnits));
            using var data = objective.Prepare([trajectory]);
            var loss = data.Loss(model, [1]);
            loss.backward();
            results.Add((loss.item(), Gradient(model)));

            // By hand: five steps from frame 1, each fed the last prediction (boundaries reset to the truth) at its own time.
            using var noGrad = torch.no_grad();
            using var tensors = TrajectoryTensors.Create(trajectory);
            var mask = tensors.PredictedMask;
            var state = tensors.State(1);
            var batch = torch.zeros([trajectory.NodeCount], ScalarType.Int64);
            double sum = 0;
            for (var j = 1; j <= 5; j++)
            {
                var truth = tensors.State(1 + j);
                var next = objective.NextState(model, tensors, state, frame: j);
                sum += Losses.RelativeL2(next, truth, mask, batch, 1).item();
                state = torch.where(mask.unsqueeze(1), next, truth);
            }
            Assert.True(Math.Abs(sum - loss.item()) <= 1e-5 * Math.Abs(sum), $"detach {detach}: unrolled {loss.item()} vs summed {sum}");
        }
        // The same loss; the gradient through the steps differs from the one stopped at each step.
        Assert.Equal(results[0].Loss, results[1].Loss, 6);
        Assert.True(results[0].Gradient.Zip(results[1].Gradient).Max(g => Math.Abs(g.First - g.Second)) > 1e-6);
    }

    [Fact]
    public void InStateUnitsTheOperatorPredictsTheStepOfTheNormalizedState()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var trajectory = Samples.Swirl(frames: 4);
        using var objective = new NextStateObjective(trajectory.FieldCount, trajectory.Parameters.Length, new NextStateOptions(ChangeScale: NextStateObjective.StateUnits));
        using var tensors = TrajectoryTensors.Create(trajectory);
        // Statistics far from (0, 1), so that the units show.
        var state = tensors.State(1) * 7 + 3;
        var next = tensors.State(2) * 7 + 3;
        objective.Inputs([(tensors, state)], accumulate: true);
        objective.Inputs([(tensors, next)], accumulate: true);

        // (s' - mean) / std - (s - mean) / std, the normalizer's own columns of the state.
        var normalizedNext = objective.NodeNormalizer.forward(Raw(tensors, next), accumulate: false);
        var normalizedState = objective.NodeNormalizer.forward(Raw(tensors, state), accumulate: false);
        var expected = (normalizedNext - normalizedState).narrow(1, 0, trajectory.FieldCount);
        var change = objective.NormalizedChange(next - state, accumulate: false);
        Assert.True((change - expected).abs().max().item() < 1e-5, "state units are the normalized state's step");
        Assert.True((objective.Change(change) - (next - state)).abs().max().item() < 1e-4, "Change inverts NormalizedChange");
        // The change normalizer would have scaled it to order one; in state units it keeps its size.
        var changeUnits = objective.TargetNormalizer.forward(next - state, accumulate: false);
        Assert.NotEqual(changeUnits.abs().mean().item(), change.abs().mean().item(), 2);

        static Tensor Raw(TrajectoryTensors graph, Tensor s) => graph.Graph(s).NodeInputs;
    }

    [Fact]
    public void RelativeL2IsPerGraphThenAveraged()
    {
        using var scope = torch.NewDisposeScope();
        // Graph 0: nodes 0, 1 (node 1 masked out); graph 1: node 2. One field.
        var prediction = torch.tensor(new float[] { 1, 50, 6 }, 3, 1);
        var truth = torch.tensor(new float[] { 2, 0, 3 }, 3, 1);
        var mask = torch.tensor(new[] { true, false, true }, 3);
        var batch = torch.tensor(new long[] { 0, 0, 1 }, 3);
        // |1 - 2| / |2| = 0.5 and |6 - 3| / |3| = 1.
        Assert.Equal(0.75, Losses.RelativeL2(prediction, truth, mask, batch, 2).item(), 6);
    }

    [Fact]
    public void WindowSamplerCoversEveryWindowOnce()
    {
        var sampler = new WindowSampler([4, 2, 5], window: 1);
        Assert.Equal(3 + 1 + 4, sampler.Count);
        var all = Enumerable.Range(0, (int)sampler.Count).Select(i => sampler[i]).ToList();
        Assert.Equal([(0, 0), (0, 1), (0, 2), (1, 0), (2, 0), (2, 1), (2, 2), (2, 3)], all);
        Assert.Equal(5, new WindowSampler([4, 1], window: 0).Count); // single frames
        Assert.Throws<ArgumentException>(() => new WindowSampler([3], window: 3));
    }
}
