using GnnSim.Viz.Tests.Decoders;

namespace GnnSim.Viz.Tests;

public class ImageFormatTests
{
    private static RgbaImage Noise(int width, int height, int seed, bool withAlpha)
    {
        var random = new Random(seed);
        var image = new RgbaImage(width, height);
        random.NextBytes(image.Pixels);
        if (!withAlpha)
            for (var i = 3; i < image.Pixels.Length; i += 4) image.Pixels[i] = 255;
        return image;
    }

    [Fact]
    public void ACorruptedPngByteFailsItsCrc()
    {
        // The test decoder checks what Skia writes: a figure's PNG round-trips (FieldPlotTests), a flipped byte does not.
        using var figure = new Plotting.Figure([(Plotting.PlotTheme.NewPlot(), 40, 30, 0, 0)]);
        var png = figure.ToPng();
        Assert.Equal(figure.ToRgba().Pixels, PngDecoder.Decode(png).Rgba);
        png[png.Length / 2] ^= 0x10; // inside IDAT
        Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png));
    }

    [Fact]
    public void GifFramesDecodeToThePaletteColoursDrawn()
    {
        var palette = GifWriter.PaletteFor(Colormap.Viridis, Colormap.CoolWarm);
        var random = new Random(3);
        // Random palette indices fill the LZW table many times over: the clear-code path runs.
        var frames = Enumerable.Range(0, 3).Select(_ =>
        {
            var frame = new RgbaImage(211, 157);
            for (var y = 0; y < frame.Height; y++)
            for (var x = 0; x < frame.Width; x++)
                frame[x, y] = palette[random.Next(palette.Length)];
            return frame;
        }).Append(new RgbaImage(211, 157, palette[5])).ToList();

        var decoded = GifDecoder.Decode(GifWriter.Encode(frames, palette, delayCentiseconds: 7));
        Assert.True(decoded.Loops);
        Assert.Equal(frames.Count, decoded.Frames.Count);
        Assert.All(decoded.Frames, f => Assert.Equal(7, f.DelayCentiseconds));
        for (var f = 0; f < frames.Count; f++)
        for (var y = 0; y < frames[f].Height; y++)
        for (var x = 0; x < frames[f].Width; x++)
        {
            var expected = frames[f][x, y];
            Assert.Equal((expected.R, expected.G, expected.B), decoded.Colour(f, x, y));
        }
    }

    [Fact]
    public void GifMapsOffPaletteColoursToTheNearestEntry()
    {
        var palette = new[] { Rgba.White, Rgba.Black, new Rgba(200, 0, 0) };
        var frame = new RgbaImage(3, 1);
        frame[0, 0] = new Rgba(250, 250, 240);
        frame[1, 0] = new Rgba(10, 5, 0);
        frame[2, 0] = new Rgba(180, 30, 20);
        var decoded = GifDecoder.Decode(GifWriter.Encode([frame], palette));
        Assert.Equal(new byte[] { 0, 1, 2 }, decoded.Frames[0].Indices);
    }

    [Fact]
    public void GifRefusesFramesOfDifferentSizesAndOversizedPalettes()
    {
        Assert.Throws<ArgumentException>(() => GifWriter.Encode([new RgbaImage(2, 2), new RgbaImage(3, 2)], [Rgba.White]));
        Assert.Throws<ArgumentException>(() => GifWriter.Encode([new RgbaImage(2, 2)], Enumerable.Repeat(Rgba.White, 257).ToArray()));
    }
}
