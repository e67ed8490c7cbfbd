namespace GnnSim.Operators.GraphTransformers;

/// <summary>The sizes of a PhysGTO (<c>model:</c> in a config); the reference code's defaults: 4 blocks, 128 wide, 4 heads, 128 tokens (about 2.4 M parameters).</summary>
public sealed class PhysGtoOptions : IOperatorOptions
{
    /// <summary>Latent width of nodes, edges and conditions (enc_dim).</summary>
    public int Width { get; set; } = 128;
    /// <summary>Mixer blocks: flux message passing, then projection attention and a feed-forward layer.</summary>
    public int Blocks { get; set; } = 4;
    public int Heads { get; set; } = 4;
    /// <summary>Learned query tokens per head (M): attention costs O(N M).</summary>
    public int Tokens { get; set; } = 128;
    /// <summary>Fourier frequencies 2^i pi, i = 0 .. L - 1, of the scaled positions (pos_enc_dim).</summary>
    public int Frequencies { get; set; } = 7;
    /// <summary>Hidden width of the encoder and message-passing MLPs (the reference MLP's hidden_size).</summary>
    public int Hidden { get; set; } = 256;
    /// <summary>Whether the conditions include the time of the state (the reference's f_t(t)).</summary>
    public bool UseTime { get; set; } = true;
    /// <summary>
    /// Below 1: in training, each step keeps this share of the edges, drawn at random (the reference
    /// keeps 0.2 in one task); in evaluation the edges are split into round(1 / ratio) disjoint random
    /// parts and the outputs of the parts averaged.
    /// </summary>
    public double EdgeSampleRatio { get; set; } = 1.0;
    /// <summary>
    /// Activation checkpointing of the blocks: in training each block keeps only its inputs and runs
    /// again in the backward pass, so one block's activations are alive at a time (PhysicsNeMo's
    /// option of the same idea), for about one more forward a step. The results are the same.
    /// </summary>
    public bool CheckpointBlocks { get; set; }

    public IEnumerable<OptionProblem> Check()
    {
        if (Width < 2 || Width % 2 != 0) yield return new("width", Width, "must be even and at least 2 (the flux messages split in halves)");
        if (Blocks < 1) yield return new("blocks", Blocks, "must be at least 1");
        if (Heads < 1 || Width % Heads != 0) yield return new("heads", Heads, $"must divide width {Width}");
        if (Tokens < 1) yield return new("tokens", Tokens, "must be at least 1");
        if (Frequencies < 0) yield return new("frequencies", Frequencies, "must be at least 0");
        if (Hidden < 1) yield return new("hidden", Hidden, "must be at least 1");
        if (!(EdgeSampleRatio > 0 && EdgeSampleRatio <= 1)) yield return new("edge_sample_ratio", EdgeSampleRatio, "must be in (0, 1]");
    }

    public override string ToString() => $"width {Width}, blocks {Blocks}, heads {Heads}, tokens {Tokens}, frequencies {Frequencies}, hidden {Hidden}, use_time {(UseTime ? "true" : "false")}, edge_sample_ratio {EdgeSampleRatio.ToString(System.Globalization.CultureInfo.InvariantCulture)}, checkpoint_blocks {(CheckpointBlocks ? "true" : "false")}";
}
