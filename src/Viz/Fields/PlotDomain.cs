namespace GnnSim.Viz.Fields;

/// <summary>
/// Where a node field lives, and how it becomes pixels: a regular grid of cells (CFDBench) or a
/// triangle mesh. Images have y up: the top row of pixels is the domain's largest y.
/// </summary>
public abstract class PlotDomain
{
    protected PlotDomain(double[] positions)
    {
        if (positions.Length % 2 != 0 || positions.Length == 0) throw new ArgumentException($"positions hold {positions.Length} values, not one or more (x, y) pairs");
        Positions = positions;
    }

    /// <summary>Node positions <c>[N, 2]</c>.</summary>
    public double[] Positions { get; }

    public int NodeCount => Positions.Length / 2;

    /// <summary>The rectangle drawn, in the data's units (x to the right, y up).</summary>
    public abstract (double MinX, double MinY, double MaxX, double MaxY) Extent { get; }

    /// <summary>Width over height of what is drawn, in physical units.</summary>
    public virtual double AspectRatio => (Extent.MaxX - Extent.MinX) / (Extent.MaxY - Extent.MinY);

    /// <summary>The pixel size to draw at about <paramref name="targetWidth"/> pixels wide, keeping the aspect ratio.</summary>
    public virtual (int Width, int Height) SizeFor(int targetWidth)
    {
        var height = (int)Math.Round(targetWidth / AspectRatio);
        return (targetWidth, Math.Max(1, height));
    }

    /// <summary>Colours <paramref name="area"/> of <paramref name="image"/> with the node values; NaN values draw as mask gray.</summary>
    public abstract void Paint(RgbaImage image, PixelRect area, ReadOnlySpan<float> nodeValues, ColorScale scale);

    /// <summary>
    /// How the drawn field's value at (<paramref name="x"/>, <paramref name="y"/>) is made from node values:
    /// the nodes and their weights (one cell on a grid; a triangle's barycentric weights on a mesh), or
    /// null outside the domain and on solids.
    /// </summary>
    public abstract (int[] Nodes, double[] Weights)? WeightsAt(double x, double y);

    protected void CheckValues(ReadOnlySpan<float> nodeValues)
    {
        if (nodeValues.Length != NodeCount) throw new ArgumentException($"{nodeValues.Length} values for a domain of {NodeCount} nodes");
    }
}
