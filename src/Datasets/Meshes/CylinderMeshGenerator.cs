using GnnSim.Graph;
using GnnSim.Meshing;
using GnnSim.Solvers;

namespace GnnSim.Datasets.Meshes;

/// <summary>
/// Settings of a cylinder_flow-like dataset. Each trajectory draws its mean inflow speed, cylinder
/// radius and centre uniformly from the ranges (seeded per trajectory, so trajectory k is the same
/// whatever the count). Viscosity 1e-3 and density 1 as DeepMind's cylinder_flow, so the defaults
/// span Re = U 2r / nu of about 30 to 200: steady wakes at the low end, vortex streets above ~50.
/// </summary>
public sealed record CylinderMeshSettings
{
    public int Frames { get; init; } = 600;
    public double FrameDt { get; init; } = 0.01;
    /// <summary>Simulated time before the first frame, so the trajectory starts from a developed wake rather than from rest.</summary>
    public double SpinUp { get; init; } = 1.0;
    public int Seed { get; init; }
    /// <summary>Solver cells across the channel height (the length gets the same spacing).</summary>
    public int CellsAcross { get; init; } = 64;
    public double Density { get; init; } = 1;
    public double Viscosity { get; init; } = 1e-3;
    // The defaults cover DeepMind's cylinder_flow: one of its test trajectories has a mean inflow of 1.48
    // and the cylinder centre at x = 0.41.
    public (double Min, double Max) InflowSpeed { get; init; } = (0.4, 1.6);
    public (double Min, double Max) Radius { get; init; } = (0.03, 0.07);
    public (double Min, double Max) CenterX { get; init; } = (0.15, 0.45);
    public (double Min, double Max) CenterY { get; init; } = (0.15, 0.26);

    public void Validate()
    {
        if (Frames < 1) throw new ArgumentException($"frames must be at least 1, got {Frames}");
        if (!(FrameDt > 0)) throw new ArgumentException($"frame interval must be positive, got {FrameDt}");
        if (!(SpinUp >= 0)) throw new ArgumentException($"spin-up time must not be negative, got {SpinUp}");
        if (CellsAcross < 8) throw new ArgumentException($"at least 8 solver cells across the channel, got {CellsAcross}");
        foreach (var (name, range) in new[] { ("inflow speed", InflowSpeed), ("radius", Radius), ("centre x", CenterX), ("centre y", CenterY) })
            if (!(range.Min > 0 && range.Max >= range.Min)) throw new ArgumentException($"{name} range [{range.Min}, {range.Max}] is not a positive interval");
    }
}

/// <summary>
/// Trajectories of the cylinder wake on an unstructured triangle mesh, like DeepMind's
/// cylinder_flow: the mesh comes from <see cref="CylinderFlowDomain"/> (graded toward the
/// cylinder, DeepMind node types), the flow from <see cref="NavierStokes2D"/> on a masked grid with
/// a parabolic inflow, sampled at the mesh nodes every frame.
/// </summary>
public static class CylinderMeshGenerator
{
    /// <summary>
    /// Writes trajectories 0..count-1 to one HDF5 file, resumably (<see cref="ResumableTrajectoryFile"/>):
    /// an interrupted run resumes where it stopped, a finished file with the same settings and count
    /// is a free rerun, any other file at <paramref name="path"/> is refused.
    /// </summary>
    /// <returns>how many trajectories were simulated now and how many were already done</returns>
    public static (int Written, int Skipped) GenerateFile(string path, int count, CylinderMeshSettings settings,
        Action<int, int>? trajectoryStarted = null, Action<int, int>? frameProgress = null, CancellationToken cancel = default)
    {
        settings.Validate();
        return ResumableTrajectoryFile.Generate(path, count, $"cylinder-mesh trajectories={count} {settings}", settings.ToString(),
            index => Generate(settings, index, frameProgress, cancel), trajectoryStarted);
    }

    /// <summary>The domain and flow of trajectory <paramref name="index"/>.</summary>
    public static (CylinderFlowDomain Domain, double InflowSpeed) Draw(CylinderMeshSettings settings, int index)
    {
        var random = new Random(ResumableTrajectoryFile.ItemSeed(settings.Seed, index));
        double Uniform((double Min, double Max) range) => range.Min + (range.Max - range.Min) * random.NextDouble();
        double speed = Uniform(settings.InflowSpeed), radius = Uniform(settings.Radius);
        var center = new Point2(Uniform(settings.CenterX), Uniform(settings.CenterY));
        return (new CylinderFlowDomain { Center = center, Radius = radius }, speed);
    }

