using System.Diagnostics;
using GnnSim.Datasets.Particles;
using GnnSim.Graph;
using GnnSim.Operators.Particles;
using GnnSim.Torch;
using GnnSim.Training.Data;
using GnnSim.Training.Objectives;

namespace GnnSim.Training.Evaluation;

/// <summary>
/// Autoregressive rollout of a particle simulator: from the true positions of the C + 1 frames up to
/// the start frame, each predicted frame becomes the newest input of the next step, the radius graph
/// rebuilt from it; kinematic particles are put where the data has them (GNS's rollout does the same).
/// The result is a <see cref="RolloutResult"/> whose state is the positions, so the rollout file,
/// the position MSE per horizon beside persistence (particles held still) and the plots are the
/// ones mesh rollouts use.
/// </summary>
public static class ParticleRollout
{
    /// <summary>The state fields of a particle rollout: the positions.</summary>
    public static readonly IReadOnlyList<string> Fields = ["position_x", "position_y"];

    /// <summary>The case parameters that carry the particles' box into the rollout file (x low, x high, y low, y high), for the plots.</summary>
    public static readonly IReadOnlyList<string> BoxParameters = ["box_x_min", "box_x_max", "box_y_min", "box_y_max"];

    /// <summary>Whether a stored rollout is a particle rollout (its state the positions of moving points, no cells, no grid).</summary>
    public static bool IsParticleRollout(StoredRollout rollout) =>
        rollout.Cells is null && rollout.GridShape is null && rollout.PredictedPositions is not null && rollout.Fields.SequenceEqual(Fields);

    /// <summary>
    /// Rolls out from <paramref name="startFrame"/>, raised to C where the history would reach before
    /// frame 0, for <paramref name="steps"/> steps (null or 0: to the end). A sparse objective rolls
    /// out its sample of the particles, drawn once at the start frame from <paramref name="seed"/>;
    /// when the operator has a neural field the result is the whole cloud, reconstructed at every
    /// frame from the sample with the start frame as the reference (its query points), else the sample.
    /// </summary>
    public static RolloutResult Run(LearnedSimulator simulator, ParticleTrajectory trajectory, int startFrame = 0, int? steps = null, Device? device = null, int seed = 0)
    {
        var objective = simulator.ObjectiveAs<ParticleDynamicsObjective>();
        objective.CheckFits(trajectory);
        var whole = trajectory;
        if (objective.IsSparse)
        {
            var first = Math.Clamp(Math.Max(startFrame, objective.Options.VelocityHistory), 0, trajectory.FrameCount - 1);
            trajectory = trajectory.Select(objective.SampleParticles(trajectory.Frame(first), trajectory.ParticleCount, new Random(seed)));
        }
        var field = objective.IsSparse ? simulator.Model as INeuralFieldDecoder : null;
        if (trajectory.Dimension != 2) throw new ArgumentException($"{trajectory.Name}: rollout files and plots hold 2D particles, this trajectory is {trajectory.Dimension}D");
        var c = objective.Options.VelocityHistory;
        var start = Math.Max(startFrame, c);
        var available = trajectory.FrameCount - 1 - start;
        if (available < 1)
            throw new ArgumentException($"{trajectory.Name}: starting at frame {start} with {c} past velocities leaves nothing to roll out ({trajectory.FrameCount} frames)");
        var count = steps is > 0 ? Math.Min(steps.Value, available) : available;
        var frameSize = trajectory.ParticleCount * 2;
        var truth = new float[(count + 1) * frameSize];
        var prediction = new float[(count + 1) * frameSize];
        for (var s = 0; s <= count; s++) trajectory.Frame(start + s).CopyTo(truth.AsSpan(s * frameSize, frameSize));
        trajectory.Frame(start).CopyTo(prediction.AsSpan(0, frameSize));

        using var particles = ParticleTensors.Create(trajectory, device);
        using var noGrad = torch.no_grad();
        var wasTraining = simulator.training;
        simulator.eval();
        using var dynamic = particles.Dynamic.unsqueeze(1);
        var history = particles.History(start, c).clone();
        var stepSeconds = new double[count];
        try
        {
            for (var s = 1; s <= count; s++)
            {
                var clock = Stopwatch.StartNew();
                using var scope = torch.NewDisposeScope();
                var next = objective.NextPositions(simulator.Model, particles, history);
                next = torch.where(dynamic, next, particles.At(start + s));
                next.cpu().ToArray<float>().CopyTo(prediction.AsSpan(s * frameSize, frameSize));
                var shifted = torch.cat([history.narrow(0, 1, c), next.unsqueeze(0)]);
                history.Dispose();
                history = shifted.DetachFromDisposeScope();
                stepSeconds[s - 1] = clock.Elapsed.TotalSeconds;
            }
        }
        finally
        {
            history.Dispose();
            simulator.train(wasTraining);
        }
        if (field is null)
            return new RolloutResult(View(trajectory), start, count, truth, prediction) { TruthPositions = truth, PredictedPositions = prediction, StepSeconds = stepSeconds };
        return Reconstructed(simulator, objective, field, whole, trajectory, start, count, prediction, stepSeconds, device);
    }

