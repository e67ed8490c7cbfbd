using GnnSim.Operators.Layers;
using GnnSim.Torch;
using GnnSim.Torch.Modules;

namespace GnnSim.Operators.Particles;

/// <summary>
/// An operator with a neural-field decoder: from a sparse sample of particles it answers at any
/// query points (GIOROM's dense reconstruction). The caller pairs each query with the sparse
/// particles near it and gives their features; the result is per query point.
/// </summary>
public interface INeuralFieldDecoder
{
    /// <param name="pairFeatures">[P, 2D]: per (sparse particle, query) pair the particle's offset from the query and its displacement, both over the field radius, in the reference configuration</param>
    /// <param name="queries">[P] int64: each pair's query point</param>
    /// <param name="queryCount">how many query points there are</param>
    /// <returns>[queryCount, D] each query point's displacement over the field radius</returns>
    Tensor Reconstruct(Tensor pairFeatures, Tensor queries, long queryCount);
}

/// <summary>
/// GIOROM's neural-field decoder as a normalized kernel integral over the sparse particles near a
/// query point q in the reference configuration (material coordinates: where the particles were
/// when the dense cloud was last known): with <c>rho_j = (y_j - q) / r</c> and the particles'
/// displacements <c>u_j</c> (over r), <c>w_j = softmax over the neighbours of a(rho_j)</c>, the
/// interpolation <c>u_bar = sum w_j u_j</c> and <c>u(q) = u_bar + sum w_j c(rho_j, u_j - u_bar)</c>,
/// a and c MLPs (GELU). The weights sum to one, so a common translation of all the particles is
/// carried over as it is (c then has only to stay at 0 for it); c learns what an interpolation
/// cannot (rotation, shear, the free surface).
/// </summary>
public sealed class NeuralField : Module
{
    readonly Mlp weight, correction;

    public NeuralField(int dimension, long hidden)
    {
        Dimension = dimension;
        weight = RegisterModule("weight", new Mlp(dimension, hidden, 1, hiddenLayers: 2, layerNorm: false, activation: Activation.GELU));
        correction = RegisterModule("correction", new Mlp(2 * dimension, hidden, dimension, hiddenLayers: 2, layerNorm: false, activation: Activation.GELU));
    }

    public int Dimension { get; }

    /// <inheritdoc cref="INeuralFieldDecoder.Reconstruct"/>
    public Tensor forward(Tensor pairFeatures, Tensor queries, long queryCount)
    {
        using var scope = torch.NewDisposeScope();
        var offsets = pairFeatures.narrow(1, 0, Dimension);
        var displacements = pairFeatures.narrow(1, Dimension, Dimension);
        var w = torch.segment_softmax(weight.call(offsets), queries, queryCount);
        var interpolated = torch.scatter_sum(w * displacements, queries, queryCount);
        var relative = displacements - interpolated.index_select(0, queries);
        var corrected = interpolated + torch.scatter_sum(w * correction.call(torch.cat([offsets, relative], 1)), queries, queryCount);
        return corrected.DetachFromDisposeScope();
    }
}