    public static MeshTrajectory Generate(CylinderMeshSettings settings, int index, Action<int, int>? frameProgress = null, CancellationToken cancel = default)
    {
        settings.Validate();
        var (domain, speed) = Draw(settings, index);
        var mesh = domain.Generate();
        var types = mesh.NodeTypes();

        var config = Flow(domain, speed, settings.CellsAcross, settings.Density, settings.Viscosity);
        int ny = config.Ny, nx = config.Nx;
        var solver = new NavierStokes2D(config);
        var sampler = new NodeSampler(config, mesh, types);

        int nodes = mesh.NodeCount, frames = settings.Frames;
        var velocity = new float[frames * nodes * 2];
        var pressure = new float[frames * nodes];
        for (int f = 0; f < frames; f++)
        {
            cancel.ThrowIfCancellationRequested();
            double time = settings.SpinUp + f * settings.FrameDt;
            solver.Advance(time);
            if (!sampler.Sample(solver, velocity.AsSpan(f * nodes * 2, nodes * 2), pressure.AsSpan(f * nodes, nodes)))
                throw new InvalidOperationException(
                    $"trajectory {index} (inflow {speed:g4}, radius {domain.Radius:g4}, centre {domain.Center}): the flow solver diverged by t = {time:g4}; try more cells across (now {ny})");
            frameProgress?.Invoke(f + 1, frames);
        }

        var positions = Array.ConvertAll(mesh.Positions, p => (float)p);
        var parameters = new Dictionary<string, double>
        {
            ["vel_in"] = speed, ["radius"] = domain.Radius, ["x_center"] = domain.Center.X, ["y_center"] = domain.Center.Y,
            ["density"] = settings.Density, ["viscosity"] = settings.Viscosity,
            ["reynolds"] = speed * 2 * domain.Radius * settings.Density / settings.Viscosity,
            ["spin_up"] = settings.SpinUp, ["solver_nx"] = nx, ["solver_ny"] = ny,
        };
        return new MeshTrajectory(index.ToString(), positions, 2, mesh.Cells, mesh.VerticesPerCell, types, frames, settings.FrameDt,
            [new TrajectoryField("velocity", 2, velocity), new TrajectoryField("pressure", 1, pressure)], parameters);
    }

    /// <summary>The solver's channel: a masked grid <paramref name="cellsAcross"/> cells high, the same spacing along, parabolic inflow, convective outflow.</summary>
    static FlowConfiguration Flow(CylinderFlowDomain domain, double speed, int cellsAcross, double density, double viscosity) => new FlowConfiguration
    {
        Width = domain.Length, Height = domain.Height, Nx = (int)Math.Round(domain.Length / domain.Height * cellsAcross), Ny = cellsAcross,
        Density = density, Viscosity = viscosity,
        West = DomainSide.Inflow(speed, InflowProfile.Parabolic), East = DomainSide.Outflow(),
        South = DomainSide.Wall(), North = DomainSide.Wall(),
        Outflow = OutflowCondition.Convective,
    }.WithObstacle((x, y) => Point2.Distance(new Point2(x, y), domain.Center) <= domain.Radius);

    /// <summary>
    /// The flow of a trajectory this generator wrote, at one frame, simulated again from the
    /// trajectory's parameters (the solver is deterministic, so it is the flow the frame was
    /// sampled from): the reference against which a mesh's resolution of the flow can be scored.
    /// </summary>
    /// <param name="source">the file the trajectory came from, for messages</param>
    public static CylinderFlowSnapshot Resimulate(MeshTrajectory trajectory, int frame, string source, CancellationToken cancel = default)
    {
        double Parameter(string name) => trajectory.Parameters.TryGetValue(name, out var value) && double.IsFinite(value) ? value
            : throw new InvalidDataException($"{source}: mesh {trajectory.Name} has no '{name}' parameter: only trajectories made by gnnsim generate cylinder-mesh can be simulated again");
        if (frame < 0 || frame >= trajectory.FrameCount) throw new ArgumentException($"{source}: frame {frame} is outside 0..{trajectory.FrameCount - 1}");
        var domain = new CylinderFlowDomain { Center = new Point2(Parameter("x_center"), Parameter("y_center")), Radius = Parameter("radius") };
        double speed = Parameter("vel_in"), spinUp = Parameter("spin_up");
        var cellsAcross = Parameter("solver_ny");
        if (cellsAcross is < 8 or > 4096 || cellsAcross != Math.Round(cellsAcross))
            throw new InvalidDataException($"{source}: mesh {trajectory.Name} has solver_ny = {cellsAcross}; the generator uses a whole number of cells across, 8 to 4096");
        var config = Flow(domain, speed, (int)cellsAcross, Parameter("density"), Parameter("viscosity"));
        if (config.Nx != (int)Parameter("solver_nx"))
            throw new InvalidDataException($"{source}: mesh {trajectory.Name} was simulated on {Parameter("solver_nx")} x {config.Ny} cells, but its channel gives {config.Nx} x {config.Ny}: not a cylinder-mesh trajectory of this generator");
        var solver = new NavierStokes2D(config);
        // Frame by frame as Generate advanced, so the solver takes the same time steps.
        for (var f = 0; f <= frame; f++)
        {
            cancel.ThrowIfCancellationRequested();
            solver.Advance(spinUp + f * trajectory.Dt);
        }
        return new CylinderFlowSnapshot(config, solver);
    }

