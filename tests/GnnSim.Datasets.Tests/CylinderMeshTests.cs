using GnnSim.Datasets.Meshes;
using GnnSim.Meshing;
using GnnSim.Meshing.FiniteElements;

namespace GnnSim.Datasets.Tests;

public sealed class CylinderMeshTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("gnnsim-cylmesh-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly CylinderMeshSettings Small = new() { Frames = 4, FrameDt = 0.02, SpinUp = 0.3, CellsAcross = 32, Seed = 3 };

    [Fact]
    public void TrajectoriesLookLikeCylinderFlowAndObeyTheirBoundaryConditions()
    {
        var trajectory = CylinderMeshGenerator.Generate(Small, 0);
        Assert.InRange(trajectory.NodeCount, 1500, 2500);
        Assert.Equal(3, trajectory.VerticesPerCell);
        Assert.Equal([0, 4, 5, 6], trajectory.NodeTypes.Distinct().Order());
        double speed = trajectory.Parameters["vel_in"], height = 0.41;
        Assert.InRange(speed, 0.5, 1.5);
        Assert.InRange(trajectory.Parameters["reynolds"], 30, 210);

        var velocity = trajectory.Field("velocity");
        Assert.All(velocity.Values, v => Assert.True(float.IsFinite(v) && Math.Abs(v) < 3 * 1.5 * speed));
        Assert.All(trajectory.Field("pressure").Values, p => Assert.True(float.IsFinite(p)));
        for (int f = 0; f < trajectory.FrameCount; f++)
        {
            var frame = trajectory.Frame("velocity", f);
            double normalU = 0;
            int normal = 0;
            for (int n = 0; n < trajectory.NodeCount; n++)
            {
                float u = frame[2 * n], v = frame[2 * n + 1], y = trajectory.MeshPositions[2 * n + 1];
                switch ((NodeType)trajectory.NodeTypes[n])
                {
                    case NodeType.WallBoundary:
                        Assert.Equal((0f, 0f), (u, v));
                        break;
                    case NodeType.Inflow:
                        Assert.Equal(6 * speed * y / height * (1 - y / height), u, 1e-5);
                        break;
                    case NodeType.Normal:
                        normalU += u;
                        normal++;
                        break;
                }
            }
            // Mass conservation keeps the mean streamwise speed near the inflow's (the wake and walls pull it below).
            Assert.InRange(normalU / normal, 0.5 * speed, 1.3 * speed);
        }
        // Sampling a different seed gives a different geometry: the dataset varies.
        var other = CylinderMeshGenerator.Draw(Small, 1);
        Assert.NotEqual(CylinderMeshGenerator.Draw(Small, 0), other);
    }

    [Fact]
    public void TheFileGeneratorResumesFromFinishedTrajectoriesAndWritesOneHdf5File()
    {
        var path = Path.Combine(dir, "cylinder.h5");
        var settings = Small with { Frames = 2, CellsAcross = 16 };
        var parts = path + ".parts";
        Directory.CreateDirectory(parts);
        File.WriteAllText(Path.Combine(parts, "settings.txt"), settings.ToString());
        MeshTrajectoryFile.Write(Path.Combine(parts, "00001.h5"), [CylinderMeshGenerator.Generate(settings, 1)]); // as if a run stopped after it

        var started = new List<int>();
        var (written, skipped) = CylinderMeshGenerator.GenerateFile(path, 3, settings, trajectoryStarted: (index, _) => started.Add(index));
        Assert.Equal((2, 1), (written, skipped));
        Assert.Equal([0, 2], started);
        Assert.False(Directory.Exists(parts));

        var trajectories = MeshTrajectoryFile.ReadAll(path);
        Assert.Equal(["0", "1", "2"], trajectories.Select(t => t.Name));
        Assert.All(trajectories, t => Assert.Equal(2, t.FrameCount));
        Assert.Equal(CylinderMeshGenerator.Draw(settings, 1).InflowSpeed, trajectories[1].Parameters["vel_in"]);

        Directory.CreateDirectory(parts);
        File.WriteAllText(Path.Combine(parts, "settings.txt"), (settings with { Frames = 9 }).ToString());
        Assert.Throws<IOException>(() => CylinderMeshGenerator.GenerateFile(path, 3, settings));
        Directory.Delete(parts, recursive: true);
    }

    [Fact]
    public void ARerunOnAFinishedFileSimulatesNothingAndAnotherFileIsNeverOverwritten()
    {
        var path = Path.Combine(dir, "cylinder.h5");
        var settings = Small with { Frames = 2, CellsAcross = 16 };
        Assert.Equal((2, 0), CylinderMeshGenerator.GenerateFile(path, 2, settings));
        var written = File.GetLastWriteTimeUtc(path);
        var bytes = File.ReadAllBytes(path);

        var started = new List<int>();
        Assert.Equal((0, 2), CylinderMeshGenerator.GenerateFile(path, 2, settings, trajectoryStarted: (index, _) => started.Add(index)));
        Assert.Empty(started);
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));

        // Other settings, another count, or a file someone else made: refused, the file untouched.
        var moreFrames = Assert.Throws<IOException>(() => CylinderMeshGenerator.GenerateFile(path, 2, settings with { Frames = 3 }));
        Assert.Contains("other settings", moreFrames.Message);
        Assert.Throws<IOException>(() => CylinderMeshGenerator.GenerateFile(path, 3, settings));
        Assert.Equal(bytes, File.ReadAllBytes(path));
        var foreign = Path.Combine(dir, "foreign.h5");
        MeshTrajectoryFile.Write(foreign, [CylinderMeshGenerator.Generate(settings, 0)]);
        var notOurs = Assert.Throws<IOException>(() => CylinderMeshGenerator.GenerateFile(foreign, 1, settings));
        Assert.Contains("not made by this generator", notOurs.Message);
        Assert.False(Directory.Exists(foreign + ".parts"));
    }

    [Fact]
    public void ATrajectoryIsDrawnTheSameInEveryProcess()
    {
        // Pinned values: a per-process hash as the seed once gave every run (and every resumed run) another dataset.
        var (domain, speed) = CylinderMeshGenerator.Draw(Small, 0);
        Assert.Equal((1.2950740509177905, 0.047401823055651895, 0.26552558309190233, 0.17908154068006274), (speed, domain.Radius, domain.Center.X, domain.Center.Y));
    }

    [Fact]
    public void TheDefaultRangesCoverDeepMindsCylinderFlow()
    {
        // One of cylinder_flow's test trajectories: mean inflow 1.48, cylinder centre at x = 0.41; both inside, not at an edge.
        var defaults = new CylinderMeshSettings();
        Assert.True(defaults.InflowSpeed.Min < 1.48 && 1.48 < defaults.InflowSpeed.Max, $"inflow {defaults.InflowSpeed}");
        Assert.True(defaults.CenterX.Min < 0.41 && 0.41 < defaults.CenterX.Max, $"centre x {defaults.CenterX}");
    }

    [Fact]
    public void AWrittenTrajectorySimulatedAgainGivesTheFlowItsFramesWereSampledFrom()
    {
        var path = Path.Combine(dir, "cylinder.h5");
        var settings = Small with { Frames = 3, SpinUp = 0.2 };
        CylinderMeshGenerator.GenerateFile(path, 1, settings);
        var trajectory = MeshTrajectoryFile.ReadAll(path)[0];
        var snapshot = CylinderMeshGenerator.Resimulate(trajectory, 2, path);
        Assert.Equal(settings.SpinUp + 2 * settings.FrameDt, snapshot.Time, 12);

        // Where all four surrounding solver cells are fluid the snapshot's bilinear field is the generator's
        // node sampling, so it returns the frame: nodes two cells away from the cylinder and the sides.
        double cx = trajectory.Parameters["x_center"], cy = trajectory.Parameters["y_center"], radius = trajectory.Parameters["radius"];
        double cell = 0.41 / settings.CellsAcross, speed = trajectory.Parameters["vel_in"];
        var frame = trajectory.Frame("velocity", 2);
        int compared = 0;
        for (var n = 0; n < trajectory.NodeCount; n++)
        {
            double x = trajectory.MeshPositions[2 * n], y = trajectory.MeshPositions[2 * n + 1];
            switch ((NodeType)trajectory.NodeTypes[n])
            {
                case NodeType.Normal when Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) > radius + 2 * cell && y > 2 * cell && y < 0.41 - 2 * cell && x > 2 * cell && x < 1.6 - 2 * cell:
                    Assert.Equal(frame[2 * n], snapshot.U(x, y), 5e-5);
                    Assert.Equal(frame[2 * n + 1], snapshot.V(x, y), 5e-5);
                    compared++;
                    break;
                case NodeType.WallBoundary when y is < 1e-6 or > 0.41 - 1e-6:
                    // Zero at the wall, up to the float positions' distance from it.
                    Assert.Equal(0, snapshot.U(x, y), 1e-5);
                    Assert.Equal(0, snapshot.V(x, y), 1e-5);
                    break;
            }
        }
        Assert.True(compared > trajectory.NodeCount / 2, $"{compared} nodes compared");
        // The inflow side carries the parabolic profile at the cell rows (and is linear between them).
        var row = 15.5 * cell / 0.41;
        Assert.Equal(6 * speed * row * (1 - row), snapshot.U(0, 15.5 * cell), 12);

        // The field is the reference a mesh's resolution is scored against: a finer mesh resolves it better.
        var domain = new CylinderFlowDomain { Center = new Point2(cx, cy), Radius = radius };
        var fine = domain with { NearEdgeLength = domain.NearEdgeLength / 2, FarEdgeLength = domain.FarEdgeLength / 2 };
        double Error(CylinderFlowDomain d)
        {
            var space = new P1Space(d.Generate());
            return Math.Sqrt(Math.Pow(space.InterpolationError(snapshot.U), 2) + Math.Pow(space.InterpolationError(snapshot.V), 2));
        }
        double coarseError = Error(domain), fineError = Error(fine);
        Assert.True(fineError < 0.6 * coarseError, $"interpolation error {coarseError:g3} on the dataset's mesh, {fineError:g3} on one twice as fine");

        // A trajectory without the generator's parameters cannot be simulated again: the file and the parameter named.
        var bare = new MeshTrajectory("bare", trajectory.MeshPositions, 2, trajectory.Cells, 3, trajectory.NodeTypes, trajectory.FrameCount, trajectory.Dt, trajectory.Fields);
        var refused = Assert.Throws<InvalidDataException>(() => CylinderMeshGenerator.Resimulate(bare, 1, "other.h5"));
        Assert.Contains("other.h5: mesh bare has no 'x_center' parameter", refused.Message);
    }

    [Fact]
    public void CylinderNodesJustInsideTheMaskedCircleTakeTheNearestFluidValues()
    {
        // A draw whose refined cylinder puts a node on a chord with all four surrounding solver cells solid.
        const double speed = 1.3710683099325132, radius = 0.033662973606802045, x = 0.16419328069975286, y = 0.15988871720614317;
        var settings = Small with { Frames = 2, SpinUp = 0.05, InflowSpeed = (speed, speed), Radius = (radius, radius), CenterX = (x, x), CenterY = (y, y) };
        var trajectory = CylinderMeshGenerator.Generate(settings, 0);
        Assert.All(trajectory.Field("pressure").Values, p => Assert.True(float.IsFinite(p)));
        Assert.All(trajectory.Field("velocity").Values, v => Assert.True(float.IsFinite(v)));
    }
}