    /// <summary>
    /// The whole cloud of <paramref name="whole"/> at every frame, from the sample's predicted positions by the neural field;
    /// each step's reconstruction time is added to <paramref name="stepSeconds"/> (a step answers for every particle).
    /// </summary>
    static RolloutResult Reconstructed(LearnedSimulator simulator, ParticleDynamicsObjective objective, INeuralFieldDecoder field, ParticleTrajectory whole,
        ParticleTrajectory sample, int start, int count, float[] sampleFrames, double[] stepSeconds, Device? device)
    {
        var n = whole.ParticleCount;
        var frameSize = n * 2;
        var truth = new float[(count + 1) * frameSize];
        var prediction = new float[(count + 1) * frameSize];
        for (var s = 0; s <= count; s++) whole.Frame(start + s).CopyTo(truth.AsSpan(s * frameSize, frameSize));
        whole.Frame(start).CopyTo(prediction.AsSpan(0, frameSize));
        using var noGrad = torch.no_grad();
        var wasTraining = simulator.training;
        simulator.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            var d = device ?? Device.CPU;
            var denseReference = torch.tensor(whole.Frame(start).ToArray(), n, 2).to(d);
            var sampleSize = sample.ParticleCount * 2;
            var sparseReference = torch.tensor(sampleFrames.AsSpan(0, sampleSize).ToArray(), sample.ParticleCount, 2).to(d);
            var kinematic = torch.tensor(whole.ParticleTypes.Select(t => t == GnsParticleTypes.Kinematic).ToArray(), n).to(d).unsqueeze(1);
            for (var s = 1; s <= count; s++)
            {
                var clock = Stopwatch.StartNew();
                using var step = torch.NewDisposeScope();
                var sparse = torch.tensor(sampleFrames.AsSpan(s * sampleSize, sampleSize).ToArray(), sample.ParticleCount, 2).to(d);
                var dense = objective.Reconstruct(field, sparseReference, sparse, denseReference);
                var truthFrame = torch.tensor(truth.AsSpan(s * frameSize, frameSize).ToArray(), n, 2).to(d);
                torch.where(kinematic, truthFrame, dense).cpu().ToArray<float>().CopyTo(prediction.AsSpan(s * frameSize, frameSize));
                stepSeconds[s - 1] += clock.Elapsed.TotalSeconds;
            }
        }
        finally
        {
            simulator.train(wasTraining);
        }
        return new RolloutResult(View(whole), start, count, truth, prediction)
        {
            TruthPositions = truth, PredictedPositions = prediction, QueryPoints = whole.Frame(start).ToArray(), StepSeconds = stepSeconds,
        };
    }

    /// <summary>
    /// The trajectory as a <see cref="SimulationTrajectory"/> with no edges and the positions as its
    /// state: moving particles are NORMAL nodes (the scored ones), kinematic ones HANDLE (DeepMind's
    /// code for nodes a script moves).
    /// </summary>
    public static SimulationTrajectory View(ParticleTrajectory trajectory)
    {
        var n = trajectory.ParticleCount;
        var types = trajectory.ParticleTypes.Select(t => t == GnsParticleTypes.Kinematic ? (int)NodeType.Handle : (int)NodeType.Normal).ToArray();
        var parameters = new Dictionary<string, double>(trajectory.Parameters)
        {
            [BoxParameters[0]] = trajectory.Bounds[0], [BoxParameters[1]] = trajectory.Bounds[1],
            [BoxParameters[2]] = trajectory.Bounds[2], [BoxParameters[3]] = trajectory.Bounds[3],
        };
        return new SimulationTrajectory(trajectory.Name, new SparseGraph(n, [], []), trajectory.Frame(0).ToArray(), types, Fields, trajectory.Positions, [], trajectory.Dt)
        {
            CaseParameters = parameters,
        };
    }
}
