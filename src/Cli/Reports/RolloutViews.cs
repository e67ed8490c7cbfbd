using GnnSim.Training.Data;
using GnnSim.Training.Evaluation;
using GnnSim.Viz.Fields;
using GnnSim.Viz.Rollouts;

namespace GnnSim.Cli.Reports;

/// <summary>Stored rollouts (Operators) as the views the pictures draw (Viz).</summary>
internal static class RolloutViews
{
    public static List<RolloutView> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such rollout file (make one with gnnsim rollout RUN_DIR --out {path})");
        var stored = RolloutFile.Read(path);
        if (stored.Count == 0) throw new InvalidDataException($"{path}: the rollout file holds no cases");
        return stored.Select(s => From(s, path)).ToList();
    }

    public static RolloutView From(StoredRollout rollout, string source)
    {
        var positions = rollout.Positions.Select(p => (double)p).ToArray();
        PlotDomain domain;
        try
        {
            if (rollout.GridShape is { } grid && rollout.CellOfNode is not null)
                domain = GridDomain.FromCellCentres(grid.Width, grid.Height, rollout.CellOfNode, positions);
            else if (rollout.Cells is not null)
                domain = new TriangleDomain(positions, rollout.Cells);
            else
                throw new InvalidDataException($"{source}: case {rollout.Case} has neither cells nor a grid, so there is no field to draw");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: case {rollout.Case}: {e.Message}");
        }
        var view = new RolloutView(rollout.Case, domain, rollout.Fields, rollout.Steps, rollout.Truth, rollout.Prediction,
            rollout.NodeTypes, rollout.NodeTypes.Select(SimulationTrajectory.IsPredicted).ToArray(), rollout.Dt, rollout.StartFrame)
        {
            CaseParameters = rollout.CaseParameters,
        };
        view.Check();
        return view;
    }

    /// <summary>A case by name or by index; the first when none is asked for.</summary>
    public static RolloutView Pick(IReadOnlyList<RolloutView> rollouts, string? which, string source)
    {
        if (which is null) return rollouts[0];
        var named = rollouts.FirstOrDefault(r => r.Case == which);
        if (named is not null) return named;
        if (int.TryParse(which, out var index) && index >= 0 && index < rollouts.Count) return rollouts[index];
        throw new ArgumentException($"{source} has no case '{which}'; its cases are {string.Join(", ", rollouts.Select((r, i) => $"{i}: {r.Case}"))}");
    }

    /// <summary>The field a picture shows unless told otherwise: the speed when there is a velocity, else the first field.</summary>
    public static string DefaultField(RolloutView rollout) => rollout.PlottableFields.Contains(RolloutView.Speed) ? RolloutView.Speed : rollout.Fields[0];
}
