using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GnnSim.Viz.Reports;
using GnnSim.Viz.Rollouts;
using GnnSim.Viz.Tests.Decoders;

namespace GnnSim.Viz.Tests;

public class RolloutOutputTests
{
    /// <summary>A 3 x 2 grid, one solid cell, fields u and v over 4 steps; prediction = truth + 0.1 * step on u.</summary>
    private static RolloutView SmallRollout()
    {
        int[] cells = [0, 1, 2, 3, 4];
        var positions = cells.SelectMany(c => new[] { c % 3 + 0.5, c / 3 + 0.5 }).ToArray();
        var domain = new GridDomain(3, 2, cells, positions, (1, 1));
        const int steps = 4, nodes = 5, fields = 2;
        var truth = new float[(steps + 1) * nodes * fields];
        var prediction = new float[truth.Length];
        for (var s = 0; s <= steps; s++)
        for (var n = 0; n < nodes; n++)
        {
            var i = (s * nodes + n) * fields;
            truth[i] = n + s;
            truth[i + 1] = -n;
            prediction[i] = truth[i] + 0.1f * s;
            prediction[i + 1] = truth[i + 1];
        }
        int[] types = [0, 0, 0, 0, 6];
        var view = new RolloutView("case A", domain, ["u", "v"], steps, truth, prediction, types, types.Select(t => t == 0).ToArray(), 0.5, 2);
        view.Check();
        return view;
    }

    [Fact]
    public void ErrorsByStepAndSpeedComeFromTheStoredFields()
    {
        var rollout = SmallRollout();
        Assert.Equal([0, 0.1, 0.2, 0.3, 0.4], rollout.RmseByStep("u").Select(e => Math.Round(e, 5)));
        Assert.All(rollout.RmseByStep("v"), e => Assert.Equal(0, e));
        // Persistence: truth u grows by 1 a step on every node.
        Assert.Equal([0, 1, 2, 3, 4], rollout.PersistenceRmseByStep("u").Select(e => Math.Round(e, 5)));
        Assert.Equal(MathF.Sqrt(3 * 3 + 1), rollout.TruthAt(RolloutView.Speed, 2)[1], 5);
        Assert.Throws<ArgumentException>(() => rollout.TruthAt("p", 0));
        Assert.Throws<ArgumentException>(() => rollout.TruthAt("u", 5));
    }

    [Fact]
    public void TheAnimationHasAFramePerStepOnFixedScales()
    {
        var rollout = SmallRollout();
        var gif = GifDecoder.Decode(RolloutFigures.Animation(rollout, "u", maxFrames: 60));
        Assert.Equal(rollout.Steps + 1, gif.Frames.Count);
        Assert.True(gif.Loops);
        var frames = RolloutFigures.AnimationFrames(rollout, "u", maxFrames: 3);
        Assert.Equal(3, frames.Count); // steps 0, 2 and 4
        Assert.All(frames, f => Assert.Equal((frames[0].Width, frames[0].Height), (f.Width, f.Height)));
    }

    [Fact]
    public void VtkExportWritesAPvdCollectionOfVtuStepsThatHoldTheFields()
    {
        var rollout = SmallRollout();
        var directory = Path.Combine(Path.GetTempPath(), $"gnnsim-vtk-{Guid.NewGuid():N}");
        try
        {
            var pvd = RolloutVtkExport.Write(rollout, directory, "case_0000");
            var datasets = XDocument.Load(pvd).Descendants("DataSet").ToList();
            Assert.Equal(rollout.Steps + 1, datasets.Count);
            Assert.Equal([1.0, 1.5, 2.0, 2.5, 3.0], datasets.Select(d => double.Parse(d.Attribute("timestep")!.Value, CultureInfo.InvariantCulture)));

            var step3 = XDocument.Load(Path.Combine(directory, datasets[3].Attribute("file")!.Value));
            var piece = step3.Descendants("Piece").Single();
            Assert.Equal("5", piece.Attribute("NumberOfPoints")!.Value);
            Assert.Equal("1", piece.Attribute("NumberOfCells")!.Value); // only cells 0, 1, 3, 4 make a full quad
            float[] Array(string name) => step3.Descendants("DataArray").Single(a => a.Attribute("Name")?.Value == name).Value
                .Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(rollout.TruthAt("u", 3), Array("truth_u"));
            Assert.Equal(rollout.PredictionAt("u", 3), Array("prediction_u"));
            Assert.Equal(rollout.ErrorAt("u", 3), Array("error_u"));
            Assert.Equal(15, Array("truth_velocity").Length); // 3-vectors for ParaView
            Assert.Equal([0f, 0, 0, 0, 6], Array("node_type"));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void TheHtmlReportIsOneFileWithItsImagesInside()
    {
        var rollout = SmallRollout();
        var chart = RolloutFigures.ErrorCurves([("model", [rollout])], "u");
        var html = new HtmlReport("a <report>")
            .Heading("Numbers").Table(["steps", "RMSE"], [["1", "0.1"]], new HashSet<int> { 1 }).Facts([("fields", "u & v")])
            .Preformatted("model:\n  name: <mgn>")
            .Svg(chart.ToSvg(), "error")
            .Image(RolloutFigures.Snapshot(rollout, "u", 2).ToPng(), "image/png", "snapshot")
            .Image(RolloutFigures.Animation(rollout, "u"), "image/gif", "animation")
            .ToHtml();
        Assert.Contains("<title>a &lt;report&gt;</title>", html);
        Assert.Contains("name: &lt;mgn&gt;", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "").Replace("http://www.w3.org/1999/xlink", ""));
        var images = Regex.Matches(html, "data:(image/[a-z]+);base64,([A-Za-z0-9+/=]+)").ToList();
        Assert.Equal(2, images.Count);
        var png = PngDecoder.Decode(Convert.FromBase64String(images[0].Groups[2].Value));
        Assert.True(png.Width > 100);
        Assert.Equal(rollout.Steps + 1, GifDecoder.Decode(Convert.FromBase64String(images[1].Groups[2].Value)).Frames.Count);
        // The inline chart is well-formed XML.
        var svg = Regex.Match(html, "<svg.*?</svg>", RegexOptions.Singleline).Value;
        Assert.NotNull(XDocument.Parse(svg).Root);
    }
}
