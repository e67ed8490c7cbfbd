using GnnSim.Meshing;
using GnnSim.Meshing.Movement;
using GnnSim.Operators;
using GnnSim.Torch;
using GnnSim.Training.Data;

namespace GnnSim.Training.Objectives;

/// <summary>
/// The weights of the mesh-movement loss terms (UM2N's shipped config: area 1, Chamfer 1, coordinates
/// 0); <see cref="MongeAmpereWeight"/> weighs the data-free term, which needs no classical mover's mesh.
/// </summary>
public sealed record MeshMovementOptions(double CoordinateWeight = 0, double AreaWeight = 1, double ChamferWeight = 1, double MongeAmpereWeight = 0)
{
    /// <summary>Whether any term compares with a target mesh.</summary>
    public bool NeedsTargets => CoordinateWeight > 0 || AreaWeight > 0 || ChamferWeight > 0;
}

/// <summary>
/// Mesh movement (UM2N's task): single meshes in, new node positions out, no time stepping. Each
/// mesh is put in its own unit frame (its bounding box's lower corner to the origin, its larger side
/// to 1, so the learned mover is blind to the domain's size); the node inputs are the frame's
/// coordinates, the monitor divided by its largest value, and a boundary mask; the batch carries the
/// boundary rule (<see cref="BoundarySliding"/>) in the same frame. The loss compares the output with
/// the classical mover's mesh: <c>w_x MSE + w_A 100 sum |A - A*| + w_C Chamfer</c> per graph, averaged
/// over the batch (UM2N's area loss sums over cells with its scale of 100; Chamfer as pytorch3d:
/// mean squared distance to the nearest point, both ways). The data-free term (UM2N has none; the
/// DMM mover of Hu et al. trains this way) is the Monge-Ampere residual of the output mesh itself:
/// per cell <c>r = m(x_c) J - theta</c> with <c>J = A(x) / A(xi)</c> (the Jacobian determinant of the
/// piecewise-linear map, exactly), <c>m(x_c)</c> the monitor read at the moved centroid by linear
/// interpolation on the original mesh (differentiable in x), <c>theta</c> making the residual
/// integrate to zero; the term is <c>integral r^2 / (|Omega| theta^2)</c>, the squared relative
/// residual the Monge-Ampere relaxation stops on.
/// </summary>
public sealed class MeshMovementObjective : TrainingObjective
{
    public const string ObjectiveName = "mesh_movement";
    const double AreaScale = 100;

    public MeshMovementObjective(MeshMovementOptions? options = null)
    {
        Options = options ?? new MeshMovementOptions();
        if (!(Options.CoordinateWeight >= 0 && Options.AreaWeight >= 0 && Options.ChamferWeight >= 0 && Options.MongeAmpereWeight >= 0)
            || Options.CoordinateWeight + Options.AreaWeight + Options.ChamferWeight + Options.MongeAmpereWeight <= 0)
            throw new ArgumentException($"mesh-movement loss weights must be at least 0 and not all 0, got {Options}");
    }

    public MeshMovementOptions Options { get; }
    public override string Name => ObjectiveName;

    /// <summary>Coordinates (2), monitor (1), boundary mask (1); the mesh edges without features; 2 outputs.</summary>
    public override OperatorWidths Widths => new(4, new Dictionary<string, int> { [OperatorBatch.MeshEdges] = 0 }, 2, 2);

    /// <summary>A sample's unit frame: <c>x_frame = (x - origin) / scale</c>.</summary>
    public readonly record struct Frame(double OriginX, double OriginY, double Scale)
    {
        public static Frame Of(double[] positions)
        {
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            for (var i = 0; i < positions.Length; i += 2)
            {
                minX = Math.Min(minX, positions[i]); maxX = Math.Max(maxX, positions[i]);
                minY = Math.Min(minY, positions[i + 1]); maxY = Math.Max(maxY, positions[i + 1]);
            }
            var scale = Math.Max(maxX - minX, maxY - minY);
            if (!(scale > 0)) throw new ArgumentException("a mesh whose nodes all coincide has no frame");
            return new Frame(minX, minY, scale);
        }

        public float[] ToFrame(double[] positions)
        {
            var result = new float[positions.Length];
            for (var k = 0; k < result.Length; k++) result[k] = (float)((positions[k] - (k % 2 == 0 ? OriginX : OriginY)) / Scale);
            return result;
        }

        public double[] FromFrame(float[] positions)
        {
            var result = new double[positions.Length];
            for (var k = 0; k < result.Length; k++) result[k] = positions[k] * Scale + (k % 2 == 0 ? OriginX : OriginY);
            return result;
        }
    }

