using GnnSim.Datasets.Particles;
using GnnSim.Torch;

namespace GnnSim.Training.Data;

/// <summary>
/// A particle trajectory's tensors on the device, made once and kept outside every dispose scope:
/// positions over time, the type one-hot, which particles are kinematic (moved by the data, not the
/// model), and the box. Dispose to free them. <see cref="Select"/> gives the same for a sample of
/// the particles (GIOROM's sparse graphs): it shares the whole set's positions and gathers only the
/// frames asked for, so a training step does not copy the trajectory.
/// </summary>
public sealed class ParticleTensors : IDisposable
{
    // [T, N_all, D], the whole trajectory's; a sample reads it through its index and does not own it.
    private readonly Tensor positions;
    private readonly Tensor? sampleIndex;

    private ParticleTensors(ParticleTrajectory trajectory, Tensor positions, Tensor typeOneHot, Tensor dynamic, Tensor lower, Tensor upper,
        int[]? indices = null, Tensor? sampleIndex = null)
    {
        Indices = indices;
        Trajectory = trajectory;
        this.positions = positions;
        this.sampleIndex = sampleIndex;
        TypeOneHot = typeOneHot;
        Dynamic = dynamic;
        Lower = lower;
        Upper = upper;
    }

    /// <summary>The trajectory these particles are (all of them, or the sample <see cref="Indices"/>) of.</summary>
    public ParticleTrajectory Trajectory { get; }
    /// <summary>Which of the trajectory's particles these are, in order; null: all.</summary>
    public int[]? Indices { get; }
    /// <summary>[N, 9] float32: the particle type, one-hot over GNS's codes.</summary>
    public Tensor TypeOneHot { get; }
    /// <summary>[N] bool: the particles the model moves (all but the kinematic ones).</summary>
    public Tensor Dynamic { get; }
    /// <summary>[D] the box's lower and upper bounds.</summary>
    public Tensor Lower { get; }
    public Tensor Upper { get; }

    public int ParticleCount => Indices?.Length ?? Trajectory.ParticleCount;
    public int Dimension => Trajectory.Dimension;

    public static ParticleTensors Create(ParticleTrajectory trajectory, Device? device = null)
    {
        var d = device ?? Device.CPU;
        int n = trajectory.ParticleCount, dim = trajectory.Dimension;
        using var scope = torch.NewDisposeScope();
        var positions = torch.tensor(trajectory.Positions, trajectory.FrameCount, n, dim).to(d);
        var types = torch.tensor(trajectory.ParticleTypes.Select(t => (long)t).ToArray(), n);
        var oneHot = torch.one_hot(types, GnsParticleTypes.Count).to(ScalarType.Float32, d);
        var dynamic = torch.tensor(trajectory.ParticleTypes.Select(t => t != GnsParticleTypes.Kinematic).ToArray(), n).to(d);
        var lower = torch.tensor(Enumerable.Range(0, dim).Select(a => (float)trajectory.Bounds[2 * a]).ToArray(), dim).to(d);
        var upper = torch.tensor(Enumerable.Range(0, dim).Select(a => (float)trajectory.Bounds[2 * a + 1]).ToArray(), dim).to(d);
        return new ParticleTensors(trajectory, positions.DetachFromDisposeScope(), oneHot.DetachFromDisposeScope(), dynamic.DetachFromDisposeScope(),
            lower.DetachFromDisposeScope(), upper.DetachFromDisposeScope());
    }

    /// <summary>
    /// These particles' sample <paramref name="indices"/> (into this set). Its types and masks are new,
    /// its positions and box this set's: dispose the sample before this set.
    /// </summary>
    public ParticleTensors Select(int[] indices)
    {
        if (indices.Length == 0 || indices.Any(i => (uint)i >= (uint)ParticleCount)) throw new ArgumentException($"a sample of {ParticleCount} particles needs indices in 0..{ParticleCount - 1}, and at least one");
        using var scope = torch.NewDisposeScope();
        var local = torch.tensor(indices.Select(i => (long)i).ToArray(), indices.Length).to(positions.device);
        var original = Indices is null ? indices : indices.Select(i => Indices[i]).ToArray();
        var index = torch.tensor(original.Select(i => (long)i).ToArray(), original.Length).to(positions.device);
        return new ParticleTensors(Trajectory, positions, TypeOneHot.index_select(0, local).DetachFromDisposeScope(),
            Dynamic.index_select(0, local).DetachFromDisposeScope(), Lower, Upper, original, index.DetachFromDisposeScope());
    }

    /// <summary>[steps + 1, N, D]: the positions of frames <c>frame - steps .. frame</c>.</summary>
    public Tensor History(int frame, int steps)
    {
        if (frame - steps < 0 || frame >= Trajectory.FrameCount)
            throw new ArgumentOutOfRangeException(nameof(frame), $"{Trajectory.Name}: frames {frame - steps}..{frame} are not all among its {Trajectory.FrameCount}");
        return Frames(frame - steps, steps + 1);
    }

    /// <summary>[N, D] the positions at <paramref name="frame"/>.</summary>
    public Tensor At(int frame)
    {
        using var one = Frames(frame, 1);
        return one.squeeze(0);
    }

    Tensor Frames(int first, int count)
    {
        var window = positions.narrow(0, first, count);
        if (sampleIndex is null) return window;
        using (window) return window.index_select(1, sampleIndex);
    }

    public void Dispose()
    {
        TypeOneHot.Dispose();
        Dynamic.Dispose();
        if (sampleIndex is not null)
        {
            sampleIndex.Dispose();
            return;
        }
        positions.Dispose();
        Lower.Dispose();
        Upper.Dispose();
    }
}
