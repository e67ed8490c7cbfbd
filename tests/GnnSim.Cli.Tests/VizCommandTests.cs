using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GnnSim.Viz.Tests.Decoders;

namespace GnnSim.Cli.Tests;

/// <summary><c>plot</c>, <c>report</c> and <c>export</c> on the quickstart's run, and the report in a real browser.</summary>
public class VizCommandTests(QuickstartRun quickstart) : IClassFixture<QuickstartRun>
{
    private string Rollout => Path.Combine(quickstart.RunDirectory, "rollout.h5");

    private string Scratch(string name)
    {
        var directory = Path.Combine(quickstart.Root, "viz");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }

    [Fact]
    public void PlotWritesASnapshotAnAnimationAndErrorCurves()
    {
        Assert.True(quickstart.ExitCode == 0, quickstart.Error);
        var snapshot = Scratch("u.png");
        var (exitCode, _, error) = CliRunner.Run("plot", Rollout, "--field", "u", "--step", "2", "--out", snapshot, "--width", "160");
        Assert.True(exitCode == 0, error);
        var png = PngDecoder.Decode(File.ReadAllBytes(snapshot));
        Assert.True(png.Width > 3 * 160 && png.Height > 160, $"{png.Width} x {png.Height}");

        var animation = Scratch("rollout.gif");
        Assert.Equal(0, CliRunner.Run("plot", Rollout, "--animate", "--out", animation, "--width", "96").exitCode);
        Assert.Equal(5, GifDecoder.Decode(File.ReadAllBytes(animation)).Frames.Count); // steps 0..4

        // A probe's record and spectrum; arrows and streamlines over the snapshot.
        var probe = Scratch("probe.png");
        (exitCode, _, error) = CliRunner.Run("plot", Rollout, "--probe", "0.5,0.5", "--field", "u", "--out", probe);
        Assert.True(exitCode == 0, error);
        Assert.True(PngDecoder.Decode(File.ReadAllBytes(probe)).Width > 800);
        foreach (var overlay in new[] { "--vectors", "--streamlines" })
        {
            var drawn = Scratch($"overlay{overlay}.png");
            (exitCode, _, error) = CliRunner.Run("plot", Rollout, overlay, "--out", drawn);
            Assert.True(exitCode == 0, error);
            Assert.True(PngDecoder.Decode(File.ReadAllBytes(drawn)).Width > 600);
        }
        (exitCode, _, error) = CliRunner.Run("plot", Rollout, "--probe", "7,7", "--out", probe);
        Assert.Equal(2, exitCode);
        Assert.Contains("outside the fluid", error);
        (exitCode, _, error) = CliRunner.Run("plot", Rollout, "--probe", "half,way", "--out", probe);
        Assert.Contains("is not X,Y", error);

        // Two runs on one chart: the same rollout under two names.
        var copy = Scratch("other.h5");
        File.Copy(Rollout, copy, overwrite: true);
        var curves = Scratch("errors.svg");
        Assert.Equal(0, CliRunner.Run("plot", Rollout, copy, "--errors", "--field", "v", "--out", curves).exitCode);
        var svg = XDocument.Load(curves);
        XNamespace ns = "http://www.w3.org/2000/svg";
        // One curve per run, in the palette's first two colours.
        var strokes = svg.Descendants(ns + "path").Select(p => ((string?)p.Attribute("stroke") ?? "").ToLowerInvariant()).ToHashSet();
        Assert.Contains(Viz.LineChart.ColorOf(0).Hex, strokes);
        Assert.Contains(Viz.LineChart.ColorOf(1).Hex, strokes);
        var texts = svg.Descendants(ns + "text").Select(t => t.Value.Trim()).ToList();
        Assert.Contains(texts, t => t.StartsWith("run", StringComparison.Ordinal)); // RUN/rollout.h5 is named after its run
        Assert.Contains(texts, t => t.StartsWith("other", StringComparison.Ordinal));
    }

    [Fact]
    public void PlotAndExportRefuseWhatTheyCannotDrawWithOneLine()
    {
        Assert.True(quickstart.ExitCode == 0, quickstart.Error);
        var (exitCode, _, error) = CliRunner.Run("plot", Rollout, "--field", "p", "--out", Scratch("p.png"));
        Assert.Equal(2, exitCode);
        Assert.Contains("no field 'p' (it has u, v, speed, vorticity)", error);
        (exitCode, _, error) = CliRunner.Run("plot", Rollout, "--animate", "--out", Scratch("a.png"));
        Assert.Equal(2, exitCode);
        Assert.Contains("written as .gif", error);
        (exitCode, _, error) = CliRunner.Run("plot", Rollout, "--mesh", "--out", Scratch("mesh.png"));
        Assert.Equal(2, exitCode);
        Assert.Contains("grid case", error);
        (exitCode, _, error) = CliRunner.Run("export", Rollout, "--format", "msh", "--out", Scratch("msh"));
        Assert.Equal(2, exitCode);
        Assert.Contains("--format msh writes triangle meshes", error);
        (exitCode, _, error) = CliRunner.Run("plot", Rollout, "--step", "99", "--out", Scratch("s.png"));
        Assert.Equal(2, exitCode);
        Assert.Contains("outside the rollout's 0..4", error);
        (exitCode, _, error) = CliRunner.Run("export", Path.Combine(quickstart.Root, "config-not-rollout.h5"), "--out", Scratch("vtk"));
        Assert.Equal(2, exitCode);
        Assert.Contains("no such rollout or trajectory file", error);
        var notRollout = Scratch("text.h5");
        File.WriteAllText(notRollout, "not hdf5");
        (exitCode, _, error) = CliRunner.Run("plot", notRollout, "--out", Scratch("t.png"));
        Assert.Equal(2, exitCode);
        Assert.Contains(notRollout, error);
    }

