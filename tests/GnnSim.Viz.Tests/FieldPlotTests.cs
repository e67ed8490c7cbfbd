using GnnSim.Graph;
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
    public void AFigurePixelInAKnownCellHasTheColormapsColourForItsValue()
    {
        var (domain, values) = SmallGrid();
        var scale = ColorScale.Spanning(Colormap.Viridis, values);
        using var figure = FieldFigure.Render(domain, [new FieldPanel("truth", values, scale), new FieldPanel("prediction", values, scale)], "heading", 160);
        Assert.True(figure.Width >= 2 * 160);
        var pixels = figure.ToRgba();
        var decoded = PngDecoder.Decode(figure.ToPng());
        Assert.Equal(pixels.Pixels, decoded.Rgba);
        // The centres of cells (1, 0) and (2, 1), in both panels, on the axes of x and y in metres.
        foreach (var panel in new[] { 0, 1 })
        {
            var (x, y) = figure.PixelOf(panel, 1.5, 0.5);
            Assert.Equal(scale.ColorOf(0.1), pixels[x, y]);
            (x, y) = figure.PixelOf(panel, 2.5, 1.5);
            Assert.Equal(scale.ColorOf(0.6), pixels[x, y]);
            (x, y) = figure.PixelOf(panel, 3.5, 0.5);
            Assert.Equal(Rgba.MaskGray, pixels[x, y]); // the solid cell
        }
    }

    /// <summary>The numbers among an SVG's text elements.</summary>
    private static List<double> Numbers(string svg) => System.Xml.Linq.XDocument.Parse(svg).Descendants("{http://www.w3.org/2000/svg}text")
        .Select(t => t.Value.Trim().Replace('\u2212', '-'))
        .Select(t => double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : double.NaN)
        .Where(double.IsFinite).ToList();

    [Fact]
    public void ColorbarTickLabelsSpanTheDataRangeAndTheErrorsAreSymmetricAboutZero()
    {
        var (domain, values) = SmallGrid();
        var scale = new ColorScale(Colormap.Viridis, 10, 30);
        var axisNumbers = Numbers(FieldFigure.PanelPlot(domain, new FieldPanel("truth", values, new ColorScale(Colormap.Viridis, -1000, -999))).GetSvgXml(400, 300));
        var withBar = Numbers(FieldFigure.PanelPlot(domain, new FieldPanel("truth", values, scale)).GetSvgXml(400, 300));
        // The bar's labels are what the axes do not show: numbers between 10 and 30 covering most of it.
        var bar = withBar.Where(v => v is >= 10 and <= 30).ToList();
        Assert.True(bar.Count >= 3, $"colorbar labels {string.Join(", ", withBar)}");
        Assert.True(bar.Min() <= 12.5 && bar.Max() >= 27.5, $"colorbar labels {string.Join(", ", bar)} do not span 10..30");
        Assert.Contains(axisNumbers, v => v is >= -1000 and <= -999);

        var error = Numbers(FieldFigure.PanelPlot(domain, new FieldPanel("error", values, ColorScale.Symmetric(Colormap.CoolWarm, [-0.2f, 0.05f]))).GetSvgXml(400, 300))
            .Where(v => Math.Abs(v) <= 0.2 + 1e-9 && v != Math.Round(v)).ToList();
        Assert.Contains(error, v => v < 0);
        Assert.Contains(error, v => v > 0);
        Assert.Equal(error.Where(v => v > 0).Max(), -error.Where(v => v < 0).Min(), 9);
    }

    [Fact]
    public void AWireframeDrawsTheMeshEdgesAndNodesByType()
    {
        var domain = new TriangleDomain([0, 0, 1, 0, 1, 1, 0, 1], [0, 1, 2, 0, 2, 3]);
        using var figure = MeshPlot.Wireframe(domain, [(int)NodeType.Normal, (int)NodeType.WallBoundary, (int)NodeType.WallBoundary, (int)NodeType.Inflow], "square", 200);
        var image = figure.ToRgba();
        // The diagonal from (0, 0) to (1, 1) is drawn: a gray edge pixel at its middle; off the edges the axes are white.
        var (x, y) = figure.PixelOf(0, 0.5, 0.5);
        var nearMiddle = new[] { (0, 0), (-1, 0), (0, -1), (-1, -1), (1, 0), (0, 1) }.Select(d => image[x + d.Item1, y + d.Item2]);
        Assert.Contains(nearMiddle, c => c.R < 200 && Math.Abs(c.R - c.G) < 8);
        (x, y) = figure.PixelOf(0, 0.75, 0.25);
        Assert.Equal(Rgba.White, image[x, y]);
        // Each node type is its own legend entry, DeepMind's names with their counts.
        var legend = figure.Cells[0].GetPlottables<ScottPlot.Plottables.Scatter>().Select(s => s.LegendText).ToList();
        Assert.Equal(["NORMAL (1)", "INFLOW (1)", "WALL_BOUNDARY (2)"], legend);
    }

    [Fact]
    public void AMovedMeshShowsItsInvertedCellsRedAndAHistogramCountsMinimumAngles()
    {
        // A fan of four triangles around a centre node; moving the centre below the square flips the bottom one.
        double[] positions = [0, 0, 1, 0, 1, 1, 0, 1, 0.5, 0.5];
        int[] triangles = [0, 1, 4, 1, 2, 4, 2, 3, 4, 3, 0, 4];
        var before = new TriangleDomain(positions, triangles);
        double[] moved = [0, 0, 1, 0, 1, 1, 0, 1, 0.5, -0.3];
        var tangled = GnnSim.Meshing.MeshQuality.TangledCells(new GnnSim.Meshing.Mesh2D(positions, triangles, 3), new GnnSim.Meshing.Mesh2D(moved, triangles, 3));
        Assert.Equal([true, false, false, false], tangled);
        using var figure = MeshPlot.BeforeAfter(before, moved, [0, 6, 6, 6, 0]);
        Assert.Equal("after: 1 tangled cell (red)", figure.Cells[1].Axes.Title.Label.Text);
        var (x, y) = figure.PixelOf(1, 0.5, -0.1); // the flipped cell's centroid
        var pixel = figure.ToRgba()[x, y];
        Assert.True(pixel.R > 180 && pixel.G < 80 && pixel.B < 80, $"the tangled cell is drawn {pixel}");
        (x, y) = figure.PixelOf(0, 0.5, 0.15); // the same cell before the move: not filled
        Assert.True(figure.ToRgba()[x, y].G > 180, "the cell before the move is not red");

        // All four fan triangles are right isosceles: every minimum angle is 45 degrees.
        var histogram = MeshPlot.QualityHistogram(before);
        var bars = histogram.GetPlottables<ScottPlot.Plottables.BarPlot>().Single().Bars;
        Assert.Equal(4, bars.Single(b => b.Position is > 45 and < 50).Value);
        Assert.Equal(4, bars.Sum(b => b.Value));
    }
}
