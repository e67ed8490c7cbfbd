using System.Reflection;
using GnnSim.Operators;
using GnnSim.Operators.MeshGraphNets;
using GnnSim.Operators.GraphTransformers;
using GnnSim.Operators.MeshMovers;
using GnnSim.Operators.Particles;
using GnnSim.Training.Objectives;
using YamlDotNet.Serialization.NamingConventions;

namespace GnnSim.Training.Experiments;

/// <summary>
/// A registered operator: its config name, a line on what it is, its options type (the keys of
/// <c>model:</c> beside <c>name</c>) and how to build it for the widths an objective gives.
/// </summary>
public sealed class OperatorRegistration
{
    private readonly Func<IOperatorOptions, OperatorWidths, GraphOperator> create;

    internal OperatorRegistration(string name, string description, Type optionsType, Func<IOperatorOptions, OperatorWidths, GraphOperator> create, string objective)
    {
        Name = name;
        Description = description;
        OptionsType = optionsType;
        Objective = objective;
        this.create = create;
    }

    public string Name { get; }
    public string Description { get; }
    public Type OptionsType { get; }
    /// <summary>The objective whose outputs this operator produces (<c>training.objective</c>).</summary>
    public string Objective { get; }

    /// <summary>The options' config keys (snake_case) and their properties, in declaration order.</summary>
    public IReadOnlyList<(string Key, PropertyInfo Property)> Keys =>
        OptionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)
            .Select(p => (UnderscoredNamingConvention.Instance.Apply(p.Name), p)).ToList();

    public IOperatorOptions DefaultOptions() => (IOperatorOptions)Activator.CreateInstance(OptionsType)!;

    public GraphOperator Create(IOperatorOptions options, OperatorWidths widths)
    {
        if (options.GetType() != OptionsType) throw new ArgumentException($"{Name} takes {OptionsType.Name}, not {options.GetType().Name}");
        return create(options, widths);
    }

    /// <summary>The options as <c>key: value</c> pairs, in declaration order.</summary>
    public IEnumerable<(string Key, object? Value)> Values(IOperatorOptions options) => Keys.Select(k => (k.Key, k.Property.GetValue(options)));
}

/// <summary>
/// The operators a config can name (<c>model.name</c>). Adding one is its model file(s), its options
/// type and one line here; the trainer, rollout and CLI need nothing else.
/// </summary>
public static class OperatorRegistry
{
    private static readonly OperatorRegistration[] Registered =
    [
        Register<MeshGraphNetOptions>("meshgraphnet", "MeshGraphNet (Pfaff et al. 2021): encode-process-decode message passing on the mesh edges",
            (options, widths) => new MeshGraphNet(widths, options)),
        Register<PhysGtoOptions>("physgto", "PhysGTO (Zhu et al. 2025): flux message passing and projection attention, linear in the nodes",
            (options, widths) => new PhysGto(widths, options)),
        Register<MeshTransformerOptions>("transformer", "mesh graph transformer (Garnier et al. 2025): attention masked by the mesh, with k-hop, dilated windows, random jumps and global tokens",
            (options, widths) => new MeshTransformer(widths, options)),
        Register<Um2nOptions>("um2n", "UM2N (Zhang et al. 2024): a mesh mover, transformer and local-feature encoder, a deformer of convex graph-attention layers",
            (options, widths) => new Um2n(widths, options), MeshMovementObjective.ObjectiveName),
        Register<GnsOptions>("gns", "GNS (Sanchez-Gonzalez et al. 2020): a particle-type embedding and encode-process-decode on the radius graph, accelerations out",
            (options, widths) => new Gns(widths, options), ParticleDynamicsObjective.ObjectiveName),
        Register<GioromOptions>("giorom", "GIOROM (Viswanath et al. 2024): interaction layers on a sparse particle graph, a graph neural operator to a latent grid, a transformer there, and back",
            (options, widths) => new Giorom(widths, options), ParticleDynamicsObjective.ObjectiveName),
    ];

    public static IReadOnlyList<OperatorRegistration> All => Registered;

    public static string Names => string.Join(", ", Registered.Select(r => r.Name));

    /// <summary>The registration of <paramref name="name"/>, or null.</summary>
    public static OperatorRegistration? Find(string name) => Registered.FirstOrDefault(r => r.Name == name);

    private static OperatorRegistration Register<TOptions>(string name, string description, Func<TOptions, OperatorWidths, GraphOperator> create,
        string objective = NextStateObjective.ObjectiveName)
        where TOptions : IOperatorOptions, new() =>
        new(name, description, typeof(TOptions), (options, widths) => create((TOptions)options, widths), objective);
}
