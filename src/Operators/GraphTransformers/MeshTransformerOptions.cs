using System.Globalization;

namespace GnnSim.Operators.GraphTransformers;

/// <summary>
/// The sizes and attention mask of a mesh graph transformer (<c>model:</c> in a config). The defaults
/// are the small model: 4 blocks 64 wide (about 1/10 of MeshGraphNet 15 x 128's parameters; the
/// paper's smallest matches MeshGraphNet at 1/6 of them), 4 heads as graph-physics' default, the mesh
/// adjacency alone as the mask.
/// </summary>
public sealed class MeshTransformerOptions : IOperatorOptions
{
    /// <summary>Latent width h (graph-physics' hidden_size).</summary>
    public int Width { get; set; } = 64;
    /// <summary>Transformer blocks (graph-physics' message_passing_num).</summary>
    public int Blocks { get; set; } = 4;
    public int Heads { get; set; } = 4;
    /// <summary>Rotary position encoding of queries and keys from the node positions.</summary>
    public bool Rope { get; set; } = false;
    public double RopeBase { get; set; } = 10000;
    /// <summary>Attention reaches every node within this many hops (1: the mesh neighbours only).</summary>
    public int KHop { get; set; } = 1;
    /// <summary>Dilated sliding windows: the nodes at hop distances d, 2d, ..., w d (0: none).</summary>
    public int Dilation { get; set; } = 0;
    /// <summary>The w of the dilated windows: how many rings, d hops apart.</summary>
    public int Window { get; set; } = 2;
    /// <summary>Random long-range edges per node, drawn anew for every batch (0: none).</summary>
    public double RandomJumps { get; set; } = 0;
    /// <summary>Global tokens per graph: learned latents every node attends to and that attend to every node of their graph (0: none).</summary>
    public int GlobalTokens { get; set; } = 0;
    /// <summary>Whether each node also attends to itself.</summary>
    public bool SelfLoops { get; set; } = false;

    public IEnumerable<OptionProblem> Check()
    {
        if (Width < 1) yield return new("width", Width, "must be at least 1");
        if (Blocks < 1) yield return new("blocks", Blocks, "must be at least 1");
        if (Heads < 1 || Width % Heads != 0) yield return new("heads", Heads, $"must divide width {Width}");
        if (Rope && Width / Math.Max(Heads, 1) < 4) yield return new("rope", Rope, $"needs heads at least 4 wide for 2-D positions (width / heads = {Width / Math.Max(Heads, 1)})");
        if (!(RopeBase > 1)) yield return new("rope_base", RopeBase, "must be above 1");
        if (KHop < 1) yield return new("k_hop", KHop, "must be at least 1 (1: the mesh neighbours)");
        if (Dilation < 0) yield return new("dilation", Dilation, "must be at least 0 (0: no dilated windows)");
        if (Window < 1) yield return new("window", Window, "must be at least 1");
        if (!(RandomJumps >= 0) || double.IsInfinity(RandomJumps)) yield return new("random_jumps", RandomJumps, "must be at least 0 and finite");
        if (GlobalTokens < 0) yield return new("global_tokens", GlobalTokens, "must be at least 0");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"width {Width}, blocks {Blocks}, heads {Heads}, rope {(Rope ? "true" : "false")}, k_hop {KHop}, dilation {Dilation}, window {Window}, random_jumps {RandomJumps}, global_tokens {GlobalTokens}, self_loops {(SelfLoops ? "true" : "false")}");
}
