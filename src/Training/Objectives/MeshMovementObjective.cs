using GnnSim.Graph;
using GnnSim.Meshing.Movement;
using GnnSim.Operators;
using GnnSim.Torch;
using GnnSim.Training.Data;

namespace GnnSim.Training.Objectives;

/// <summary>
/// The weights of the mesh-movement loss terms (UM2N's shipped config: area 1, Chamfer 1, coordinates 0).
/// </summary>
public sealed record MeshMovementOptions(double CoordinateWeight = 0, double AreaWeight = 1, double ChamferWeight = 1);

/// <summary>
/// Mesh movement (UM2N's task): single meshes in, new node positions out, no time stepping. Each
/// mesh is put in its own unit frame (its bounding box's lower corner to the origin, its larger side
/// to 1, so the learned mover is blind to the domain's size); the node inputs are the frame's
/// coordinates, the monitor divided by its largest value, and a boundary mask; the batch carries the
/// boundary rule (<see cref="BoundarySliding"/>) in the same frame. The loss compares the output with
/// the classical mover's mesh: <c>w_x MSE + w_A 100 sum |A - A*| + w_C Chamfer</c> per graph, averaged
/// over the batch (UM2N's area loss sums over cells with its scale of 100; Chamfer as pytorch3d:
/// mean squared distance to the nearest point, both ways).
/// </summary>
public sealed class MeshMovementObjective : TrainingObjective
{
    public const string ObjectiveName = "mesh_movement";
    const double AreaScale = 100;

    public MeshMovementObjective(MeshMovementOptions? options = null)
    {
        Options = options ?? new MeshMovementOptions();
        if (!(Options.CoordinateWeight >= 0 && Options.AreaWeight >= 0 && Options.ChamferWeight >= 0) || Options.CoordinateWeight + Options.AreaWeight + Options.ChamferWeight <= 0)
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
        if (unsupervised is not null) throw new InvalidDataException($"{unsupervised.Name}: no '{MeshMovementSample.TargetField}' to learn from (the supervised mesh-movement loss needs the classical mover's mesh)");
        return new MeshMovementTrainingSet(this, samples, device);
    }

    /// <summary>The loss of the operator's output against the targets, both [N, 2] in the graphs' frames.</summary>
    public Tensor Loss(Tensor output, Tensor target, Tensor cells, int[] nodeOffsets)
    {
        var graphs = nodeOffsets.Length - 1;
        var terms = new List<Tensor>();
        try
        {
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
            var sum = terms[0].alias();
            foreach (var term in terms.Skip(1))
            {
                var next = sum + term;
                sum.Dispose();
                sum = next;
            }
            return sum;
        }
        finally
        {
            foreach (var term in terms) term.Dispose();
        }
    }

    /// <summary>Signed areas [C, 1] of the triangles <paramref name="cells"/> [C, 3] (int64) at <paramref name="positions"/> [N, 2].</summary>
    public static Tensor CellAreas(Tensor positions, Tensor cells)
    {
        using var c0 = cells.narrow(1, 0, 1);
        using var c1 = cells.narrow(1, 1, 1);
        using var c2 = cells.narrow(1, 2, 1);
        using var i0 = c0.flatten();
        using var i1 = c1.flatten();
        using var i2 = c2.flatten();
        using var a = positions.index_select(0, i0);
        using var b = positions.index_select(0, i1);
        using var c = positions.index_select(0, i2);
        using var ab = b - a;
        using var ac = c - a;
        using var abX = ab.narrow(1, 0, 1);
        using var abY = ab.narrow(1, 1, 1);
        using var acX = ac.narrow(1, 0, 1);
        using var acY = ac.narrow(1, 1, 1);
        using var first = abX * acY;
        using var second = abY * acX;
        using var cross = first - second;
        return cross * 0.5;
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
    readonly List<(OperatorGraph Graph, Tensor Target, Tensor Cells)> items = [];

    public MeshMovementTrainingSet(MeshMovementObjective objective, IReadOnlyList<MeshMovementSample> samples, Device device)
    {
        this.objective = objective;
        foreach (var sample in samples)
        {
            var graph = objective.Graph(sample, device, out var frame);
            var target = torch.tensor(frame.ToFrame(sample.Target!), sample.Mesh.NodeCount, 2).to(device);
            var cells = torch.tensor(Array.ConvertAll(sample.Mesh.Cells, c => (long)c), sample.Mesh.CellCount, 3).to(device);
            items.Add((graph, target, cells));
        }
    }

    public long Count => items.Count;

    public Tensor Loss(GraphOperator model, IReadOnlyList<long> samples)
    {
        var chosen = samples.Select(s => items[checked((int)s)]).ToList();
        var batch = OperatorBatch.Combine(chosen.Select(c => c.Graph).ToList());
        var target = chosen.Count == 1 ? chosen[0].Target : torch.cat(chosen.Select(c => c.Target).ToList());
        // Cells of graph g index its nodes: shift them by its node offset.
        var cells = chosen.Count == 1 ? chosen[0].Cells : torch.cat(chosen.Select((c, g) => c.Cells + (long)batch.NodeOffsets[g]).ToList());
        var output = model.forward(batch);
        return objective.Loss(output, target, cells, batch.NodeOffsets);
    }

    public void Dispose()
    {
        foreach (var (graph, target, cells) in items)
        {
            graph.NodeInputs.Dispose();
            graph.Positions.Dispose();
            graph.BoundaryRule?.Dispose();
            foreach (var edges in graph.EdgeSets.Values) { edges.Senders.Dispose(); edges.Receivers.Dispose(); }
            target.Dispose();
            cells.Dispose();
        }
        items.Clear();
    }
}
