namespace GnnSim.Operators.MeshMovers;

/// <summary>
/// The sizes of UM2N (<c>model:</c> in a config). The encoder is UM2N's shipped one (embedding 64,
/// 4 heads, one transformer layer, 16 global and 16 local features); the deformer has
/// <see cref="DeformerLayers"/> graph-attention layers with dense skips, each <see cref="Hidden"/> wide.
/// </summary>
public sealed class Um2nOptions : IOperatorOptions
{
    public int EmbedWidth { get; set; } = 64;
    public int Heads { get; set; } = 4;
    public int TransformerLayers { get; set; } = 1;
    public int GlobalFeatures { get; set; } = 16;
    public int LocalFeatures { get; set; } = 16;
    public int Hidden { get; set; } = 64;
    public int DeformerLayers { get; set; } = 4;
    public int DeformerHeads { get; set; } = 6;

    public IEnumerable<OptionProblem> Check()
    {
        if (EmbedWidth < 1) yield return new("embed_width", EmbedWidth, "must be at least 1");
        if (Heads < 1 || EmbedWidth % Math.Max(1, Heads) != 0) yield return new("heads", Heads, $"must be at least 1 and divide embed_width {EmbedWidth}");
        if (TransformerLayers < 1) yield return new("transformer_layers", TransformerLayers, "must be at least 1");
        if (GlobalFeatures < 1) yield return new("global_features", GlobalFeatures, "must be at least 1");
        if (LocalFeatures < 2) yield return new("local_features", LocalFeatures, "must be at least 2 (one is the edge length)");
        if (Hidden < 1) yield return new("hidden", Hidden, "must be at least 1");
        if (DeformerLayers < 1) yield return new("deformer_layers", DeformerLayers, "must be at least 1");
        if (DeformerHeads < 1) yield return new("deformer_heads", DeformerHeads, "must be at least 1");
    }

    public override string ToString() =>
        $"embed_width {EmbedWidth}, heads {Heads}, transformer_layers {TransformerLayers}, global_features {GlobalFeatures}, local_features {LocalFeatures}, hidden {Hidden}, deformer_layers {DeformerLayers}, deformer_heads {DeformerHeads}";
}
