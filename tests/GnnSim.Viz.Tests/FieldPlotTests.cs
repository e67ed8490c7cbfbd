using GnnSim.Viz.Tests.Decoders;

namespace GnnSim.Viz.Tests;

public class FieldPlotTests
{
    private static readonly ColorScale UnitViridis = new(Colormap.Viridis, 0, 1);

    /// <summary>A 4 x 2 grid, cell (3, 0) solid; node values 0, 0.1, ... in cell order.</summary>
    private static (GridDomain Domain, float[] Values) SmallGrid()
    {
        int[] cells = [0, 1, 2, 4, 5, 6, 7];
        var positions = cells.SelectMany(c => new[] { c % 4 + 0.5, c / 4 + 0.5 }).ToArray();
        return (new GridDomain(4, 2, cells, positions, (1, 1)), cells.Select(c => c / 10f).ToArray());
    }

    [Fact]
    public void AGridFieldPutsEachCellColourWhereItsCellIsWithYUpAndSolidsGray()
    {
        var (domain, values) = SmallGrid();
        var image = new RgbaImage(40, 20, Rgba.White);
        domain.Paint(image, new PixelRect(0, 0, 40, 20), values, UnitViridis);
        // Cell (i, j) covers pixels x in [10i, 10i + 10), y in [10(1 - j), ...): row j = 0 is the bottom.
        Assert.Equal(UnitViridis.ColorOf(0.0), image[5, 15]);     // cell 0, bottom left
        Assert.Equal(UnitViridis.ColorOf(0.4), image[5, 5]);      // cell 4, top left
        Assert.Equal(UnitViridis.ColorOf(0.7), image[35, 5]);     // cell 7, top right
        Assert.Equal(Rgba.MaskGray, image[35, 15]);               // cell 3 is solid
        Assert.Equal(UnitViridis.ColorOf(0.2), image[29, 19]);
    }

    [Fact]
    public void GridPicturesKeepWholePixelsPerCellAndTheCellsAspect()
    {
        int[] cells = Enumerable.Range(0, 64 * 16).ToArray();
        var positions = cells.SelectMany(c => new[] { (c % 64 + 0.5) * 0.1, (c / 64 + 0.5) * 0.05 }).ToArray();
        var domain = GridDomain.FromCellCentres(64, 16, cells, positions);
        Assert.Equal((0.1, 0.05), (Math.Round(domain.CellSize.Dx, 9), Math.Round(domain.CellSize.Dy, 9)));
        Assert.Equal(8.0, domain.AspectRatio, 9);
        Assert.Equal((320, 32), domain.SizeFor(330)); // 5 pixels per column, 2 (half as tall) per row
    }

    [Fact]
    public void AMeshFieldIsInterpolatedLinearlyInsideTrianglesAndLeftAloneOutside()
    {
        // The unit square as two triangles, value = x: every pixel's colour is its x.
        double[] positions = [0, 0, 1, 0, 1, 1, 0, 1];
        var domain = new TriangleDomain(positions, [0, 1, 2, 0, 2, 3]);
        float[] values = [0, 1, 1, 0];
        var image = new RgbaImage(120, 120, Rgba.White);
        var area = new PixelRect(10, 10, 100, 100);
        domain.Paint(image, area, values, UnitViridis);
        foreach (var (px, py) in new[] { (10, 10), (35, 80), (60, 12), (109, 109), (84, 50) })
        {
            var x = (px + 0.5 - area.X) / area.Width;
            Assert.Equal(UnitViridis.ColorOf(x), image[px, py]);
        }
        Assert.Equal(Rgba.White, image[5, 60]);
        Assert.Equal(Rgba.White, image[115, 60]);
    }

