using System.Globalization;

namespace GnnSim.Operators.Training;

/// <summary>One line of a run's metrics.csv: the mean loss over the log interval ending at <see cref="Step"/>.</summary>
public sealed record TrainingLogEntry(int Step, double Loss, double LearningRate, double StepsPerSecond, double ElapsedSeconds);

/// <summary>Reads the training log the <see cref="Trainer"/> appends to (metrics.csv).</summary>
public static class TrainingLog
{
    private const string Header = "step,loss,learning_rate,steps_per_second,elapsed_seconds";

    /// <summary>The log's entries in order; an empty list when the run has not logged yet.</summary>
    public static List<TrainingLogEntry> Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, Trainer.MetricsCsv);
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return [];
        if (lines[0].Trim() != Header) throw new InvalidDataException($"{path}: the header is '{lines[0]}', expected '{Header}'");
        var entries = new List<TrainingLogEntry>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var cells = lines[i].Split(',');
            // NaN is what a diverged run logs; it is read back as NaN, not refused.
            if (cells.Length != 5 || !int.TryParse(cells[0], CultureInfo.InvariantCulture, out var step)
                || !cells.Skip(1).All(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                throw new InvalidDataException($"{path}: line {i + 1} '{lines[i]}' is not five numbers (step, loss, learning rate, steps/s, seconds)");
            double Number(int column) => double.Parse(cells[column], NumberStyles.Float, CultureInfo.InvariantCulture);
            entries.Add(new TrainingLogEntry(step, Number(1), Number(2), Number(3), Number(4)));
        }
        return entries;
    }
}
