using System.Globalization;
using GnnSim.Datasets.Meshes;
using GnnSim.Solvers.Mpm;

namespace GnnSim.Datasets.Particles;

/// <summary>What starts an MPM trajectory: GNS-style random blocks with random velocities, or a dam break.</summary>
public enum MpmScene { Blocks, DamBreak }

/// <summary>
/// Settings of an MPM particle dataset. The grid follows from the particle count: particles sit
/// 2 x 2 per cell, so <c>Particles</c> over the scene's material area fixes the cell size (at least
/// 32 cells a side). Each trajectory draws its blocks from its own seed (trajectory k is the same
/// whatever the count).
/// </summary>
public sealed record MpmDatasetSettings
{
    public MpmMaterial Material { get; init; } = MpmMaterial.Water;
    public MpmScene Scene { get; init; } = MpmScene.Blocks;
    /// <summary>About this many particles per trajectory.</summary>
    public int Particles { get; init; } = 2000;
    public int Frames { get; init; } = 200;
    /// <summary>Time between frames (GNS's WaterDrop: 0.0025).</summary>
    public double FrameDt { get; init; } = 0.0025;
    public int Seed { get; init; }
    public WallCondition Walls { get; init; } = WallCondition.Slip;
    /// <summary>Blocks: the box fraction the blocks fill together.</summary>
    public double BlockArea { get; init; } = 0.12;
    public int MaxBlocks { get; init; } = 3;
    /// <summary>Dam break: the column's width a (its height is 2a), at the left wall.</summary>
    public double DamWidth { get; init; } = 0.25;

    public double MaterialArea => Scene == MpmScene.DamBreak ? 2 * DamWidth * DamWidth : BlockArea;

    /// <summary>Grid cells a side for about <see cref="Particles"/> particles, 4 to a cell.</summary>
    public int Cells => Math.Max(32, (int)Math.Round(1 / (2 * Math.Sqrt(MaterialArea / Particles))));

    public void Validate()
    {
        if (Particles < 16 || Particles > 4_000_000) throw new ArgumentException($"particles must be between 16 and 4,000,000, got {Particles}");
        if (Frames < 2) throw new ArgumentException($"at least 2 frames, got {Frames}");
        if (!(FrameDt > 0)) throw new ArgumentException($"frame interval must be positive, got {FrameDt}");
        if (!(BlockArea > 0 && BlockArea <= 0.4)) throw new ArgumentException($"the blocks' area must be in (0, 0.4] of the box, got {BlockArea}");
        if (MaxBlocks < 1) throw new ArgumentException($"at least one block, got {MaxBlocks}");
        if (!(DamWidth > 0.05 && 2 * DamWidth < 0.9)) throw new ArgumentException($"the dam's width a must be above 0.05 and its height 2a below 0.9, got {DamWidth}");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"material={Material} scene={Scene} particles={Particles} frames={Frames} frame_dt={FrameDt:R} seed={Seed} walls={Walls} block_area={BlockArea:R} max_blocks={MaxBlocks} dam_width={DamWidth:R}");
}

/// <summary>
/// Particle trajectories from <see cref="MpmSolver"/>, as GNS's datasets hold them: positions every
/// frame (frame 0 the initial state), one GNS type per particle, the box inside the walls as bounds.
/// </summary>
public static class MpmGenerator
{
    public static (int Written, int Skipped) GenerateFile(string path, int count, MpmDatasetSettings settings, Action<int, int>? started = null)
    {
        settings.Validate();
        return ResumableTrajectoryFile.Generate(path, count, $"mpm trajectories={count} {settings}", settings.ToString(), index => Generate(settings, index), started,
            ParticleTrajectoryFile.Generator, (file, items, generator) => ParticleTrajectoryFile.Write(file, items, generator), file => ParticleTrajectoryFile.ReadAll(file)[0]);
    }

    public static int TypeOf(MpmMaterial material) => material switch
    {
        MpmMaterial.Water => GnsParticleTypes.Water,
        MpmMaterial.Sand => GnsParticleTypes.Sand,
        MpmMaterial.Plasticine => GnsParticleTypes.Goop,
        _ => GnsParticleTypes.Elastic,
    };

    /// <summary>Trajectory <paramref name="index"/>'s solver at its first frame.</summary>
    public static MpmSolver InitialState(MpmDatasetSettings settings, int index)
    {
        settings.Validate();
        var solverSettings = new MpmSettings { Cells = settings.Cells, Walls = settings.Walls };
        var random = new Random(ResumableTrajectoryFile.ItemSeed(settings.Seed, index));
        var (positions, velocities) = settings.Scene == MpmScene.DamBreak ? DamBreak(settings, solverSettings) : Blocks(settings, solverSettings, random);
        return new MpmSolver(solverSettings, settings.Material, positions, velocities);
    }

