using System.Globalization;
using GnnSim.Operators;
using GnnSim.Training.Objectives;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace GnnSim.Training.Experiments;

/// <summary>
/// One experiment, as a YAML file: the model, the data, the optimizer and its schedule, the training
/// loop (objective, steps, batch, noise, push-forward, unrolling) and the evaluation. Keys are
/// snake_case; unknown keys are errors, so a typo never silently falls back to a default. The
/// <c>model:</c> section is the named operator's own options record (<see cref="OperatorRegistry"/>).
/// The effective config (file plus <c>--set</c> overrides) is saved beside the checkpoint.
/// </summary>
public sealed class ExperimentConfig
{
    [YamlIgnore]
    public ModelSection Model { get; set; } = new();
    public DataSection Data { get; set; } = new();
    public OptimizerSection Optimizer { get; set; } = new();
    public TrainingSection Training { get; set; } = new();
    public EvaluationSection Evaluation { get; set; } = new();

    /// <summary>The operator: its registered name and its options record.</summary>
    public sealed class ModelSection
    {
        public const string DefaultName = "meshgraphnet";
        public string Name { get; set; } = DefaultName;
        public IOperatorOptions Options { get; set; } = OperatorRegistry.Find(DefaultName)!.DefaultOptions();
        public OperatorRegistration Registration => OperatorRegistry.Find(Name)!;
    }

    public sealed class DataSection
    {
        /// <summary>
        /// cfdbench (a CFDBench-layout root), mesh (an HDF5 file of mesh trajectories), npz (MeshGraphNets-layout
        /// .npz files), xdmf (XDMF + HDF5 as meshio writes it) or vtu (ParaView .pvd series, or single .vtu files);
        /// npz, xdmf and vtu: a file or a folder of them, one trajectory each; particles (GnnSim's HDF5 particle file,
        /// as generate mpm writes it) or gns (a learning_to_simulate folder: metadata.json and train/valid/test.tfrecord).
        /// </summary>
        public string Format { get; set; } = "cfdbench";
        public string Path { get; set; } = "data";
        /// <summary>npz, xdmf and vtu: seconds between frames where the files do not record it (.npz files never do; DeepMind's cylinder_flow: 0.01).</summary>
        public double? Dt { get; set; }
        /// <summary>mesh, npz, xdmf and vtu: node types from the geometry instead of the files' (<c>left=inflow,right=outflow,top=wall,bottom=wall,holes=obstacle</c>), for data that carries none.</summary>
        public string? Boundary { get; set; }
        /// <summary>mesh, npz, xdmf and vtu: a separate file (or folder) for the dev and test splits (DeepMind's valid/test).</summary>
        public string? EvalPath { get; set; }
        public string Problem { get; set; } = "cavity";
        public List<string> Subsets { get; set; } = ["bc"];
        /// <summary>mesh only: the node fields that make the state (velocity, pressure, ...).</summary>
        public List<string> Fields { get; set; } = ["velocity"];
        /// <summary>
        /// Case parameters given to the model as node inputs, by name: for mesh files HDF5 attributes of
        /// the trajectories; for CFDBench the names of its parameter vector (normalized as CFDBench does).
        /// Unset: none for mesh files (as DeepMind), CFDBench's whole vector for CFDBench cases.
        /// </summary>
        public List<string>? Parameters { get; set; }
        /// <summary>cfdbench only: 4 or 8 neighbours per grid node.</summary>
        public int Neighbours { get; set; } = 4;
        public int SplitSeed { get; set; } = 0;
        /// <summary>At most this many trajectories per split (all when unset).</summary>
        public int? MaxCases { get; set; }
        /// <summary>particles and gns: particles closer than this are connected (unset: the data's connectivity_radius, as GNS's metadata gives it).</summary>
        public double? ConnectivityRadius { get; set; }
    }

