using GnnSim.Datasets.Particles;
using GnnSim.Graph;
using GnnSim.Operators;
using GnnSim.Operators.Particles;
using GnnSim.Torch;
using GnnSim.Training.Data;

namespace GnnSim.Training.Objectives;

/// <summary>How particle training runs (the <c>training:</c> and <c>data:</c> keys it reads).</summary>
/// <param name="ConnectivityRadius">particles closer than this are connected (GNS's metadata: default_connectivity_radius, 0.015 for WaterDrop)</param>
/// <param name="VelocityHistory">past velocities in the node inputs (GNS: 5, from 6 positions)</param>
/// <param name="NoiseStd">std of the random-walk noise on the input positions at the last input step (GNS: 6.7e-4 for water)</param>
/// <param name="ParticleFraction">the share of the particles the graph is built on (1: all, GNS; GIOROM: 0.06 to 0.33)</param>
/// <param name="Sampling">how the share is drawn: random, or farthest (farthest-point sampling from a random first particle)</param>
/// <param name="ReconstructionWeight">the weight of the neural field's dense-reconstruction loss, for sparse operators that have one (0: not trained)</param>
public sealed record ParticleDynamicsOptions(double ConnectivityRadius, int VelocityHistory = 5, double NoiseStd = 6.7e-4, double ParticleFraction = 1,
    string Sampling = ParticleDynamicsObjective.RandomSampling, double ReconstructionWeight = 1);

/// <summary>
/// Particle dynamics as GNS learns it (Sanchez-Gonzalez et al. 2020): the state is the particles'
/// positions, the last <c>C</c> + 1 of them; the graph connects particles within the connectivity
/// radius R of each other (and each to itself) and is rebuilt at every step from the newest
/// positions. Node inputs: the C velocities <c>p_t - p_(t-1)</c>, normalized by the data's velocity
/// statistics; the distances to the box's lower and upper walls over R, clipped to [-1, 1]; the
/// particle type one-hot. Edge inputs: <c>(p_s - p_r) / R</c> and its norm. The operator gives the
/// normalized acceleration <c>a = p_(t+1) - 2 p_t + p_(t-1)</c> (per step squared, dt = 1 as GNS);
/// the next positions come by semi-implicit Euler, <c>v = p_t - p_(t-1) + a</c>, <c>p_(t+1) = p_t + v</c>.
/// The statistics (buffers, saved as <c>objective.*</c>) are the training data's velocity and
/// acceleration means and stds over moving particles, as GNS's metadata.json holds them; the noise
/// widens the stds as GNS does (<c>sqrt(std^2 + noise^2)</c>). Kinematic particles are inputs only:
/// no noise, no loss, and a rollout moves them as the data does.
/// With a particle fraction below 1 (GIOROM's sparse graphs) the graph is built on a sample of the
/// particles, drawn anew for every training sample and once per rollout, within a radius widened to
/// the sample's spacing (<see cref="GraphRadius"/>, which also scales the wall distances and edges).
/// </summary>
public sealed class ParticleDynamicsObjective : TrainingObjective
{
    public const string ObjectiveName = "particle_dynamics";
    public const string RandomSampling = "random", FarthestSampling = "farthest";
    /// <summary>Wall distances over R are clipped to [-1, 1] (GNS's boundary_clamp_limit).</summary>
    const double WallClamp = 1.0;

    private readonly Tensor velocityMean, velocityStd, accelerationMean, accelerationStd;

    public ParticleDynamicsObjective(int dimension, ParticleDynamicsOptions options)
    {
        if (dimension is not (2 or 3)) throw new ArgumentException($"particles move in 2 or 3 dimensions, not {dimension}");
        if (!(options.ConnectivityRadius > 0) || double.IsInfinity(options.ConnectivityRadius) || options.VelocityHistory < 1 || !(options.NoiseStd >= 0)
            || !(options.ParticleFraction > 0 && options.ParticleFraction <= 1) || options.Sampling is not (RandomSampling or FarthestSampling) || !(options.ReconstructionWeight >= 0))
            throw new ArgumentException($"particle options out of range (radius > 0, at least one velocity, noise >= 0, fraction in (0, 1], random or farthest sampling): {options}");
        Dimension = dimension;
        Options = options;
        velocityMean = RegisterBuffer("velocity_mean", torch.zeros([dimension]));
        velocityStd = RegisterBuffer("velocity_std", torch.ones([dimension]));
        accelerationMean = RegisterBuffer("acceleration_mean", torch.zeros([dimension]));
        accelerationStd = RegisterBuffer("acceleration_std", torch.ones([dimension]));
    }

