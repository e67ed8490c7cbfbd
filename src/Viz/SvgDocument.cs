using System.Globalization;
using System.Xml.Linq;

namespace GnnSim.Viz;

/// <summary>
/// An SVG drawing built element by element; written through System.Xml so text and attributes are
/// always escaped and the file always parses.
/// </summary>
public sealed class SvgDocument
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly XElement root;

    public SvgDocument(double width, double height)
    {
        Width = width;
        Height = height;
        root = new XElement(Svg + "svg",
            new XAttribute("width", Number(width)), new XAttribute("height", Number(height)),
            new XAttribute("viewBox", $"0 0 {Number(width)} {Number(height)}"),
            new XAttribute("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif"));
        root.Add(new XElement(Svg + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "white")));
    }

    public double Width { get; }
    public double Height { get; }

    public void Line(double x1, double y1, double x2, double y2, Rgba stroke, double strokeWidth = 1, string? dash = null) =>
        root.Add(new XElement(Svg + "line", Attribute("x1", x1), Attribute("y1", y1), Attribute("x2", x2), Attribute("y2", y2),
            new XAttribute("stroke", stroke.Hex), Attribute("stroke-width", strokeWidth), dash is null ? null : new XAttribute("stroke-dasharray", dash)));

    public void Rectangle(double x, double y, double width, double height, Rgba? fill, Rgba? stroke = null) =>
        root.Add(new XElement(Svg + "rect", Attribute("x", x), Attribute("y", y), Attribute("width", width), Attribute("height", height),
            new XAttribute("fill", fill?.Hex ?? "none"), stroke is null ? null : new XAttribute("stroke", stroke.Value.Hex)));

    /// <summary>A polyline through the points; a NaN point breaks it into separate runs.</summary>
    public void Polyline(IReadOnlyList<(double X, double Y)> points, Rgba stroke, double strokeWidth = 1.5, string? dash = null)
    {
        var run = new List<string>();
        void Flush()
        {
            if (run.Count >= 2)
                root.Add(new XElement(Svg + "polyline", new XAttribute("points", string.Join(' ', run)), new XAttribute("fill", "none"),
                    new XAttribute("stroke", stroke.Hex), Attribute("stroke-width", strokeWidth), new XAttribute("stroke-linejoin", "round"),
                    dash is null ? null : new XAttribute("stroke-dasharray", dash)));
            run.Clear();
        }
        foreach (var (x, y) in points)
        {
            if (!double.IsFinite(x) || !double.IsFinite(y))
            {
                Flush();
                continue;
            }
            run.Add($"{Number(x)},{Number(y)}");
        }
        Flush();
    }

    public void Circle(double cx, double cy, double r, Rgba fill) =>
        root.Add(new XElement(Svg + "circle", Attribute("cx", cx), Attribute("cy", cy), Attribute("r", r), new XAttribute("fill", fill.Hex)));

    /// <param name="anchor">start, middle or end</param>
    /// <param name="rotate">degrees about the anchor point (-90 for a vertical axis label)</param>
    public void Text(double x, double y, string text, double size = 12, string anchor = "start", Rgba? fill = null, double rotate = 0, bool bold = false)
    {
        var element = new XElement(Svg + "text", Attribute("x", x), Attribute("y", y), Attribute("font-size", size),
            new XAttribute("text-anchor", anchor), new XAttribute("fill", (fill ?? Rgba.Ink).Hex), text);
        if (rotate != 0) element.Add(new XAttribute("transform", $"rotate({Number(rotate)} {Number(x)} {Number(y)})"));
        if (bold) element.Add(new XAttribute("font-weight", "bold"));
        root.Add(element);
    }

    public override string ToString() => root.ToString(SaveOptions.DisableFormatting);

    private static XAttribute Attribute(string name, double value) => new(name, Number(value));

    private static string Number(double value) => Math.Round(value, 2).ToString(CultureInfo.InvariantCulture);
}
