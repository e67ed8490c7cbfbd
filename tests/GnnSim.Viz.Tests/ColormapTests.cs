namespace GnnSim.Viz.Tests;

public class ColormapTests
{
    [Fact]
    public void ViridisAndCoolwarmHitTheirPublishedColours()
    {
        Assert.Equal(new Rgba(68, 1, 84), Colormap.Viridis.Map(0));
        Assert.Equal(new Rgba(33, 145, 140), Colormap.Viridis.Map(0.5));
        Assert.Equal(new Rgba(253, 231, 37), Colormap.Viridis.Map(1));
        Assert.Equal(new Rgba(59, 76, 192), Colormap.CoolWarm.Map(0));
        Assert.Equal(new Rgba(221, 221, 221), Colormap.CoolWarm.Map(0.5));
        Assert.Equal(new Rgba(180, 4, 38), Colormap.CoolWarm.Map(1));
        // Clamped outside [0, 1]; NaN is the masked gray.
        Assert.Equal(Colormap.Viridis.Map(1), Colormap.Viridis.Map(7));
        Assert.Equal(Rgba.MaskGray, Colormap.Viridis.Map(double.NaN));
    }

    [Fact]
    public void ViridisGetsLighterAllTheWayUp()
    {
        static double Luminance(Rgba c) => 0.2126 * c.R + 0.7152 * c.G + 0.0722 * c.B;
        var samples = Colormap.Viridis.Sample(64).Select(Luminance).ToList();
        Assert.True(samples.Zip(samples.Skip(1)).All(p => p.Second > p.First));
    }

    [Fact]
    public void ScalesShareARangeOrCentreZero()
    {
        var shared = ColorScale.Spanning(Colormap.Viridis, [1f, 3f], [2f, 5f, float.NaN]);
        Assert.Equal((1.0, 5.0), (shared.Min, shared.Max));
        Assert.Equal(Colormap.Viridis.Map(0.5), shared.ColorOf(3));
        var centred = ColorScale.Symmetric(Colormap.CoolWarm, [-0.5f, 2f]);
        Assert.Equal((-2.0, 2.0), (centred.Min, centred.Max));
        Assert.Equal(new Rgba(221, 221, 221), centred.ColorOf(0));
        // A constant field still gets a usable range.
        var flat = ColorScale.Spanning(Colormap.Viridis, [4f, 4f]);
        Assert.True(flat.Max > flat.Min);
    }
}
