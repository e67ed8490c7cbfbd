using GnnSim.Solvers.Mpm;

namespace GnnSim.Solvers.Tests;

public class MpmTests
{
    /// <summary>A w x h block of particles 2 x 2 per cell with its lower-left corner at (x0, y0).</summary>
    static double[] Block(MpmSettings settings, double x0, double y0, double width, double height)
    {
        var s = settings.ParticleSpacing;
        var points = new List<double>();
        for (var y = y0 + s / 2; y < y0 + height; y += s)
        for (var x = x0 + s / 2; x < x0 + width; x += s)
            points.AddRange([x, y]);
        return points.ToArray();
    }

    static (double X, double Y) Centroid(MpmSolver solver)
    {
        double x = 0, y = 0;
        for (var i = 0; i < solver.ParticleCount; i++) { x += solver.Positions[2 * i]; y += solver.Positions[2 * i + 1]; }
        return (x / solver.ParticleCount, y / solver.ParticleCount);
    }

    static double MaxSpeed(MpmSolver solver) =>
        Enumerable.Range(0, solver.ParticleCount).Max(i => Math.Sqrt(solver.Velocities[2 * i] * solver.Velocities[2 * i] + solver.Velocities[2 * i + 1] * solver.Velocities[2 * i + 1]));

    [Theory]
    [InlineData(MpmMaterial.Water)]
    [InlineData(MpmMaterial.Elastic)]
    [InlineData(MpmMaterial.Sand)]
    [InlineData(MpmMaterial.Plasticine)]
    public void MassIsConservedExactlyAndMomentumWithoutGravityAndWalls(MpmMaterial material)
    {
        var settings = new MpmSettings { Cells = 48, Gravity = 0 };
        var positions = Block(settings, 0.35, 0.4, 0.3, 0.2);
        // A drift and a spin, slow enough that nothing reaches the walls.
        var velocities = new double[positions.Length];
        for (var i = 0; i < positions.Length / 2; i++)
        {
            velocities[2 * i] = 0.3 - 2 * (positions[2 * i + 1] - 0.5);
            velocities[2 * i + 1] = 0.1 + 2 * (positions[2 * i] - 0.5);
        }
        var solver = new MpmSolver(settings, material, positions, velocities);
        var before = solver.Momentum();
        for (var k = 0; k < 200; k++)
        {
            solver.Step(0.5 * solver.StableTimestep());
            Assert.Equal(solver.TotalMass, solver.LastGridMass, 1e-12 * solver.TotalMass);
        }
        var after = solver.Momentum();
        var scale = Math.Sqrt(before.X * before.X + before.Y * before.Y);
        Assert.True(Math.Abs(after.X - before.X) <= 1e-5 * scale && Math.Abs(after.Y - before.Y) <= 1e-5 * scale,
            $"{material}: momentum ({before.X:E6}, {before.Y:E6}) -> ({after.X:E6}, {after.Y:E6})");
        Assert.True(Centroid(solver).X > 0.5, "the block drifted with its momentum");
    }

    // Solids only: a block of sand has no cohesion and slumps into a pile (the repose-angle test).
    [Theory]
    [InlineData(MpmMaterial.Elastic)]
    [InlineData(MpmMaterial.Plasticine)]
    public void ABlockAtRestOnTheFloorStaysAtRest(MpmMaterial material)
    {
        var settings = new MpmSettings { Cells = 48, Walls = WallCondition.Sticky, Damping = 2 };
        var floor = settings.WallCells * settings.Dx;
        var solver = new MpmSolver(settings, material, Block(settings, 0.4, floor, 0.2, 0.15));
        var start = Centroid(solver);
        for (var k = 0; k < 1000; k++) solver.Step(solver.StableTimestep());
        var end = Centroid(solver);
        Assert.True(MaxSpeed(solver) < 0.05, $"{material}: fastest particle {MaxSpeed(solver):g3} after 1,000 steps");
        Assert.True(Math.Abs(end.X - start.X) < 0.05 * settings.Dx, $"{material}: drifted sideways by {end.X - start.X:g3}");
        Assert.True(Math.Abs(end.Y - start.Y) < 0.5 * settings.Dx, $"{material}: the centroid moved from {start.Y:g4} to {end.Y:g4}");
    }

