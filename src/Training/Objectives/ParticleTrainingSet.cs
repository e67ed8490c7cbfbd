using GnnSim.Datasets.Particles;
using GnnSim.Operators;
using GnnSim.Operators.Particles;
using GnnSim.Torch;
using GnnSim.Training.Data;

namespace GnnSim.Training.Objectives;

/// <summary>
/// Particle training samples, as GNS draws them: a window of C + 2 frames of one trajectory, the
/// first C + 1 the inputs and the last the target. The inputs get random-walk noise (moving
/// particles only); the target acceleration is taken from the noisy inputs and the true next
/// positions shifted by the newest input's noise, so the model learns to undo the noise's velocity
/// error while it keeps the noisy position. The loss is GNS's: the squared error of the normalized
/// acceleration summed over axes, averaged over the moving particles of the batch. A sparse
/// objective draws a new sample of particles for every sample; when the operator has a neural field
/// (<see cref="INeuralFieldDecoder"/>) the loss adds, weighted, the squared error (over the radius
/// squared) of the whole cloud reconstructed from the sample's true positions at the newest input frame.
/// </summary>
public sealed class ParticleTrainingSet : ITrainingSet
{
    private readonly ParticleDynamicsObjective objective;
    private readonly List<ParticleTensors> trajectories = [];
    private readonly WindowSampler sampler;

    internal ParticleTrainingSet(ParticleDynamicsObjective objective, IReadOnlyList<ParticleTrajectory> training, Device? device)
    {
        this.objective = objective;
        if (training.Count == 0) throw new ArgumentException("no training trajectories");
        var window = objective.InputFrames;
        foreach (var t in training)
        {
            objective.CheckFits(t);
            if (t.FrameCount < window + 1)
                throw new InvalidDataException($"{t.Name}: {t.FrameCount} frames, training with {objective.Options.VelocityHistory} past velocities needs at least {window + 1}");
            if (t.ParticleTypes.All(type => type == GnsParticleTypes.Kinematic))
                throw new InvalidDataException($"{t.Name}: every particle is kinematic: nothing to train on");
        }
        sampler = new WindowSampler(training.Select(t => t.FrameCount).ToList(), window);
        try
        {
            foreach (var t in training) trajectories.Add(ParticleTensors.Create(t, device));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public long Count => sampler.Count;

    /// <summary>The trajectory and first input frame of a sample.</summary>
    public (int Trajectory, int Frame) Sample(long index) => sampler[index];

    public Tensor Loss(GraphOperator model, IReadOnlyList<long> samples)
    {
        var c = objective.Options.VelocityHistory;
        var graphs = new List<OperatorGraph>(samples.Count);
        var targets = new List<Tensor>(samples.Count);
        var dynamic = new List<Tensor>(samples.Count);
        var sparse = new List<ParticleTensors>();
        var reconstructions = new List<Tensor>();
        var field = objective.IsSparse && objective.Options.ReconstructionWeight > 0 ? model as INeuralFieldDecoder : null;
        try
        {
            foreach (var index in samples)
            {
                var (trajectory, frame) = sampler[index];
                var particles = trajectories[trajectory];
                if (objective.IsSparse)
                {
                    // A new sample of particles every time, from a generator seeded by libtorch's: runs and resumes draw alike.
                    var random = new Random(torch.random_int(int.MaxValue));
                    particles = particles.Select(objective.SampleParticles(particles.Trajectory.Frame(frame + c), particles.ParticleCount, random));
                    sparse.Add(particles);
                }
                var history = particles.History(frame + c, c);
                var noise = objective.RandomWalkNoise(particles.ParticleCount, history.device) * particles.Dynamic.unsqueeze(1).@float();
                var noisy = history + noise;
                graphs.Add(objective.Graph(particles, noisy));
                var newestNoise = noise.narrow(0, c, 1).squeeze(0);
                var newest = noisy.narrow(0, c, 1).squeeze(0);
                var before = noisy.narrow(0, c - 1, 1).squeeze(0);
                var acceleration = particles.At(frame + c + 1) + newestNoise - newest * 2.0 + before;
                targets.Add(objective.NormalizedAcceleration(acceleration));
                dynamic.Add(particles.Dynamic);
                if (field is null) continue;
                // The neural field: the whole cloud at the newest input frame from the sample's true positions, frame 0 the reference.
                var all = trajectories[trajectory];
                var dense = objective.Reconstruct(field, particles.At(0), particles.At(frame + c), all.At(0));
                reconstructions.Add((dense - all.At(frame + c)).square().sum(1).mean() / (objective.GraphRadius * objective.GraphRadius));
            }
            var batch = OperatorBatch.Combine(graphs);
            var prediction = model.forward(batch);
            var loss = Losses.MaskedMse(prediction, Cat(targets), Cat(dynamic));
            if (reconstructions.Count == 0) return loss;
            return loss + torch.stack(reconstructions).mean() * objective.Options.ReconstructionWeight;
        }
        finally
        {
            foreach (var set in sparse) set.Dispose();
        }
    }

    private static Tensor Cat(List<Tensor> parts) => parts.Count == 1 ? parts[0] : torch.cat(parts);

    public void Dispose()
    {
        foreach (var t in trajectories) t.Dispose();
    }
}