    [Fact]
    public void AMeshWithAHoleLeavesTheHoleUnpainted()
    {
        // A square ring: 8 outer-and-inner nodes, 8 triangles around a hole in the middle.
        double[] positions = [0, 0, 3, 0, 3, 3, 0, 3, 1, 1, 2, 1, 2, 2, 1, 2];
        int[] triangles = [0, 1, 5, 0, 5, 4, 1, 2, 6, 1, 6, 5, 2, 3, 7, 2, 7, 6, 3, 0, 4, 3, 4, 7];
        var domain = new TriangleDomain(positions, triangles);
        var image = new RgbaImage(90, 90, Rgba.White);
        domain.Paint(image, new PixelRect(0, 0, 90, 90), new float[8], UnitViridis);
        Assert.Equal(Rgba.White, image[45, 45]);
        Assert.Equal(UnitViridis.ColorOf(0), image[5, 45]);
    }

    [Fact]
    public void PanelsShareAColorbarScaleAndTheFigureSurvivesPng()
    {
        var (domain, values) = SmallGrid();
        var scale = ColorScale.Spanning(Colormap.Viridis, values);
        var figure = FieldFigure.Render(domain, [new FieldPanel("truth", values, scale), new FieldPanel("prediction", values, scale)], "heading", 160);
        Assert.True(figure.Width >= 2 * 160);
        var decoded = PngDecoder.Decode(PngWriter.Encode(figure));
        Assert.Equal(figure.Pixels, decoded.Rgba);

        // The colorbars are the rows that run through many colours (the 4 x 2 field has a handful);
        // each panel's bar runs from viridis's dark end to its light end.
        var barRows = Enumerable.Range(0, figure.Height).Where(y => Enumerable.Range(0, figure.Width).Select(x => figure[x, y]).Distinct().Count() > 50).ToList();
        Assert.NotEmpty(barRows);
        var row = Enumerable.Range(0, figure.Width).Select(x => figure[x, barRows[0]]).ToList();
        Assert.Contains(row, c => Math.Abs(c.R - 68) + Math.Abs(c.G - 1) + Math.Abs(c.B - 84) < 6);
        Assert.Contains(row, c => Math.Abs(c.R - 253) + Math.Abs(c.G - 231) + Math.Abs(c.B - 37) < 6);
        // Tick labels (ink) sit under the bars.
        Assert.Contains(Enumerable.Range(barRows[^1] + 4, 24).SelectMany(y => Enumerable.Range(0, figure.Width).Select(x => figure[x, y])), c => c == Rgba.Ink);
    }

    [Fact]
    public void TextDrawsTheGlyphsOfTheBitmapFont()
    {
        var image = new RgbaImage(40, 20, Rgba.White);
        image.DrawText("I", 2, 2, Rgba.Ink, 1);
        // 'I' is a bar of three on top and bottom and a stem in its middle column.
        Assert.Equal(Rgba.Ink, image[2 + 1, 2]);
        Assert.Equal(Rgba.Ink, image[2 + 2, 2 + 3]);
        Assert.Equal(Rgba.White, image[2 + 0, 2 + 3]);
        Assert.Equal(Rgba.Ink, image[2 + 3, 2 + 6]);
        // Every printable character has a glyph, descenders reach below the baseline, the rest draw as '?'.
        for (var c = ' '; c <= '~'; c++) _ = BitmapFont.IsInk(c, 0, 8);
        Assert.True(BitmapFont.IsInk('p', 0, 8));
        Assert.Equal(Enumerable.Range(0, 35).Select(i => BitmapFont.IsInk('?', i % 5, i / 5)), Enumerable.Range(0, 35).Select(i => BitmapFont.IsInk('\u00e9', i % 5, i / 5)));
        Assert.Equal(11, BitmapFont.Measure("ab", 1));
    }

    [Fact]
    public void AWireframeDrawsTheMeshEdges()
    {
        var domain = new TriangleDomain([0, 0, 1, 0, 1, 1, 0, 1], [0, 1, 2, 0, 2, 3]);
        var image = MeshPlot.Wireframe(domain, null, 132);
        // The diagonal from (0, 0) to (1, 1) runs corner to corner through the middle of the picture.
        var nearMiddle = new[] { (0, 0), (-1, 0), (0, -1), (-1, -1) }.Select(d => image[image.Width / 2 + d.Item1, image.Height / 2 + d.Item2]);
        Assert.Contains(nearMiddle, c => c.R < 100);
        Assert.Equal(Rgba.White, image[image.Width / 4, image.Height / 2 + 10]);
    }
}