    /// <summary>A sample as the operator sees it, on <paramref name="device"/>.</summary>
    public OperatorGraph Graph(MeshMovementSample sample, Device device, out Frame frame)
    {
        var mesh = sample.Mesh;
        var n = mesh.NodeCount;
        frame = Frame.Of(mesh.Positions);
        var positions = frame.ToFrame(mesh.Positions);
        var sliding = new BoundarySliding(mesh);
        var maxMonitor = sample.Monitor.Max();
        var inputs = new float[4 * n];
        var rule = new float[6 * n];
        var (origin, direction, length) = sliding.Runs;
        for (var i = 0; i < n; i++)
        {
            var freedom = sliding.Freedom[i];
            inputs[4 * i] = positions[2 * i];
            inputs[4 * i + 1] = positions[2 * i + 1];
            inputs[4 * i + 2] = (float)(sample.Monitor[i] / maxMonitor);
            inputs[4 * i + 3] = freedom == NodeFreedom.Free ? 0 : 1;
            rule[6 * i] = freedom switch { NodeFreedom.Slide => 1, NodeFreedom.Fixed => 2, _ => 0 };
            if (freedom != NodeFreedom.Slide) continue;
            rule[6 * i + 1] = (float)((origin[2 * i] - frame.OriginX) / frame.Scale);
            rule[6 * i + 2] = (float)((origin[2 * i + 1] - frame.OriginY) / frame.Scale);
            rule[6 * i + 3] = (float)direction[2 * i];
            rule[6 * i + 4] = (float)direction[2 * i + 1];
            rule[6 * i + 5] = (float)(length[i] / frame.Scale);
        }
        var topology = mesh.EdgeGraph();
        var (senders, receivers) = topology.ToTensors(device);
        return new OperatorGraph(torch.tensor(inputs, n, 4).to(device), torch.tensor(positions, n, 2).to(device),
            new Dictionary<string, OperatorGraph.Edges> { [OperatorBatch.MeshEdges] = new(topology, senders, receivers, null) })
        {
            BoundaryRule = torch.tensor(rule, n, 6).to(device),
        };
    }

