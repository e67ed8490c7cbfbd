using System.Text.Json;
using System.Text.Json.Nodes;
using GnnSim.Solvers;

namespace GnnSim.Datasets.CfdBench;

/// <summary>case.json: a flat JSON object of numbers under CFDBench's keys (extra keys are kept and ignored).</summary>
public static class CaseJson
{
    /// <summary>Every numeric entry of the file; non-numeric entries are skipped.</summary>
    public static Dictionary<string, double> ReadValues(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (FileNotFoundException) { throw new InvalidDataException($"{path}: file not found"); }
        catch (DirectoryNotFoundException) { throw new InvalidDataException($"{path}: file not found"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message})"); }
        if (root is not JsonObject obj) throw new InvalidDataException($"{path}: expected a JSON object");
        var values = new Dictionary<string, double>();
        try
        {
            foreach (var (key, node) in obj)
                if (node is JsonValue value && value.TryGetValue(out double number)) values[key] = number;
        }
        catch (ArgumentException e) // the object is built on first use, and a key written twice fails there
        {
            throw new InvalidDataException($"{path}: a key appears twice ({e.Message})");
        }
        return values;
    }

    /// <summary>Reads the case parameters of a problem; a missing or non-numeric key names the file.</summary>
    public static CfdBenchCase Read(string path, CfdProblem problem)
    {
        var values = ReadValues(path);
        foreach (var key in CfdBenchCase.Keys(problem))
            if (!values.ContainsKey(key)) throw new InvalidDataException($"{path}: missing numeric key '{key}' for the {CfdBenchCase.Name(problem)} problem");
        try { return CfdBenchCase.FromParameters(problem, values); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
    }

    /// <summary>Writes the case's parameters plus any extra entries, atomically.</summary>
    public static void Write(string path, CfdBenchCase @case, IEnumerable<KeyValuePair<string, double>>? extra = null)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in @case.Parameters) obj[key] = value;
        if (extra is not null) foreach (var (key, value) in extra) obj[key] = value;
        string text = obj.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.Write(path, stream => { using var writer = new StreamWriter(stream); writer.Write(text); });
    }
}
