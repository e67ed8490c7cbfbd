using System.Text.Json;
using GnnSim.Datasets;
using GnnSim.Torch;
using GnnSim.Torch.Optimizers;

namespace GnnSim.Training;

/// <summary>
/// A training run's state in one torch.save file (Python's torch.load opens it): the operator's
/// parameters (<c>model.*</c>, keyed as its PyTorch twin keys them), the objective's normalizer
/// statistics (<c>objective.*</c>), the optimizer's moments (<c>optimizer.*</c>),
/// and the loop's step, elapsed time and libtorch generator state (<c>trainer.*</c>). The schedule
/// is a function of the step, so the step restores it. Written to a temporary name and renamed, so a
/// crash mid-write leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    public const string FileName = "checkpoint.pt";
    public const string SummaryFileName = "checkpoint.json";

    public static void Save(string runDirectory, LearnedSimulator simulator, Optimizer optimizer, int step, double elapsedSeconds, double? lastLoss)
    {
        // The scope frees the fresh copies made here (optimizer counters, trainer entries); the
        // model's and the optimizer's own tensors belong to no scope and stay.
        using var scope = torch.NewDisposeScope();
        var entries = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in simulator.state_dict()) entries[name] = tensor;
        foreach (var (name, tensor) in optimizer.state_dict()) entries[$"optimizer.{name}"] = tensor;
        entries["trainer.step"] = torch.tensor(new long[] { step });
        entries["trainer.elapsed_seconds"] = torch.tensor(new double[] { elapsedSeconds });
        entries["trainer.rng_state"] = torch.get_rng_state();
        AtomicFile.Replace(Path.Combine(runDirectory, FileName), temporary => torch.save(entries, temporary));

        // The run's memory high-water mark over all its sessions (a resume is a new process): what a machine needs to train it.
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var peak = Math.Max(self.PeakWorkingSet64, ReadResources(runDirectory)?.PeakResidentBytes ?? 0);
        var summary = new
        {
            step, elapsed_seconds = Math.Round(elapsedSeconds, 2), loss = lastLoss, saved = DateTime.UtcNow.ToString("o"),
            parameters = simulator.parameter_count(), peak_resident_bytes = peak,
        };
        AtomicFile.WriteAllText(Path.Combine(runDirectory, SummaryFileName), JsonSerializer.Serialize(summary,
            new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
    }

    public static bool Exists(string runDirectory) => File.Exists(Path.Combine(runDirectory, FileName));

    /// <summary>The step and training time checkpoint.json records, without loading the weights; null when there is none.</summary>
    public static (int Step, double ElapsedSeconds)? ReadSummary(string runDirectory)
    {
        var path = Path.Combine(runDirectory, SummaryFileName);
        if (!File.Exists(path)) return null;
        try
        {
            using var summary = JsonDocument.Parse(File.ReadAllText(path));
            return (summary.RootElement.GetProperty("step").GetInt32(), summary.RootElement.GetProperty("elapsed_seconds").GetDouble());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a checkpoint summary ({e.Message})");
        }
    }

    /// <summary>
    /// The operator's parameter count and the training processes' peak resident memory that checkpoint.json
    /// records; null when there is no summary, each value null in summaries written before it was recorded.
    /// </summary>
    public static (long? Parameters, long? PeakResidentBytes)? ReadResources(string runDirectory)
    {
        var path = Path.Combine(runDirectory, SummaryFileName);
        if (!File.Exists(path)) return null;
        try
        {
            using var summary = JsonDocument.Parse(File.ReadAllText(path));
            long? Value(string name) => summary.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
            return (Value("parameters"), Value("peak_resident_bytes"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a checkpoint summary ({e.Message})");
        }
    }

    /// <summary>Loads the operator's weights and the objective's statistics only (rollout and evaluation).</summary>
    public static void LoadModel(string runDirectory, LearnedSimulator simulator)
    {
        var entries = Read(runDirectory);
        try { simulator.load_state_dict(SimulatorEntries(entries)); }
        catch (ArgumentException e) { throw new InvalidDataException($"{Path.Combine(runDirectory, FileName)}: {e.Message}"); }
        finally { foreach (var t in entries.Values) t.Dispose(); }
    }

    /// <summary>Restores operator, objective, optimizer and generator; returns the step and elapsed time to continue from.</summary>
    public static (int Step, double ElapsedSeconds) Restore(string runDirectory, LearnedSimulator simulator, Optimizer optimizer)
    {
        var path = Path.Combine(runDirectory, FileName);
        var entries = Read(runDirectory);
        try
        {
            simulator.load_state_dict(SimulatorEntries(entries));
            optimizer.load_state_dict(Section(entries, "optimizer."));
            if (!entries.TryGetValue("trainer.step", out var step) || !entries.TryGetValue("trainer.rng_state", out var rng) || !entries.TryGetValue("trainer.elapsed_seconds", out var elapsed))
                throw new InvalidDataException($"{path}: not a GnnSim training checkpoint (no trainer.step / trainer.rng_state)");
            torch.set_rng_state(rng);
            return ((int)step.item_long(), elapsed.item());
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: does not fit this run's model: {e.Message}"); }
        finally { foreach (var t in entries.Values) t.Dispose(); }
    }

    private static Dictionary<string, Tensor> Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no checkpoint (train first, or check the run directory)", path);
        try { return torch.load(path); }
        catch (TorchException e) { throw new InvalidDataException($"{path}: unreadable checkpoint: {e.Message}"); }
    }

    private static Dictionary<string, Tensor> SimulatorEntries(Dictionary<string, Tensor> entries) =>
        entries.Where(e => e.Key.StartsWith("model.", StringComparison.Ordinal) || e.Key.StartsWith("objective.", StringComparison.Ordinal)).ToDictionary();

    private static Dictionary<string, Tensor> Section(Dictionary<string, Tensor> entries, string prefix) =>
        entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(e => e.Key[prefix.Length..], e => e.Value);
}