    public override string Name => ObjectiveName;
    public int Dimension { get; }
    public ParticleDynamicsOptions Options { get; }
    private int History => Options.VelocityHistory;

    /// <summary>
    /// The radius the graph connects within: the connectivity radius, widened for a sparse sample
    /// by <c>fraction^(-1/D)</c> (the sample's spacing grows so), which keeps about as many neighbours.
    /// </summary>
    public double GraphRadius => Options.ConnectivityRadius * Math.Pow(Options.ParticleFraction, -1.0 / Dimension);

    /// <summary>Whether the graph is built on a sample of the particles, not on all.</summary>
    public bool IsSparse => Options.ParticleFraction < 1;

    /// <summary>
    /// The sample of the <paramref name="count"/> particles the graph is built on, drawn as the options say
    /// from <paramref name="random"/> (farthest-point sampling over <paramref name="positions"/>, [N, D]); all when not sparse.
    /// </summary>
    public int[] SampleParticles(ReadOnlySpan<float> positions, int count, Random random)
    {
        if (!IsSparse) return Enumerable.Range(0, count).ToArray();
        var size = Math.Max(1, (int)Math.Ceiling(Options.ParticleFraction * count));
        if (Options.Sampling == FarthestSampling)
        {
            var points = new double[positions.Length];
            for (var k = 0; k < points.Length; k++) points[k] = positions[k];
            return FarthestPointSampling.Select(points, Dimension, size, random.Next(count));
        }
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        var chosen = order[..size];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>Columns of node inputs that are the state: C velocities and 2 wall distances per axis; the type one-hot follows.</summary>
    public int StateInputs => (History + 2) * Dimension;

    public override OperatorWidths Widths => new(StateInputs + GnsParticleTypes.Count,
        new Dictionary<string, int> { [OperatorBatch.RadiusEdges] = Dimension + 1 }, Dimension, Dimension, StateInputs: StateInputs);

    /// <summary>Positions a step needs: the newest and the <c>C</c> before it.</summary>
    public int InputFrames => History + 1;

    /// <summary>
    /// Sets the velocity and acceleration statistics from the training trajectories' moving particles
    /// over all frames (what GNS's metadata.json records): per axis mean and std, float64 sums.
    /// </summary>
    public void FitStatistics(IReadOnlyList<ParticleTrajectory> trajectories)
    {
        var d = Dimension;
        double[] vSum = new double[d], vSquares = new double[d], aSum = new double[d], aSquares = new double[d];
        long vCount = 0, aCount = 0;
        foreach (var t in trajectories)
        {
            CheckFits(t);
            int n = t.ParticleCount, frame = n * d;
            var p = t.Positions;
            for (var f = 1; f < t.FrameCount; f++)
                for (var i = 0; i < n; i++)
                {
                    if (t.ParticleTypes[i] == GnsParticleTypes.Kinematic) continue;
                    for (var k = 0; k < d; k++)
                    {
                        var at = (long)f * frame + i * d + k;
                        double v = p[at] - p[at - frame];
                        vSum[k] += v;
                        vSquares[k] += v * v;
                        if (f + 1 >= t.FrameCount) continue;
                        double a = p[at + frame] - 2.0 * p[at] + p[at - frame];
                        aSum[k] += a;
                        aSquares[k] += a * a;
                    }
                    vCount++;
                    if (f + 1 < t.FrameCount) aCount++;
                }
        }
        if (aCount == 0) throw new InvalidDataException("the training trajectories have no moving particle over three frames: no accelerations to learn");
        float[] Mean(double[] sum, long count) => sum.Select(s => (float)(s / count)).ToArray();
        // An axis whose std is float32 rounding of the positions (at most 1e-6 of their largest magnitude) did not vary: its std is 0,
        // and the noise alone scales it (a free fall's accelerations are all g dt^2); with no noise either it is centred, not scaled.
        var rounding = 1e-6 * trajectories.Max(t => t.Positions.Max(v => Math.Abs(v)));
        float[] Std(double[] sum, double[] squares, long count) => sum.Select((s, k) =>
        {
            var mean = s / count;
            var std = Math.Sqrt(Math.Max(0, squares[k] / count - mean * mean));
            return (float)(std > Math.Max(rounding, OnlineNormalizer.AbsoluteConstantStd) ? std : 0);
        }).ToArray();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        velocityMean.copy_(torch.tensor(Mean(vSum, vCount), d).to(velocityMean.device));
        velocityStd.copy_(torch.tensor(Std(vSum, vSquares, vCount), d).to(velocityMean.device));
        accelerationMean.copy_(torch.tensor(Mean(aSum, aCount), d).to(velocityMean.device));
        accelerationStd.copy_(torch.tensor(Std(aSum, aSquares, aCount), d).to(velocityMean.device));
    }

    /// <summary>The statistics as fitted: velocity and acceleration mean and std per axis (before the noise widens the stds).</summary>
    public (float[] VelocityMean, float[] VelocityStd, float[] AccelerationMean, float[] AccelerationStd) Statistics =>
        (velocityMean.cpu().ToArray<float>(), velocityStd.cpu().ToArray<float>(), accelerationMean.cpu().ToArray<float>(), accelerationStd.cpu().ToArray<float>());

    public void CheckFits(ParticleTrajectory trajectory)
    {
        if (trajectory.Dimension != Dimension)
            throw new ArgumentException($"{trajectory.Name}: particles in {trajectory.Dimension} dimensions, the model was built for {Dimension}");
    }

    /// <summary>
    /// The operator's graph for positions <paramref name="history"/> <c>[C + 1, N, D]</c> (oldest first)
    /// of <paramref name="particles"/>: the radius graph of the newest positions, built now.
    /// </summary>
    public OperatorGraph Graph(ParticleTensors particles, Tensor history)
    {
        if (history.shape[0] != InputFrames || history.shape[1] != particles.ParticleCount || history.shape[2] != Dimension)
            throw new ArgumentException($"the history is [{string.Join(", ", history.shape)}], expected [{InputFrames}, {particles.ParticleCount}, {Dimension}]");
        long n = particles.ParticleCount, d = Dimension, c = History;
        var newest = history.narrow(0, c, 1).squeeze(0);
        var velocities = history.narrow(0, 1, c) - history.narrow(0, 0, c);
        var normalized = (velocities - velocityMean) / NoisyStd(velocityStd);
        var flatVelocities = normalized.transpose(0, 1).reshape(n, c * d);
        var radius = GraphRadius;
        var walls = (torch.cat([newest - particles.Lower, particles.Upper - newest], 1) / radius).clamp(-WallClamp, WallClamp);
        var nodeInputs = torch.cat([flatVelocities, walls, particles.TypeOneHot], 1);

        var topology = RadiusGraph.Build(Array.ConvertAll(newest.cpu().ToArray<float>(), v => (double)v), Dimension, radius, selfLoops: true);
        var (senders, receivers) = topology.ToTensors(newest.device);
        var displacement = (newest.index_select(0, senders) - newest.index_select(0, receivers)) / radius;
        var edgeFeatures = torch.cat([displacement, displacement.norm(1, keepdim: true)], 1);
        return new OperatorGraph(nodeInputs, newest, new Dictionary<string, OperatorGraph.Edges>
        {
            [OperatorBatch.RadiusEdges] = new(topology, senders, receivers, edgeFeatures),
        });
    }

    /// <summary>An acceleration <c>[N, D]</c> in the operator's units: normalized by the (noise-widened) statistics.</summary>
    public Tensor NormalizedAcceleration(Tensor acceleration) => (acceleration - accelerationMean) / NoisyStd(accelerationStd);

    /// <summary>
    /// Semi-implicit Euler from the operator's output: <c>a</c> de-normalized, <c>v = p_t - p_(t-1) + a</c>,
    /// <c>p_(t+1) = p_t + v</c>; <paramref name="history"/> is <c>[C + 1, N, D]</c>, the result <c>[N, D]</c>.
    /// </summary>
    public Tensor Integrate(Tensor history, Tensor output)
    {
        var c = history.shape[0] - 1;
        using var newest = history.narrow(0, c, 1).squeeze(0);
        using var before = history.narrow(0, c - 1, 1).squeeze(0);
        using var std = NoisyStd(accelerationStd);
        using var scaled = output * std;
        using var acceleration = scaled + accelerationMean;
        using var velocity = newest - before + acceleration;
        return newest + velocity;
    }

    /// <summary>
    /// The positions one step after the newest of <paramref name="history"/> <c>[C + 1, N, D]</c> for
    /// every particle (kinematic ones included: putting them where the data says is the caller's).
    /// </summary>
    public Tensor NextPositions(GraphOperator model, ParticleTensors particles, Tensor history)
    {
        using var scope = torch.NewDisposeScope();
        var output = model.forward(OperatorBatch.Combine([Graph(particles, history)]));
        return Integrate(history, output).DetachFromDisposeScope();
    }

    /// <summary>GNS's random-walk noise for <c>[C + 1, N, D]</c> positions: velocity noise of std noise / sqrt(C) per step, summed up; none on the oldest frame.</summary>
    public Tensor RandomWalkNoise(long particles, Device device)
    {
        long d = Dimension;
        var steps = new List<Tensor> { torch.zeros([particles, d], device: device) };
        var perStep = Options.NoiseStd / Math.Sqrt(History);
        for (var k = 0; k < History; k++) steps.Add(steps[^1] + torch.randn([particles, d], device: device) * perStep);
        return torch.stack(steps);
    }

    /// <summary>
    /// The dense cloud from the sparse sample, by the operator's neural field: each of the
    /// <paramref name="denseReference"/> points [Q, D] paired with the sample's particles within
    /// <see cref="GraphRadius"/> of it in the reference configuration (<paramref name="sparseReference"/> [n, D]),
    /// their displacements since then (<paramref name="sparseCurrent"/> [n, D]) in; the dense positions [Q, D] out.
    /// A point with no sample particle within the radius stays where it was.
    /// </summary>
    public Tensor Reconstruct(INeuralFieldDecoder field, Tensor sparseReference, Tensor sparseCurrent, Tensor denseReference)
    {
        using var scope = torch.NewDisposeScope();
        var radius = GraphRadius;
        static double[] Host(Tensor t) => Array.ConvertAll(t.cpu().ToArray<float>(), v => (double)v);
        var (sources, targets) = RadiusGraph.Between(Host(sparseReference), Host(denseReference), Dimension, radius);
        var device = denseReference.device;
        var s = torch.tensor(sources.Select(v => (long)v).ToArray(), sources.Length).to(device);
        var q = torch.tensor(targets.Select(v => (long)v).ToArray(), targets.Length).to(device);
        var offsets = (sparseReference.index_select(0, s) - denseReference.index_select(0, q)) / radius;
        var displacements = (sparseCurrent - sparseReference).index_select(0, s) / radius;
        var moved = field.Reconstruct(torch.cat([offsets, displacements], 1), q, denseReference.shape[0]);
        return (denseReference + moved * radius).DetachFromDisposeScope();
    }

    private Tensor NoisyStd(Tensor std)
    {
        using var widened = (std.square() + Options.NoiseStd * Options.NoiseStd).sqrt();
        using var zero = widened.eq(0);
        return widened.masked_fill(zero, 1);
    }

    /// <summary>The training samples of these trajectories: every window of C + 2 frames (C + 1 inputs and the next).</summary>
    public ParticleTrainingSet Prepare(IReadOnlyList<ParticleTrajectory> training, Device? device = null) => new(this, training, device);
}
