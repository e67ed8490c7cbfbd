using GnnSim.Graph;

namespace GnnSim.Operators;

/// <summary>
/// An edge set an operator derives from the mesh topology (k-hop neighbourhoods, dilated windows,
/// random jumps): the data side builds it from each trajectory's mesh graph and hands it to the
/// operator's batches under <see cref="Name"/>, without features. A fixed set is built once per
/// trajectory; a <see cref="Redrawn"/> one anew for every batch, from a generator seeded by
/// libtorch's (so a seeded run draws the same sets, and a resumed run goes on drawing them).
/// </summary>
/// <param name="Build">the set for one mesh graph (both directions of every cell side), given a generator for what it draws</param>
public sealed record DerivedEdgeSet(string Name, Func<SparseGraph, Random, SparseGraph> Build, bool Redrawn = false);