    public sealed class OptimizerSection
    {
        public string Name { get; set; } = "adam";
        public double LearningRate { get; set; } = 1e-4;
        /// <summary>exponential (DeepMind: lr = floor + (lr0 - floor) 0.1^(step / decay_steps)), cosine (with warm-up) or constant.</summary>
        public string Schedule { get; set; } = "exponential";
        public double FinalLearningRate { get; set; } = 1e-6;
        /// <summary>exponential: steps per tenfold decay (default: the run's steps).</summary>
        public int? DecaySteps { get; set; }
        public int WarmupSteps { get; set; } = 0;
        public double WeightDecay { get; set; } = 0;
        /// <summary>Adam's (beta1, beta2): PyTorch's (0.9, 0.999) unless set (graph-physics trains its transformers with (0.9, 0.95)).</summary>
        public List<double> Betas { get; set; } = [0.9, 0.999];
        /// <summary>Clip the global gradient norm to this (0: no clipping).</summary>
        public double GradientClip { get; set; } = 1.0;
    }

    public sealed class TrainingSection
    {
        /// <summary>What is learned: next_state (the state one step later on fixed nodes), mesh_movement (new node positions of single meshes, the mesh movers') or particle_dynamics (particle accelerations on a radius graph rebuilt every step, GNS's).</summary>
        public string Objective { get; set; } = NextStateObjective.ObjectiveName;
        public int Steps { get; set; } = 10_000;
        /// <summary>A wall-clock budget: training stops (and checkpoints) once this many minutes of training have passed, whatever the step (the schedule still spans training.steps).</summary>
        public double? MaxMinutes { get; set; }
        /// <summary>Graphs (trajectory, frame pairs) per step, joined into one graph.</summary>
        public int BatchSize { get; set; } = 1;
        /// <summary>Std of the Gaussian noise added to the state of NORMAL nodes (DeepMind: 0.02 for cylinder flow); particle_dynamics: of the random-walk noise on the input positions at the newest step (GNS: 6.7e-4 for water).</summary>
        public double NoiseStd { get; set; } = 0.02;
        /// <summary>particle_dynamics: past velocities in the node inputs (GNS: 5).</summary>
        public int VelocityHistory { get; set; } = 5;
        /// <summary>particle_dynamics: the share of the particles the graph is built on (1: all, GNS; GIOROM trains on 0.06 to 0.33); the radius widens by fraction^(-1/D).</summary>
        public double ParticleFraction { get; set; } = 1;
        /// <summary>particle_dynamics: how the share is drawn, random or farthest (farthest-point sampling).</summary>
        public string ParticleSampling { get; set; } = ParticleDynamicsObjective.RandomSampling;
        /// <summary>particle_dynamics with a sparse sample and an operator with a neural field (giorom): the weight of the dense-reconstruction loss (0: the field is not trained).</summary>
        public double ReconstructionLossWeight { get; set; } = 1;
        /// <summary>Push-forward: roll this many steps without gradient before the trained step (0: plain one-step training).</summary>
        public int PushforwardSteps { get; set; } = 0;
        /// <summary>Each training step draws its push-forward count uniformly from 0..pushforward_steps (Brandstetter et al.'s push-forward trick), so the model learns both from the true state and from its own drifted ones; false: always pushforward_steps.</summary>
        public bool RandomPushforward { get; set; } = false;
        /// <summary>Steps rolled with gradient through them, their losses summed (1: one-step training).</summary>
        public int UnrollSteps { get; set; } = 1;
        /// <summary>Whether each unrolled step's input is detached from the graph of the step before (PhysGTO's code does so); false: the gradient runs through every step.</summary>
        public bool DetachUnrolled { get; set; } = false;
        /// <summary>mse (on normalized targets, DeepMind) or relative_l2 (on de-normalized fields, per graph, PhysGTO).</summary>
        public string Loss { get; set; } = NextStateObjective.MseLoss;
        /// <summary>The units the operator predicts the change in: change (normalized by the change's statistics, MeshGraphNets) or state (divided by the state's std, PhysGTO).</summary>
        public string ChangeScale { get; set; } = NextStateObjective.ChangeUnits;
        /// <summary>mesh_movement: the weight of the MSE of the coordinates against the classical mover's (UM2N's shipped config: 0).</summary>
        public double CoordinateLossWeight { get; set; } = 0;
        /// <summary>mesh_movement: the weight of the cell-area loss (100 sum |A - A*|; UM2N: 1).</summary>
        public double AreaLossWeight { get; set; } = 1;
        /// <summary>mesh_movement: the weight of the Chamfer distance (UM2N: 1).</summary>
        public double ChamferLossWeight { get; set; } = 1;
        /// <summary>mesh_movement: the weight of the data-free term, the Monge-Ampere residual of the output mesh (needs no classical mover's mesh; UM2N has none).</summary>
        public double MongeAmpereLossWeight { get; set; } = 0;
        /// <summary>Steps at the start that only accumulate normalizer statistics (DeepMind: 1000).</summary>
        public int NormalizerWarmupSteps { get; set; } = 0;
        public ulong Seed { get; set; } = 0;
        public int CheckpointEvery { get; set; } = 500;
        public int LogEvery { get; set; } = 50;
        /// <summary>cpu or cuda[:N].</summary>
        public string Device { get; set; } = "cpu";
        /// <summary>float32, or bf16: automatic mixed precision (torch.autocast) over the forward pass and the loss of every training step.</summary>
        public string Precision { get; set; } = "float32";
        /// <summary>Multi-process runs: how long a rank waits for the others (joining, or in a collective) before the run fails naming who is behind.</summary>
        public double DistributedTimeoutSeconds { get; set; } = 300;
        /// <summary>How many steps with a NaN or infinite loss or gradient norm are skipped (the step changes nothing) before training stops; 0: the first stops it.</summary>
        public int SkipNonfiniteSteps { get; set; } = 0;
    }

