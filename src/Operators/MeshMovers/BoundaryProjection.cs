using GnnSim.Torch;

namespace GnnSim.Operators.MeshMovers;

/// <summary>
/// Puts moved nodes back where the batch's <see cref="OperatorBatch.BoundaryRule"/> allows them:
/// sliding nodes onto their straight run (clamped between its corners), fixed nodes onto their
/// original position, free nodes untouched. Differentiable along the runs.
/// </summary>
public static class BoundaryProjection
{
    public const int Free = 0, Slide = 1, Fixed = 2;

    /// <param name="positions">[N, 2] moved positions</param>
    /// <param name="original">[N, 2] positions before the move</param>
    /// <param name="rule">[N, 6]: freedom, origin x, y, direction x, y, length</param>
    public static Tensor Apply(Tensor positions, Tensor original, Tensor rule)
    {
        if (rule.shape[0] != positions.shape[0] || rule.shape[1] != 6)
            throw new ArgumentException($"a boundary rule of shape [{string.Join(", ", rule.shape)}] for {positions.shape[0]} nodes; it must be [N, 6]");
        using var freedom = rule.narrow(1, 0, 1);
        using var origin = rule.narrow(1, 1, 2);
        using var direction = rule.narrow(1, 3, 2);
        using var length = rule.narrow(1, 5, 1);
        using var offset = positions - origin;
        using var alongEach = offset * direction;
        using var along = alongEach.sum(1, keepdim: true);
        using var atLeastZero = along.clamp_min(0);
        using var clamped = torch.minimum(atLeastZero, length);
        using var step = direction * clamped;
        using var slid = origin + step;
        using var sliding = freedom.eq(Slide);
        using var fixedNodes = freedom.eq(Fixed);
        using var movedOrSlid = torch.where(sliding, slid, positions);
        return torch.where(fixedNodes, original, movedOrSlid);
    }
}
