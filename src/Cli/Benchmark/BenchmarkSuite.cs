using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace GnnSim.Cli.Benchmark;

/// <summary>
/// A benchmark suite (configs/benchmark/*.yaml): problems, each a dataset recipe that one of our
/// generators makes and the operators that apply to it, each entry an experiment config with
/// overrides and a training budget (steps, and optionally wall-clock minutes); every entry is
/// trained once per seed. Keys are snake_case and unknown keys are errors, as in experiment configs.
/// Relative config paths are relative to the suite file.
/// </summary>
internal sealed class BenchmarkSuite
{
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>Every entry is trained once per seed (training.seed); the data and its split stay the same.</summary>
    public List<int> Seeds { get; set; } = [0];
    public List<Problem> Problems { get; set; } = [];

    /// <summary>Where the suite file is: relative config paths start here.</summary>
    [YamlIgnore]
    public string Directory { get; private set; } = ".";

    public sealed class Problem
    {
        public string Name { get; set; } = "";
        public DataRecipe Data { get; set; } = new();
        public List<Entry> Entries { get; set; } = [];
    }

    /// <summary>
    /// How the problem's data is made: <c>generator</c> names a <c>gnnsim generate</c> subcommand
    /// (cfdbench, cylinder-mesh, mpm, helmholtz) and <c>options</c> are its command-line options
    /// (<c>trajectories: 10</c> is <c>--trajectories 10</c>); cfdbench generates each of
    /// <c>subsets</c> and trains on them together, scoring each subset's test cases apart.
    /// <c>test</c> (not for cfdbench, whose split is CFDBench's own) makes a held-out test set with
    /// the same generator: its options over <c>options</c>, e.g. another seed and count. The runs
    /// then train on all of the data and are scored on that set (data.eval_path), so the score does
    /// not rest on the one or two trajectories an 80/10/10 split of a small set leaves for testing.
    /// </summary>
    public sealed class DataRecipe
    {
        public string Generator { get; set; } = "";
        public List<string> Subsets { get; set; } = [];
        public Dictionary<string, object?> Options { get; set; } = [];
        public Dictionary<string, object?>? Test { get; set; }

        /// <summary>The held-out test set's generator options: <see cref="Options"/> with <see cref="Test"/>'s over them; null without one.</summary>
        public Dictionary<string, object?>? TestOptions()
        {
            if (Test is null) return null;
            var options = new Dictionary<string, object?>(Options); // a replaced value keeps its key's place, so the plan reads in the options' order
            foreach (var (key, value) in Test) options[key] = value;
            return options;
        }
    }

    public sealed class Entry
    {
        public string Name { get; set; } = "";
        public string Config { get; set; } = "";
        /// <summary>Config overrides, as <c>--set key=value</c> takes them (data.path is the suite's own).</summary>
        public Dictionary<string, object?> Set { get; set; } = [];
        /// <summary>training.steps: the schedule's length and the most steps trained.</summary>
        public int Steps { get; set; }
        /// <summary>training.max_minutes: a wall-clock budget that may stop training before <see cref="Steps"/> (null: none).</summary>
        public double? Minutes { get; set; }
    }

    public static readonly string[] Generators = ["cfdbench", "cylinder-mesh", "mpm", "helmholtz"];

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    public static BenchmarkSuite Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such suite file");
        BenchmarkSuite suite;
        try { suite = Deserializer.Deserialize<BenchmarkSuite>(File.ReadAllText(path)) ?? new BenchmarkSuite(); }
        catch (YamlException e) { throw new InvalidDataException($"{path}: {e.InnerException?.Message ?? e.Message} (line {e.Start.Line})"); }
        suite.Directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        suite.Validate(path);
        return suite;
    }

    /// <summary>The entry's experiment config file, resolved against the suite file's folder.</summary>
    public string ConfigPath(Entry entry) => Path.GetFullPath(Path.Combine(Directory, entry.Config));

    /// <summary>An override value as <c>--set</c> reads it: scalars as they are, lists as <c>[a, b]</c>.</summary>
    public static string SetValue(object? value) => value switch
    {
        null => "null",
        IEnumerable<object?> list when value is not string => "[" + string.Join(", ", list.Select(SetValue)) + "]",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private void Validate(string source)
    {
        void Require(bool ok, string what) { if (!ok) throw new InvalidDataException($"{source}: {what}"); }
        static bool IsName(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        Require(IsName(Name), $"name = '{Name}': the suite needs a name of letters, digits, - and _");
        Require(Seeds.Count >= 1 && Seeds.Distinct().Count() == Seeds.Count && Seeds.All(s => s >= 0), $"seeds = [{string.Join(", ", Seeds)}]: distinct seeds, at least one, none negative");
        Require(Problems.Count >= 1, "problems: the suite has none");
        Require(Problems.Select(p => p.Name).Distinct().Count() == Problems.Count, "problems: two have the same name");
        foreach (var problem in Problems)
        {
            var where = $"problem '{problem.Name}'";
            Require(IsName(problem.Name), $"{where}: a name of letters, digits, - and _");
            Require(Generators.Contains(problem.Data.Generator), $"{where}: data.generator = '{problem.Data.Generator}': one of {string.Join(", ", Generators)}");
            Require(problem.Data.Generator == "cfdbench" ? problem.Data.Subsets.Count >= 1 && problem.Data.Subsets.All(s => s is "bc" or "prop" or "geo") && problem.Data.Subsets.Distinct().Count() == problem.Data.Subsets.Count
                : problem.Data.Subsets.Count == 0, $"{where}: data.subsets: cfdbench names distinct subsets among bc, prop and geo; other generators have none");
            Require(problem.Data.Generator != "cfdbench" || problem.Data.Options.ContainsKey("problem"), $"{where}: data.options.problem: cfdbench needs the problem (cavity, tube, dam or cylinder)");
            foreach (var key in problem.Data.Options.Keys.Concat(problem.Data.Test?.Keys ?? Enumerable.Empty<string>()))
                Require(IsName(key) && key is not ("out" or "subset"), $"{where}: data options {key}: not an option the suite may set (out and subset are the suite's own)");
            Require(problem.Data.Test is null || problem.Data.Generator != "cfdbench", $"{where}: data.test: cfdbench data is split as CFDBench splits it; a held-out test set is for the other generators");
            Require(problem.Data.Test is not { Count: 0 }, $"{where}: data.test: give the options that make the test set differ (at least another seed)");
            Require(problem.Entries.Count >= 1, $"{where}: no entries");
            Require(problem.Entries.Select(e => e.Name).Distinct().Count() == problem.Entries.Count, $"{where}: two entries have the same name");
            foreach (var entry in problem.Entries)
            {
                var at = $"{where}, entry '{entry.Name}'";
                Require(IsName(entry.Name), $"{at}: a name of letters, digits, - and _");
                Require(entry.Config.Length > 0 && File.Exists(ConfigPath(entry)), $"{at}: config = '{entry.Config}': no such file (relative paths start at {Directory})");
                Require(entry.Steps >= 1, $"{at}: steps = {entry.Steps}: at least 1");
                Require(entry.Minutes is null or > 0, $"{at}: minutes = {entry.Minutes}: positive, or left out");
                foreach (var key in entry.Set.Keys)
                    Require(key.Contains('.') && key is not ("data.path" or "data.eval_path" or "training.seed" or "training.steps" or "training.max_minutes"),
                        $"{at}: set.{key}: a config key (section.key) that the suite does not set itself (data.path, data.eval_path, training.seed, training.steps and training.max_minutes are)");
            }
        }
    }
}