    public sealed class EvaluationSection
    {
        /// <summary>dev or test.</summary>
        public string Split { get; set; } = "test";
        public int StartFrame { get; set; } = 0;
        /// <summary>Steps to roll out (0: to the end of each trajectory).</summary>
        public int RolloutSteps { get; set; } = 0;
        public int? MaxCases { get; set; }
    }

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    /// <summary>Reads a YAML file, applies <c>key.path=value</c> overrides, and validates the result.</summary>
    public static ExperimentConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{path}: config file not found", path, e);
        }
        return Parse(text, path, overrides);
    }

    public static ExperimentConfig Parse(string yaml, string source, IEnumerable<string>? overrides = null)
    {
        Dictionary<object, object?> tree;
        try
        {
            tree = Deserializer.Deserialize<Dictionary<object, object?>>(yaml) ?? [];
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{source}: not valid YAML at line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}");
        }
        foreach (var assignment in overrides ?? []) Apply(tree, assignment);
        // A section with nothing under it (`data:` alone) is that section's defaults.
        foreach (var empty in tree.Where(e => e.Value is null).Select(e => e.Key).ToList()) tree.Remove(empty);
        var modelTree = tree.Remove("model", out var model) ? model : null;
        ExperimentConfig config;
        try
        {
            if (tree.Keys.FirstOrDefault(k => k is not string key || key is not ("data" or "optimizer" or "training" or "evaluation")) is { } unknown)
                throw new InvalidDataException($"{source}: unknown section '{unknown}' (model, data, optimizer, training, evaluation)");
            var normalized = new SerializerBuilder().Build().Serialize(tree);
            config = Deserializer.Deserialize<ExperimentConfig>(normalized) ?? new ExperimentConfig();
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{source}: {e.InnerException?.Message ?? e.Message}");
        }
        config.Model = ParseModel(modelTree, source);
        config.Validate(source);
        return config;
    }

    /// <summary>
    /// The <c>model:</c> section: <c>name</c> picks the registered operator, every other key must be
    /// one of its options; values are checked by the options record, errors name the key.
    /// </summary>
    private static ModelSection ParseModel(object? tree, string source)
    {
        if (tree is null) return new ModelSection();
        if (tree is not Dictionary<object, object?> section) throw new InvalidDataException($"{source}: model must be a mapping (name: ..., and the operator's options)");
        var name = section.TryGetValue("name", out var n) ? Convert.ToString(n, CultureInfo.InvariantCulture) ?? "" : ModelSection.DefaultName;
        var registration = OperatorRegistry.Find(name)
            ?? throw new InvalidDataException($"{source}: model.name = {name}: known operators: {OperatorRegistry.Names}");
        var keys = registration.Keys.Select(k => k.Key).ToList();
        var options = section.Where(e => !Equals(e.Key, "name")).ToDictionary(e => e.Key, e => e.Value);
        foreach (var key in options.Keys)
            if (key is not string k || !keys.Contains(k))
                throw new InvalidDataException($"{source}: model.{key}: not an option of {name} (its options: {string.Join(", ", keys)})");
        IOperatorOptions parsed;
        try
        {
            var yaml = new SerializerBuilder().Build().Serialize(options);
            parsed = (IOperatorOptions)(Deserializer.Deserialize(options.Count == 0 ? "{}" : yaml, registration.OptionsType) ?? registration.DefaultOptions());
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{source}: model: {e.InnerException?.Message ?? e.Message}");
        }
        if (parsed.Check().FirstOrDefault() is { } problem)
            throw new InvalidDataException($"{source}: model.{problem.Key} = {Convert.ToString(problem.Value, CultureInfo.InvariantCulture)}: {problem.Rule}");
        return new ModelSection { Name = name, Options = parsed };
    }

    /// <summary>Sets <c>section.key=value</c> in the raw tree; the value is parsed as YAML (numbers, lists [a, b], strings).</summary>
    private static void Apply(Dictionary<object, object?> tree, string assignment)
    {
        var equals = assignment.IndexOf('=');
        if (equals <= 0) throw new ArgumentException($"--set '{assignment}': expected key.path=value");
        var keys = assignment[..equals].Trim().Split('.');
        var valueText = assignment[(equals + 1)..];
        object? value;
        try { value = Deserializer.Deserialize<object?>(valueText); }
        catch (YamlException) { value = valueText; }
        var node = tree;
        foreach (var key in keys[..^1])
        {
            if (!node.TryGetValue(key, out var child) || child is not Dictionary<object, object?> childTree)
            {
                childTree = [];
                node[key] = childTree;
            }
            node = childTree;
        }
        node[keys[^1]] = value;
    }

    /// <summary>The whole config as YAML (every key, defaults included), <c>model:</c> first; <see cref="Parse"/> reads it back.</summary>
    public string ToYaml()
    {
        var serializer = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance)
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.Preserve).Build();
        var model = new Dictionary<string, object?> { ["name"] = Model.Name };
        foreach (var (key, value) in Model.Registration.Values(Model.Options)) model[key] = value;
        return serializer.Serialize(new Dictionary<string, object> { ["model"] = model }) + serializer.Serialize(this);
    }

    /// <summary>Whether data.format names particle data (particles or gns).</summary>
    [YamlIgnore]
    public bool IsParticleFormat => Data.Format is "particles" or "gns";

    /// <summary>Range checks with the key's name, so the error points at the line to fix.</summary>
    public void Validate(string source)
    {
        void Require(bool ok, string key, object? value, string rule)
        {
            if (!ok) throw new InvalidDataException($"{source}: {key} = {Convert.ToString(value, CultureInfo.InvariantCulture)}: {rule}");
        }
        Require(Data.Format is "cfdbench" or "mesh" or "npz" or "xdmf" or "vtu" or "particles" or "gns", "data.format", Data.Format, "cfdbench, mesh, npz, xdmf, vtu, particles or gns");
        // A key given with no value deserializes to null: the lists must be lists, empty or not.
        Require(Data.Subsets is not null, "data.subsets", null, "a list of subsets, e.g. [bc]");
        Require(Data.Fields is not null, "data.fields", null, "a list of node fields, e.g. [velocity]");
        Require(Data.Problem is not null, "data.problem", null, "cavity, tube, dam or cylinder");
        Require(Data.ConnectivityRadius is null or (> 0 and < double.PositiveInfinity), "data.connectivity_radius", Data.ConnectivityRadius, "must be positive (the distance within which particles are connected)");
        Require(Data.Boundary is null || Data.Format != "cfdbench", "data.boundary", Data.Boundary, "types mesh nodes; CFDBench cases have their own");
        if (Data.Boundary is { } boundary)
        {
            try { GnnSim.Meshing.BoundaryClassifier.ParseSpec(boundary); }
            catch (ArgumentException e) { Require(false, "data.boundary", boundary, e.Message); }
        }
        Require(Data.Dt is null or > 0, "data.dt", Data.Dt, "must be positive (seconds between frames)");
        Require(!string.IsNullOrWhiteSpace(Data.Path), "data.path", Data.Path, "must name the data");
        Require(Data.Neighbours is 4 or 8, "data.neighbours", Data.Neighbours, "4 or 8");
        Require(Data.MaxCases is null or >= 1, "data.max_cases", Data.MaxCases, "must be at least 1");
        Require(Optimizer.Name is "adam" or "adamw", "optimizer.name", Optimizer.Name, "adam or adamw");
        Require(Optimizer.LearningRate > 0, "optimizer.learning_rate", Optimizer.LearningRate, "must be positive");
        Require(Optimizer.Schedule is "exponential" or "cosine" or "constant", "optimizer.schedule", Optimizer.Schedule, "exponential, cosine or constant");
        Require(Optimizer.FinalLearningRate >= 0 && Optimizer.FinalLearningRate <= Optimizer.LearningRate, "optimizer.final_learning_rate", Optimizer.FinalLearningRate, "must be between 0 and learning_rate");
        Require(Optimizer.DecaySteps is null or >= 1, "optimizer.decay_steps", Optimizer.DecaySteps, "must be at least 1");
        Require(Optimizer.WarmupSteps >= 0, "optimizer.warmup_steps", Optimizer.WarmupSteps, "must be at least 0");
        Require(Optimizer.GradientClip >= 0, "optimizer.gradient_clip", Optimizer.GradientClip, "must be at least 0");
        Require(Optimizer.Betas is [>= 0 and < 1, >= 0 and < 1], "optimizer.betas", string.Join(", ", Optimizer.Betas ?? []), "two numbers in [0, 1), as [0.9, 0.999]");
        Require(Training.Objective is NextStateObjective.ObjectiveName or MeshMovementObjective.ObjectiveName or ParticleDynamicsObjective.ObjectiveName, "training.objective", Training.Objective,
            $"known objectives: {NextStateObjective.ObjectiveName}, {MeshMovementObjective.ObjectiveName}, {ParticleDynamicsObjective.ObjectiveName}");
        Require((Training.Objective == ParticleDynamicsObjective.ObjectiveName) == IsParticleFormat, "data.format", Data.Format,
            IsParticleFormat ? $"particle data trains the {ParticleDynamicsObjective.ObjectiveName} objective" : $"{ParticleDynamicsObjective.ObjectiveName} reads particle data (format particles or gns)");
        Require(Training.VelocityHistory >= 1, "training.velocity_history", Training.VelocityHistory, "must be at least 1");
        Require(Training.ParticleFraction is > 0 and <= 1, "training.particle_fraction", Training.ParticleFraction, "must be in (0, 1] (the share of the particles the graph is built on)");
        Require(Training.ReconstructionLossWeight >= 0, "training.reconstruction_loss_weight", Training.ReconstructionLossWeight, "must be at least 0");
        Require(Training.ParticleSampling is ParticleDynamicsObjective.RandomSampling or ParticleDynamicsObjective.FarthestSampling, "training.particle_sampling", Training.ParticleSampling, "random or farthest");
        Require(Training.Objective != MeshMovementObjective.ObjectiveName || Data.Format == "mesh", "data.format", Data.Format, "mesh movers read GnnSim's HDF5 mesh files (format mesh), as generate helmholtz writes them");
        Require(Model.Registration.Objective == Training.Objective, "training.objective", Training.Objective, $"model {Model.Name} is trained with the {Model.Registration.Objective} objective");
        Require(Training.CoordinateLossWeight >= 0 && Training.AreaLossWeight >= 0 && Training.ChamferLossWeight >= 0 && Training.MongeAmpereLossWeight >= 0
            && Training.CoordinateLossWeight + Training.AreaLossWeight + Training.ChamferLossWeight + Training.MongeAmpereLossWeight > 0,
            "training.area_loss_weight", $"{Training.CoordinateLossWeight}, {Training.AreaLossWeight}, {Training.ChamferLossWeight}, {Training.MongeAmpereLossWeight}",
            "the coordinate, area, Chamfer and Monge-Ampere weights must be at least 0 and not all 0");
        Require(Training.Precision is "float32" or "bf16", "training.precision", Training.Precision, "float32 or bf16");
        Require(Training.DistributedTimeoutSeconds is > 0 and < 1e7, "training.distributed_timeout_seconds", Training.DistributedTimeoutSeconds, "must be positive (seconds a rank waits for the others)");
        Require(Training.SkipNonfiniteSteps >= 0, "training.skip_nonfinite_steps", Training.SkipNonfiniteSteps, "must be at least 0");
        Require(Training.MaxMinutes is null or > 0, "training.max_minutes", Training.MaxMinutes, "must be positive (minutes of training)");
        Require(Training.UnrollSteps >= 1, "training.unroll_steps", Training.UnrollSteps, "must be at least 1");
        Require(Training.Loss is NextStateObjective.MseLoss or NextStateObjective.RelativeL2Loss, "training.loss", Training.Loss, "mse or relative_l2");
        Require(Training.ChangeScale is NextStateObjective.ChangeUnits or NextStateObjective.StateUnits, "training.change_scale", Training.ChangeScale, "change or state");
        Require(Data.Parameters is null || Data.Parameters.All(p => !string.IsNullOrWhiteSpace(p)) && Data.Parameters.Distinct().Count() == Data.Parameters.Count,
            "data.parameters", Data.Parameters is null ? null : string.Join(", ", Data.Parameters), "distinct parameter names");
        Require(Training.Steps >= 1, "training.steps", Training.Steps, "must be at least 1");
        Require(Training.BatchSize >= 1, "training.batch_size", Training.BatchSize, "must be at least 1");
        Require(Training.NoiseStd >= 0, "training.noise_std", Training.NoiseStd, "must be at least 0");
        Require(Training.PushforwardSteps >= 0, "training.pushforward_steps", Training.PushforwardSteps, "must be at least 0");
        Require(!Training.RandomPushforward || Training.PushforwardSteps >= 1, "training.random_pushforward", Training.RandomPushforward, "needs training.pushforward_steps of at least 1 to draw from");
        Require(Training.NormalizerWarmupSteps >= 0 && Training.NormalizerWarmupSteps < Training.Steps, "training.normalizer_warmup_steps", Training.NormalizerWarmupSteps, "must be at least 0 and below training.steps");
        Require(Training.CheckpointEvery >= 1, "training.checkpoint_every", Training.CheckpointEvery, "must be at least 1");
        Require(Training.LogEvery >= 1, "training.log_every", Training.LogEvery, "must be at least 1");
        Require(Evaluation.Split is "dev" or "test" or "train", "evaluation.split", Evaluation.Split, "dev, test or train");
        Require(Evaluation.StartFrame >= 0, "evaluation.start_frame", Evaluation.StartFrame, "must be at least 0");
        Require(Evaluation.RolloutSteps >= 0, "evaluation.rollout_steps", Evaluation.RolloutSteps, "must be at least 0");
        Require(Evaluation.MaxCases is null or >= 1, "evaluation.max_cases", Evaluation.MaxCases, "must be at least 1");
    }
}