    /// <summary>
    /// Samples the solver's cell-centred fields at the mesh nodes: bilinear over fluid cells (points
    /// within half a cell of the walls take the nearest cell row; a cylinder node whose four
    /// surrounding cell centres are all solid takes the nearest fluid cell: refinement splits the
    /// cylinder's segments on their chords, just inside the circle the solver masks), then the boundary conditions exactly: zero velocity on walls
    /// and the cylinder, the parabolic profile on the inflow.
    /// </summary>
    sealed class NodeSampler
    {
        readonly RegularGrid _centres;
        readonly bool[] _fluid;
        readonly double[] _points, meshY;
        readonly int[] _types;
        /// <summary>Per node, the fluid cell to copy when no fluid cell surrounds it, else -1.</summary>
        readonly int[] nearestFluidCell;
        readonly double[] _u, _v, _p;
        readonly float[] uvp;
        readonly DomainSide _inflow;
        readonly double _height;

        public NodeSampler(FlowConfiguration config, Mesh2D mesh, int[] types)
        {
            _centres = new RegularGrid(config.X0 + config.Dx / 2, config.Y0 + config.Dy / 2, config.Dx, config.Dy, config.Nx, config.Ny);
            _fluid = config.Solid is null ? [] : Array.ConvertAll(config.Solid, solid => !solid);
            _points = new double[mesh.Positions.Length];
            double xMax = _centres.X0 + (_centres.Nx - 1) * _centres.Dx, yMax = _centres.Y0 + (_centres.Ny - 1) * _centres.Dy;
            for (int n = 0; n < mesh.NodeCount; n++)
            {
                _points[2 * n] = Math.Clamp(mesh.Positions[2 * n], _centres.X0, xMax);
                _points[2 * n + 1] = Math.Clamp(mesh.Positions[2 * n + 1], _centres.Y0, yMax);
            }
            _types = types;
            _u = new double[config.Nx * config.Ny];
            _v = new double[_u.Length];
            _p = new double[_u.Length];
            uvp = new float[3 * _u.Length];
            _inflow = config.West;
            _height = config.Height;
            meshY = mesh.Positions.Where((_, k) => k % 2 == 1).ToArray();
            nearestFluidCell = NearestFluidCellsWhereUnsurrounded();
        }

        int[] NearestFluidCellsWhereUnsurrounded()
        {
            var ones = new float[_centres.Count];
            Array.Fill(ones, 1f);
            var reached = GridInterpolation.GridToPoints(_centres, ones, 1, _fluid, _points);
            var nearest = new int[reached.Length];
            for (int n = 0; n < nearest.Length; n++)
            {
                nearest[n] = -1;
                if (!float.IsNaN(reached[n])) continue;
                double best = double.PositiveInfinity;
                for (int cell = 0; cell < _centres.Count; cell++)
                {
                    if (!_fluid[cell]) continue;
                    double dx = _centres.X0 + cell % _centres.Nx * _centres.Dx - _points[2 * n];
                    double dy = _centres.Y0 + cell / _centres.Nx * _centres.Dy - _points[2 * n + 1];
                    if (dx * dx + dy * dy < best) (best, nearest[n]) = (dx * dx + dy * dy, cell);
                }
            }
            return nearest;
        }

        /// <returns>false when the solver's fields are no longer finite</returns>
        public bool Sample(NavierStokes2D solver, Span<float> velocity, Span<float> pressure)
        {
            solver.CellCentredVelocity(_u, _v);
            solver.Pressure(_p);
            for (int k = 0; k < _u.Length; k++) (uvp[3 * k], uvp[3 * k + 1], uvp[3 * k + 2]) = ((float)_u[k], (float)_v[k], (float)_p[k]);
            var sampled = GridInterpolation.GridToPoints(_centres, uvp, 3, _fluid, _points);
            for (int n = 0; n < _types.Length; n++)
            {
                int from = nearestFluidCell[n];
                if (from >= 0) uvp.AsSpan(3 * from, 3).CopyTo(sampled.AsSpan(3 * n, 3));
                float u = sampled[3 * n], v = sampled[3 * n + 1], p = sampled[3 * n + 2];
                if (!(float.IsFinite(u) && float.IsFinite(v) && float.IsFinite(p))) return false;
                switch ((NodeType)_types[n])
                {
                    case NodeType.WallBoundary or NodeType.Obstacle:
                        (u, v) = (0, 0);
                        break;
                    case NodeType.Inflow:
                        double s = meshY[n] / _height;
                        (u, v) = ((float)_inflow.InflowSpeedAt(s), 0);
                        break;
                }
                velocity[2 * n] = u;
                velocity[2 * n + 1] = v;
                pressure[n] = p;
            }
            return true;
        }
    }
}