    [Fact]
    public void AnElasticBlockBouncesAndLosesEnergyOnlyAsDampedAsConfigured()
    {
        double Rebound(double damping)
        {
            var settings = new MpmSettings { Cells = 48, Walls = WallCondition.Slip, Damping = damping };
            var solver = new MpmSolver(settings, MpmMaterial.Elastic, Block(settings, 0.4, 0.45, 0.2, 0.2));
            var dropped = Centroid(solver).Y;
            double lowest = dropped, highestAfter = 0;
            var rising = false;
            while (solver.Time < 0.9)
            {
                solver.Advance(0.005);
                var y = Centroid(solver).Y;
                if (!rising && y > lowest + 0.5 * settings.Dx) rising = true;
                if (!rising) lowest = Math.Min(lowest, y);
                else highestAfter = Math.Max(highestAfter, y);
            }
            Assert.True(rising, "the block never bounced");
            return (highestAfter - lowest) / (dropped - lowest);
        }
        var free = Rebound(0);
        var damped = Rebound(3);
        Assert.True(free > 0.6, $"an undamped elastic block rebounds to {free:P0} of its drop");
        Assert.True(free <= 1.01, $"the rebound {free:P0} exceeds the drop: energy was made");
        Assert.True(damped < free - 0.1, $"damping 3/s rebounds to {damped:P0}, undamped {free:P0}");
    }

    /// <summary>A triangular heap of sand on the floor, its flanks at <paramref name="slope"/> degrees, 0.6 wide.</summary>
    static MpmSolver Heap(double frictionAngle, double slope)
    {
        var settings = new MpmSettings { Cells = 48, Walls = WallCondition.Sticky, Material = new MpmMaterialParameters { FrictionAngle = frictionAngle } };
        var s = settings.ParticleSpacing;
        var floor = settings.WallCells * settings.Dx;
        var rise = Math.Tan(slope * Math.PI / 180);
        var points = new List<double>();
        for (var y = floor + s / 2; y < 0.9; y += s)
        for (var x = 0.2 + s / 2; x < 0.8; x += s)
            if (y - floor < rise * (0.3 - Math.Abs(x - 0.5))) points.AddRange([x, y]);
        return new MpmSolver(settings, MpmMaterial.Sand, points.ToArray());
    }

    /// <summary>The mean slope (degrees) of the heap's two flanks: lines fitted to the surface between 20% and 80% of its height.</summary>
    static double FlankAngle(MpmSolver solver)
    {
        const int bins = 48;
        var floor = 3.0 / bins;
        var height = new double[bins];
        for (var i = 0; i < solver.ParticleCount; i++)
        {
            var b = Math.Clamp((int)(solver.Positions[2 * i] * bins), 0, bins - 1);
            height[b] = Math.Max(height[b], solver.Positions[2 * i + 1] - floor);
        }
        var top = height.Max();
        var peak = Array.IndexOf(height, top);
        var angles = new List<double>();
        foreach (var side in new[] { -1, 1 })
        {
            var flank = Enumerable.Range(0, bins).Where(b => Math.Sign(b - peak) == side && height[b] > 0.2 * top && height[b] < 0.8 * top)
                .Select(b => (X: (b + 0.5) / bins, Y: height[b])).ToList();
            if (flank.Count < 2) continue;
            double mx = flank.Average(p => p.X), my = flank.Average(p => p.Y);
            var slope = flank.Sum(p => (p.X - mx) * (p.Y - my)) / flank.Sum(p => (p.X - mx) * (p.X - mx));
            angles.Add(Math.Atan(Math.Abs(slope)) * 180 / Math.PI);
        }
        Assert.Equal(2, angles.Count);
        return angles.Average();
    }

    [Fact]
    public void SandHoldsSlopesBelowItsFrictionAngleAndSlumpsFromSteeperOnes()
    {
        // Drucker-Prager admits no steady slope steeper than the friction angle: a 25 degree heap of
        // 40 degree sand stands; a 45 degree heap slumps below 40; lower friction slumps further.
        var standing = Heap(40, 25);
        Assert.InRange(FlankAngle(standing), 24, 26);
        standing.Advance(1.0);
        Assert.InRange(FlankAngle(standing), 21, 26);

        var steep = Heap(40, 45);
        var slippery = Heap(20, 45);
        steep.Advance(1.0);
        slippery.Advance(1.0);
        double rough = FlankAngle(steep), smooth = FlankAngle(slippery);
        Assert.InRange(rough, 15, 40);
        Assert.True(smooth < 20 && smooth < rough - 5, $"45 degree heaps slumped to {rough:F1} (friction 40) and {smooth:F1} (friction 20)");
    }
}
