using System.CommandLine;
using System.Globalization;
using GnnSim.Datasets.CfdBench;
using GnnSim.Training.Experiments;
using GnnSim.Training.Objectives;
using Spectre.Console;

namespace GnnSim.Cli.Commands;

/// <summary><c>gnnsim models</c>: the registered operators, their default sizes, and a config's parameter count.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "an experiment YAML: also build its model for its training data and count the parameters" };
        var set = new Option<string[]>("--set") { Description = "override a config key, as in train (repeatable)" };
        var command = new Command("models", "List the operators a config's model.name can name, with their default sizes.") { config, set };
        command.SetAction(result =>
        {
            foreach (var registration in OperatorRegistry.All)
            {
                AnsiConsole.MarkupLineInterpolated($"[bold]{registration.Name}[/]  {registration.Description}");
                AnsiConsole.MarkupLineInterpolated($"  defaults: {Options(registration, registration.DefaultOptions())}");
            }
            if (result.GetValue(config) is not { } path) return 0;

            var experiment = ExperimentConfig.Load(path, result.GetValue(set) ?? []);
            if (experiment.Training.Objective == MeshMovementObjective.ObjectiveName)
            {
                var mesh = Experiment.LoadMovementSamples(experiment, DataSplit.Train, maxCases: 1)[0];
                using var mover = Experiment.CreateMover(experiment);
                AnsiConsole.MarkupLineInterpolated($"{path}: {experiment.Model.Name} ({Options(experiment.Model.Registration, experiment.Model.Options)})");
                AnsiConsole.MarkupLineInterpolated($"  for {mesh.Name} ({mesh.Mesh.NodeCount:N0} nodes): {mover.Objective.Widths.NodeInputs} node inputs (coordinates, monitor, boundary mask), {mover.Objective.Widths.Outputs} outputs (the new coordinates)");
                AnsiConsole.MarkupLineInterpolated($"  [bold]{mover.Model.parameter_count():N0}[/] trained parameters");
                return 0;
            }
            if (experiment.IsParticleFormat)
            {
                var particles = Experiment.LoadParticleTrajectories(experiment, DataSplit.Train, maxCases: 1);
                experiment.Data.ConnectivityRadius = Experiment.ConnectivityRadius(experiment, particles);
                using var particleSimulator = Experiment.CreateParticleSimulator(experiment, particles[0].Dimension);
                var particleWidths = particleSimulator.Objective.Widths;
                AnsiConsole.MarkupLineInterpolated($"{path}: {experiment.Model.Name} ({Options(experiment.Model.Registration, experiment.Model.Options)})");
                AnsiConsole.MarkupLineInterpolated($"  for {particles[0].Name} ({particles[0].ParticleCount:N0} particles, radius {experiment.Data.ConnectivityRadius:G4}): {particleWidths.NodeInputs} node inputs (velocities, wall distances, type one-hot), {particleWidths.EdgeInputsOf(GnnSim.Operators.OperatorBatch.RadiusEdges)} radius edge inputs, {particleWidths.Outputs} outputs (the acceleration)");
                AnsiConsole.MarkupLineInterpolated($"  [bold]{particleSimulator.Model.parameter_count():N0}[/] trained parameters");
                return 0;
            }
            var sample = Experiment.LoadTrajectories(experiment, DataSplit.Train, maxCases: 1)[0];
            using var simulator = Experiment.CreateSimulator(experiment, sample);
            var widths = simulator.Objective.Widths;
            AnsiConsole.MarkupLineInterpolated($"{path}: {experiment.Model.Name} ({Options(experiment.Model.Registration, experiment.Model.Options)})");
            AnsiConsole.MarkupLineInterpolated($"  for {sample.Name} ({sample.NodeCount:N0} nodes, fields {string.Join(", ", sample.FieldNames)}, {sample.Parameters.Length} case parameters): {widths.NodeInputs} node inputs, {string.Join(", ", widths.EdgeInputs.Select(e => $"{e.Value} {e.Key} edge inputs"))}, {widths.Outputs} outputs");
            AnsiConsole.MarkupLineInterpolated($"  [bold]{simulator.Model.parameter_count():N0}[/] trained parameters");
            return 0;
        });
        return command;
    }

    private static string Options(OperatorRegistration registration, GnnSim.Operators.IOperatorOptions options) =>
        string.Join(", ", registration.Values(options).Select(v => $"{v.Key} {Convert.ToString(v.Value, CultureInfo.InvariantCulture)}"));
}