    /// <summary>The moved mesh's node positions (in the sample's own units), without gradients.</summary>
    public double[] Move(GraphOperator model, MeshMovementSample sample, Device? device = null)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var graph = Graph(sample, device ?? Device.CPU, out var frame);
        var batch = OperatorBatch.Combine([graph]);
        var output = model.forward(batch);
        return frame.FromFrame(output.cpu().ToArray<float>());
    }

    public ITrainingSet Prepare(IReadOnlyList<MeshMovementSample> samples, Device device)
    {
        if (samples.Count == 0) throw new ArgumentException("no meshes to train the mover on");
        var unsupervised = samples.FirstOrDefault(s => s.Target is null);
        if (unsupervised is not null && Options.NeedsTargets)
            throw new InvalidDataException($"{unsupervised.Name}: no '{MeshMovementSample.TargetField}' to learn from (the coordinate, area and Chamfer losses need the classical mover's mesh; the data-free monge_ampere_loss_weight alone does not)");
        return new MeshMovementTrainingSet(this, samples, device);
    }

    /// <summary>
    /// The loss of the operator's output against the targets, both [N, 2] in the graphs' frames (the
    /// target may be null when only the data-free term is weighed); <paramref name="residuals"/> gives
    /// each graph's Monge-Ampere term of its slice of the output.
    /// </summary>
    public Tensor Loss(Tensor output, Tensor? target, Tensor cells, int[] nodeOffsets, Func<int, Tensor, Tensor>? residuals = null)
    {
        var graphs = nodeOffsets.Length - 1;
        var terms = new List<Tensor>();
        try
        {
            if (Options.MongeAmpereWeight > 0)
            {
                if (residuals is null) throw new ArgumentException("the Monge-Ampere term needs each graph's monitor");
                for (var g = 0; g < graphs; g++)
                {
                    using var p = output.narrow(0, nodeOffsets[g], nodeOffsets[g + 1] - nodeOffsets[g]);
                    using var residual = residuals(g, p);
                    terms.Add(residual * (Options.MongeAmpereWeight / graphs));
                }
            }
            if (!Options.NeedsTargets) return SumOf(terms);
            if (target is null) throw new ArgumentException("the coordinate, area and Chamfer terms need the target mesh");
            if (Options.CoordinateWeight > 0)
                using (var mse = torch.nn.functional.mse_loss(output, target)) terms.Add(mse * Options.CoordinateWeight);
            if (Options.AreaWeight > 0)
            {
                using var areas = CellAreas(output, cells);
                using var targetAreas = CellAreas(target, cells);
                using var difference = areas - targetAreas;
                using var absolute = difference.abs();
                using var total = absolute.sum();
                terms.Add(total * (Options.AreaWeight * AreaScale / graphs));
            }
            if (Options.ChamferWeight > 0)
            {
                for (var g = 0; g < graphs; g++)
                {
                    using var p = output.narrow(0, nodeOffsets[g], nodeOffsets[g + 1] - nodeOffsets[g]);
                    using var t = target.narrow(0, nodeOffsets[g], nodeOffsets[g + 1] - nodeOffsets[g]);
                    using var chamfer = Chamfer(p, t);
                    terms.Add(chamfer * (Options.ChamferWeight / graphs));
                }
            }
            return SumOf(terms);
        }
        finally
        {
            foreach (var term in terms) term.Dispose();
        }
    }

    static Tensor SumOf(List<Tensor> terms)
    {
        var sum = terms[0].alias();
        foreach (var term in terms.Skip(1))
        {
            var next = sum + term;
            sum.Dispose();
            sum = next;
        }
        return sum;
    }

    /// <summary>
    /// The monitor of a sample as a function of position on its original mesh (in its frame), for
    /// the data-free term: each original triangle's first corner, the rows that turn an offset from
    /// it into barycentric weights, its corners' monitor values; and the reference cell areas.
    /// </summary>
    public sealed class MonitorField : IDisposable
    {
        readonly PointLocator locator;
        readonly Tensor corner, weightRows, values, referenceAreas, cells;

        public MonitorField(MeshMovementSample sample, Frame frame, Device device)
        {
            var positions = Array.ConvertAll(frame.ToFrame(sample.Mesh.Positions), v => (double)v);
            var mesh = sample.Mesh.WithPositions(positions);
            locator = new PointLocator(mesh);
            var t = mesh.CellCount;
            var maxMonitor = sample.Monitor.Max();
            float[] a = new float[2 * t], rows = new float[4 * t], m = new float[3 * t], areas = new float[t];
            for (var c = 0; c < t; c++)
            {
                int i0 = mesh.Cells[3 * c], i1 = mesh.Cells[3 * c + 1], i2 = mesh.Cells[3 * c + 2];
                double ax = positions[2 * i0], ay = positions[2 * i0 + 1];
                double bx = positions[2 * i1] - ax, by = positions[2 * i1 + 1] - ay, cx = positions[2 * i2] - ax, cy = positions[2 * i2 + 1] - ay;
                var det = bx * cy - by * cx;
                (a[2 * c], a[2 * c + 1]) = ((float)ax, (float)ay);
                // w1 = d . (cy, -cx) / det, w2 = d . (-by, bx) / det for the offset d from the first corner.
                (rows[4 * c], rows[4 * c + 1], rows[4 * c + 2], rows[4 * c + 3]) = ((float)(cy / det), (float)(-cx / det), (float)(-by / det), (float)(bx / det));
                (m[3 * c], m[3 * c + 1], m[3 * c + 2]) = ((float)(sample.Monitor[i0] / maxMonitor), (float)(sample.Monitor[i1] / maxMonitor), (float)(sample.Monitor[i2] / maxMonitor));
                areas[c] = (float)(det / 2);
            }
            corner = torch.tensor(a, t, 2).to(device);
            weightRows = torch.tensor(rows, t, 4).to(device);
            values = torch.tensor(m, t, 3).to(device);
            referenceAreas = torch.tensor(areas, t, 1).to(device);
            cells = torch.tensor(Array.ConvertAll(mesh.Cells, v => (long)v), t, 3).to(device);
        }

        public void Dispose()
        {
            foreach (var tensor in new[] { corner, weightRows, values, referenceAreas, cells }) tensor.Dispose();
        }

        /// <summary>The squared relative Monge-Ampere residual of the mesh at <paramref name="positions"/> [N, 2] (this sample's frame).</summary>
        public Tensor Residual(Tensor positions)
        {
            using var areas = CellAreas(positions, cells);                    // [C, 1]
            using var corners = Corners(positions, cells);
            using var sum01 = corners.A + corners.B;
            using var sum = sum01 + corners.C;
            using var centroids = sum * (1.0 / 3);                              // [C, 2]
            // Where each moved centroid is on the original mesh: found on the host, weighed in torch.
            var host = centroids.detach().cpu().ToArray<float>();
            var found = new long[host.Length / 2];
            for (var c = 0; c < found.Length; c++)
            {
                var at = locator.Locate(new Point2(host[2 * c], host[2 * c + 1]));
                found[c] = at.IsInside ? at.Triangle : c; // a centroid outside (a hole's chord): its own cell's monitor
            }
            using var where = torch.tensor(found, found.Length).to(positions.device);
            using var firstCorners = corner.index_select(0, where);
            using var rows = weightRows.index_select(0, where);
            using var atCorners = values.index_select(0, where);                 // [C, 3]
            using var offset = centroids - firstCorners;
            using var dx = offset.narrow(1, 0, 1);
            using var dy = offset.narrow(1, 1, 1);
            using var r1x = rows.narrow(1, 0, 1);
            using var r1y = rows.narrow(1, 1, 1);
            using var r2x = rows.narrow(1, 2, 1);
            using var r2y = rows.narrow(1, 3, 1);
            using var w1a = dx * r1x;
            using var w1b = dy * r1y;
            using var w1 = w1a + w1b;
            using var w2a = dx * r2x;
            using var w2b = dy * r2y;
            using var w2 = w2a + w2b;
            using var w12 = w1 + w2;
            using var w0 = 1.0 - w12;
            using var m0 = atCorners.narrow(1, 0, 1);
            using var m1 = atCorners.narrow(1, 1, 1);
            using var m2 = atCorners.narrow(1, 2, 1);
            using var t0 = w0 * m0;
            using var t1 = w1 * m1;
            using var t2 = w2 * m2;
            using var t01 = t0 + t1;
            using var monitor = t01 + t2;                                       // m(x_c)
            using var jacobian = areas / referenceAreas;
            using var equidistributed = monitor * jacobian;
            using var weighted = equidistributed * referenceAreas;
            using var total = referenceAreas.sum();
            using var integral = weighted.sum();
            using var theta = integral / total;
            using var residual = equidistributed - theta;
            using var squared = residual.square();
            using var weightedSquared = squared * referenceAreas;
            using var residualIntegral = weightedSquared.sum();
            using var thetaSquared = theta.square();
            using var scale = total * thetaSquared;
            return residualIntegral / scale;
        }
    }

    /// <summary>Signed areas [C, 1] of the triangles <paramref name="cells"/> [C, 3] (int64) at <paramref name="positions"/> [N, 2].</summary>
    public static Tensor CellAreas(Tensor positions, Tensor cells)
    {
        using var corners = Corners(positions, cells);
        using var ab = corners.B - corners.A;
        using var ac = corners.C - corners.A;
        using var abX = ab.narrow(1, 0, 1);
        using var abY = ab.narrow(1, 1, 1);
        using var acX = ac.narrow(1, 0, 1);
        using var acY = ac.narrow(1, 1, 1);
        using var abXacY = abX * acY;
        using var abYacX = abY * acX;
        using var cross = abXacY - abYacX;
        return cross * 0.5;
    }

    /// <summary>The positions [C, 2] of every triangle's three corners.</summary>
    sealed record CornerPositions(Tensor A, Tensor B, Tensor C) : IDisposable
    {
        public void Dispose()
        {
            A.Dispose();
            B.Dispose();
            C.Dispose();
        }
    }

    static CornerPositions Corners(Tensor positions, Tensor cells)
    {
        Tensor Corner(int k)
        {
            using var column = cells.narrow(1, k, 1);
            using var index = column.flatten();
            return positions.index_select(0, index);
        }
        return new CornerPositions(Corner(0), Corner(1), Corner(2));
    }

    /// <summary>pytorch3d's Chamfer distance of two point sets [P, 2] and [T, 2]: mean squared nearest distance each way, summed.</summary>
    public static Tensor Chamfer(Tensor points, Tensor targets)
    {
        using var pp = points.square();
        using var pNorms = pp.sum(1, keepdim: true);                 // [P, 1]
        using var tt = targets.square();
        using var tNorms = tt.sum(1, keepdim: true);                 // [T, 1]
        using var tNormsRow = tNorms.t();
        using var targetsT = targets.t();
        using var products = points.matmul(targetsT);                // [P, T]
        using var twice = products * 2;
        using var sum = pNorms + tNormsRow;
        using var distances = sum - twice;
        using var nonNegative = distances.clamp_min(0);
        using var toTargets = nonNegative.amin(1);
        using var toPoints = nonNegative.amin(0);
        using var meanToTargets = toTargets.mean();
        using var meanToPoints = toPoints.mean();
        return meanToTargets + meanToPoints;
    }
}