    /// <summary>The connectivity radius the data records for learned simulators, in particle spacings.</summary>
    public const double ConnectivityRadiusSpacings = 2.5;

    public static ParticleTrajectory Generate(MpmDatasetSettings settings, int index)
    {
        var solver = InitialState(settings, index);
        var solverSettings = solver.Settings;
        var n = solver.ParticleCount;
        var frames = new float[(long)settings.Frames * n * 2];
        for (var f = 0; f < settings.Frames; f++)
        {
            if (f > 0) solver.Advance(settings.FrameDt);
            for (var k = 0; k < 2 * n; k++) frames[(long)f * 2 * n + k] = (float)solver.Positions[k];
        }
        var wall = solverSettings.WallCells * solverSettings.Dx;
        var parameters = new Dictionary<string, double>
        {
            ["cells"] = solverSettings.Cells, ["substeps_per_frame"] = (double)solver.Substeps / (settings.Frames - 1),
            ["gravity"] = solverSettings.Gravity, ["sticky_walls"] = settings.Walls == WallCondition.Sticky ? 1 : 0,
            // GNS's radius is about 2.5 particle spacings (WaterDrop: 0.015), some 20 neighbours in 2D.
            ["connectivity_radius"] = ConnectivityRadiusSpacings * solverSettings.ParticleSpacing,
        };
        return new ParticleTrajectory(index.ToString(CultureInfo.InvariantCulture), 2, frames, Enumerable.Repeat(TypeOf(settings.Material), n).ToArray(),
            settings.FrameDt, [wall, 1 - wall, wall, 1 - wall], settings.Material.ToString().ToLowerInvariant(), parameters);
    }

    /// <summary>The water column of width a and height 2a against the left wall, at rest.</summary>
    static (double[] Positions, double[]? Velocities) DamBreak(MpmDatasetSettings settings, MpmSettings grid)
    {
        var wall = grid.WallCells * grid.Dx;
        return (Lattice(grid, wall, wall, settings.DamWidth, 2 * settings.DamWidth), null);
    }

    /// <summary>1 to MaxBlocks rectangles that do not overlap, their area shared at random, each with its own velocity in [-1, 1]^2.</summary>
    static (double[] Positions, double[]? Velocities) Blocks(MpmDatasetSettings settings, MpmSettings grid, Random random)
    {
        var count = random.Next(1, settings.MaxBlocks + 1);
        var shares = Enumerable.Range(0, count).Select(_ => 0.5 + random.NextDouble()).ToArray();
        var total = shares.Sum();
        var wall = grid.WallCells * grid.Dx;
        var placed = new List<(double X0, double Y0, double X1, double Y1)>();
        List<double> positions = [], velocities = [];
        foreach (var share in shares)
        {
            var area = settings.BlockArea * share / total;
            var aspect = Math.Exp(random.NextDouble() * Math.Log(4)) / 2; // width / height in [0.5, 2]
            double width = Math.Sqrt(area * aspect), height = area / width;
            (double, double, double, double) box = default;
            var found = false;
            for (var attempt = 0; attempt < 200 && !found; attempt++)
            {
                var x0 = wall + grid.Dx + random.NextDouble() * (1 - 2 * wall - 2 * grid.Dx - width);
                var y0 = wall + grid.Dx + random.NextDouble() * (1 - 2 * wall - 2 * grid.Dx - height);
                box = (x0, y0, x0 + width, y0 + height);
                found = placed.All(b => x0 + width + grid.Dx < b.X0 || b.X1 + grid.Dx < x0 || y0 + height + grid.Dx < b.Y0 || b.Y1 + grid.Dx < y0);
            }
            if (!found) throw new InvalidOperationException($"could not place {count} blocks filling {settings.BlockArea:P0} of the box apart from each other; lower the block area");
            placed.Add(box);
            var block = Lattice(grid, box.Item1, box.Item2, width, height);
            double vx = 2 * random.NextDouble() - 1, vy = 2 * random.NextDouble() - 1;
            positions.AddRange(block);
            for (var k = 0; k < block.Length / 2; k++) velocities.AddRange([vx, vy]);
        }
        return (positions.ToArray(), velocities.ToArray());
    }

    /// <summary>Particles 2 x 2 per cell filling the rectangle.</summary>
    static double[] Lattice(MpmSettings grid, double x0, double y0, double width, double height)
    {
        var s = grid.ParticleSpacing;
        var points = new List<double>();
        for (var y = y0 + s / 2; y < y0 + height; y += s)
        for (var x = x0 + s / 2; x < x0 + width; x += s)
            points.AddRange([x, y]);
        return points.ToArray();
    }
}