    [Fact]
    public void ExportWritesAPvdPerCaseForParaview()
    {
        Assert.True(quickstart.ExitCode == 0, quickstart.Error);
        var directory = Scratch("vtk");
        Assert.Equal(0, CliRunner.Run("export", Rollout, "--out", directory).exitCode);
        foreach (var pvd in new[] { "case_0000.pvd", "case_0001.pvd" })
        {
            var files = XDocument.Load(Path.Combine(directory, pvd)).Descendants("DataSet").Select(d => d.Attribute("file")!.Value).ToList();
            Assert.Equal(5, files.Count);
            // 32 x 32 cell centres joined into 31 x 31 quads.
            var piece = XDocument.Load(Path.Combine(directory, files[^1])).Descendants("Piece").Single();
            Assert.Equal(("1024", "961"), (piece.Attribute("NumberOfPoints")!.Value, piece.Attribute("NumberOfCells")!.Value));
        }
    }

    [SkippableFact]
    public void TheReportRendersInHeadlessChromiumWithoutConsoleErrors()
    {
        Assert.True(quickstart.ExitCode == 0, quickstart.Error);
        var chromium = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(name => Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null);
        Skip.If(chromium is null, "Chromium is not installed (.ci/run installs Debian's chromium; GNNSIM_TEST_TOOLS=1 ./setup.sh as root does too)");

        var report = Scratch("report.html");
        var (exitCode, _, error) = CliRunner.Run("report", quickstart.RunDirectory, "--out", report);
        Assert.True(exitCode == 0, error);
        var html = File.ReadAllText(report);
        foreach (Match image in Regex.Matches(html, "data:image/(png|gif);base64,([A-Za-z0-9+/=]+)"))
        {
            var bytes = Convert.FromBase64String(image.Groups[2].Value);
            if (image.Groups[1].Value == "png") PngDecoder.Decode(bytes);
            else GifDecoder.Decode(bytes);
        }

        AssertRendersInChromium(chromium!, report);

        // Two runs side by side: the quickstart run and a copy of it under another name.
        var copy = Scratch(Path.Combine("other", "run"));
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(quickstart.RunDirectory)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)), overwrite: true);
        var comparison = Scratch("compare.html");
        // (The copy with a trailing slash, as a shell's completion writes it: the same run, the same name.)
        (exitCode, _, error) = CliRunner.Run("report", quickstart.RunDirectory, copy + "/", "--out", comparison);
        Assert.True(exitCode == 0, error);
        var compared = File.ReadAllText(comparison);
        // Every run's metrics table (the runs table first), both names, one snapshot per run.
        Assert.Equal(3, Regex.Matches(compared, "<table").Count);
        // Both are called run, so each is named with its parent folder (the title names the runs by their labels).
        Assert.Contains($"<h1>GnnSim comparison: {Path.GetFileName(quickstart.Root)}/run vs other/run</h1>", compared);
        Assert.Contains("<td>cfdbench cavity</td>", compared);
        Assert.Equal(2, Regex.Matches(compared, "data:image/png;base64").Count);
        AssertRendersInChromium(chromium!, comparison);
        Assert.Contains("needs --out", CliRunner.Run("report", quickstart.RunDirectory, copy).error);
    }

    /// <summary>Chromium renders the page with no console message, and it is not blank: many colours, plenty of ink.</summary>
    private void AssertRendersInChromium(string chromium, string page)
    {
        var screenshot = Scratch(Path.GetFileNameWithoutExtension(page) + ".png");
        var profile = Scratch("chromium-profile");
        var start = new ProcessStartInfo(chromium)
        {
            ArgumentList =
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                $"--user-data-dir={profile}", "--window-size=1280,2400", $"--screenshot={screenshot}", new Uri(Path.GetFullPath(page)).AbsoluteUri,
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var browser = Process.Start(start)!;
        var log = browser.StandardError.ReadToEndAsync();
        _ = browser.StandardOutput.ReadToEndAsync();
        if (!browser.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            browser.Kill(entireProcessTree: true);
            Assert.Fail("Chromium did not finish the screenshot in 120 s");
        }
        // Chromium logs every console message of the page as a CONSOLE line.
        var consoleLines = log.Result.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
        Assert.True(consoleLines.Count == 0, string.Join('\n', consoleLines));

        var shot = PngDecoder.Decode(File.ReadAllBytes(screenshot));
        Assert.Equal((1280, 2400), (shot.Width, shot.Height));
        var colours = new HashSet<int>();
        var nonWhite = 0;
        for (var p = 0; p < shot.Width * shot.Height; p++)
        {
            int r = shot.Rgba[4 * p], g = shot.Rgba[4 * p + 1], b = shot.Rgba[4 * p + 2];
            colours.Add(r << 16 | g << 8 | b);
            if (r + g + b < 3 * 240) nonWhite++;
        }
        // Text, charts and the viridis fields: many colours and plenty of ink, not a blank page.
        Assert.True(colours.Count > 200, $"{colours.Count} colours in the screenshot");
        Assert.True(nonWhite > shot.Width * shot.Height / 50, $"{nonWhite} non-white pixels");
    }
}