/// <summary>The meshes of a mesh-movement run, built once as operator graphs; a batch is joined per step.</summary>
internal sealed class MeshMovementTrainingSet : ITrainingSet
{
    readonly MeshMovementObjective objective;
    readonly List<(OperatorGraph Graph, Tensor? Target, Tensor Cells, MeshMovementObjective.MonitorField? Monitor)> items = [];

    public MeshMovementTrainingSet(MeshMovementObjective objective, IReadOnlyList<MeshMovementSample> samples, Device device)
    {
        this.objective = objective;
        foreach (var sample in samples)
        {
            var graph = objective.Graph(sample, device, out var frame);
            var target = sample.Target is null ? null : torch.tensor(frame.ToFrame(sample.Target), sample.Mesh.NodeCount, 2).to(device);
            var cells = torch.tensor(Array.ConvertAll(sample.Mesh.Cells, c => (long)c), sample.Mesh.CellCount, 3).to(device);
            var monitor = objective.Options.MongeAmpereWeight > 0 ? new MeshMovementObjective.MonitorField(sample, frame, device) : null;
            items.Add((graph, target, cells, monitor));
        }
    }

    public long Count => items.Count;

    public Tensor Loss(GraphOperator model, IReadOnlyList<long> samples)
    {
        var chosen = samples.Select(s => items[checked((int)s)]).ToList();
        var batch = OperatorBatch.Combine(chosen.Select(c => c.Graph).ToList());
        var target = chosen.Any(c => c.Target is null) ? null : chosen.Count == 1 ? chosen[0].Target : torch.cat(chosen.Select(c => c.Target!).ToList());
        // Cells of graph g index its nodes: shift them by its node offset.
        var cells = chosen.Count == 1 ? chosen[0].Cells : torch.cat(chosen.Select((c, g) => c.Cells + (long)batch.NodeOffsets[g]).ToList());
        var output = model.forward(batch);
        return objective.Loss(output, target, cells, batch.NodeOffsets, (g, positions) => chosen[g].Monitor!.Residual(positions));
    }

    public void Dispose()
    {
        foreach (var (graph, target, cells, monitor) in items)
        {
            monitor?.Dispose();
            graph.NodeInputs.Dispose();
            graph.Positions.Dispose();
            graph.BoundaryRule?.Dispose();
            foreach (var edges in graph.EdgeSets.Values) { edges.Senders.Dispose(); edges.Receivers.Dispose(); }
            target?.Dispose();
            cells.Dispose();
        }
        items.Clear();
    }
}
