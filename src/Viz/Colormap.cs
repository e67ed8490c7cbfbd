namespace GnnSim.Viz;

/// <summary>
/// A colormap: control points spaced evenly over [0, 1], linearly interpolated in sRGB between them.
/// Values outside [0, 1] clamp; NaN maps to <see cref="Rgba.MaskGray"/>.
/// </summary>
public sealed class Colormap
{
    private readonly Rgba[] controlPoints;

    public Colormap(string name, IReadOnlyList<Rgba> controlPoints)
    {
        if (controlPoints.Count < 2) throw new ArgumentException($"colormap '{name}' needs at least two control points");
        Name = name;
        this.controlPoints = controlPoints.ToArray();
    }

    public string Name { get; }

    public Rgba Map(double t)
    {
        if (double.IsNaN(t)) return Rgba.MaskGray;
        var position = Math.Clamp(t, 0, 1) * (controlPoints.Length - 1);
        var below = Math.Min((int)position, controlPoints.Length - 2);
        return controlPoints[below].Lerp(controlPoints[below + 1], position - below);
    }

    /// <summary><paramref name="count"/> colours evenly from 0 to 1 (a GIF palette, a legend).</summary>
    public Rgba[] Sample(int count) => Enumerable.Range(0, count).Select(i => Map(count == 1 ? 0.5 : i / (double)(count - 1))).ToArray();

    /// <summary>
    /// Matplotlib's viridis (van der Walt and Smith), perceptually uniform and readable in gray and by
    /// colour-blind readers: its published table at every 32nd of 256 entries.
    /// </summary>
    public static Colormap Viridis { get; } = new("viridis",
    [
        new(68, 1, 84), new(72, 36, 117), new(59, 82, 139), new(44, 114, 142), new(33, 145, 140),
        new(40, 174, 128), new(94, 201, 98), new(173, 220, 48), new(253, 231, 37),
    ]);

    /// <summary>
    /// Moreland's cool-warm diverging map ("Diverging Color Maps for Scientific Visualization", 2009),
    /// his 33 published control points: blue below the middle, gray at it, red above. For errors and
    /// signed fields centred on zero.
    /// </summary>
    public static Colormap CoolWarm { get; } = new("coolwarm",
    [
        new(59, 76, 192), new(68, 90, 204), new(77, 104, 215), new(87, 117, 225), new(98, 130, 234),
        new(108, 142, 241), new(119, 154, 247), new(130, 165, 251), new(141, 176, 254), new(152, 185, 255),
        new(163, 194, 255), new(174, 201, 253), new(184, 208, 249), new(194, 213, 244), new(204, 217, 238),
        new(213, 219, 230), new(221, 221, 221), new(229, 216, 209), new(236, 211, 197), new(241, 204, 185),
        new(245, 196, 173), new(247, 187, 160), new(247, 177, 148), new(247, 166, 135), new(244, 154, 123),
        new(241, 141, 111), new(236, 127, 99), new(229, 112, 88), new(222, 96, 77), new(213, 80, 66),
        new(203, 62, 56), new(192, 40, 47), new(180, 4, 38),
    ]);
}
