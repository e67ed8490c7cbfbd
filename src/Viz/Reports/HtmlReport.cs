using System.Net;
using System.Text;

namespace GnnSim.Viz.Reports;

/// <summary>
/// A report as one self-contained HTML file: styles inline, PNG and GIF images embedded as data
/// URIs, charts as inline SVG, no scripts and nothing fetched, so it opens anywhere, offline.
/// </summary>
public sealed class HtmlReport(string title)
{
    private readonly StringBuilder body = new();

    public string Title { get; } = title;

    public HtmlReport Heading(string text, int level = 2)
    {
        level = Math.Clamp(level, 1, 4);
        var id = new string(text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
        body.Append($"<h{level} id=\"{id}\">{Encode(text)}</h{level}>\n");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        body.Append($"<p>{Encode(text)}</p>\n");
        return this;
    }

    /// <summary>Text shown as it is, in a monospace block (a config file).</summary>
    public HtmlReport Preformatted(string text)
    {
        body.Append($"<pre>{Encode(text)}</pre>\n");
        return this;
    }

    /// <param name="numericColumns">columns aligned right (numbers)</param>
    /// <param name="bold">cells shown in bold, by (row, column) of the body (a column's best value)</param>
    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, IReadOnlySet<int>? numericColumns = null,
        Func<int, int, bool>? bold = null)
    {
        string Cell(string tag, string text, int column, bool strong)
        {
            var content = strong ? $"<strong>{Encode(text)}</strong>" : Encode(text);
            return numericColumns?.Contains(column) == true ? $"<{tag} class=\"number\">{content}</{tag}>" : $"<{tag}>{content}</{tag}>";
        }
        body.Append("<table>\n<thead><tr>");
        for (var c = 0; c < header.Count; c++) body.Append(Cell("th", header[c], c, false));
        body.Append("</tr></thead>\n<tbody>\n");
        var r = 0;
        foreach (var row in rows)
        {
            body.Append("<tr>");
            for (var c = 0; c < row.Count; c++) body.Append(Cell("td", row[c], c, bold?.Invoke(r, c) == true));
            body.Append("</tr>\n");
            r++;
        }
        body.Append("</tbody>\n</table>\n");
        return this;
    }

    /// <summary>Name and value pairs, a small table with the names in bold.</summary>
    public HtmlReport Facts(IEnumerable<(string Name, string Value)> facts)
    {
        body.Append("<table class=\"facts\">\n<tbody>\n");
        foreach (var (name, value) in facts) body.Append($"<tr><th>{Encode(name)}</th><td>{Encode(value)}</td></tr>\n");
        body.Append("</tbody>\n</table>\n");
        return this;
    }

    /// <summary>A PNG or GIF embedded in the page.</summary>
    public HtmlReport Image(byte[] encoded, string mimeType, string caption)
    {
        if (mimeType is not ("image/png" or "image/gif")) throw new ArgumentException($"images are embedded as image/png or image/gif, not {mimeType}");
        body.Append($"<figure><img src=\"data:{mimeType};base64,{Convert.ToBase64String(encoded)}\" alt=\"{Encode(caption)}\">");
        body.Append($"<figcaption>{Encode(caption)}</figcaption></figure>\n");
        return this;
    }

    /// <summary>An SVG drawing (from <see cref="SvgDocument"/> or <see cref="LineChart"/>) placed inline.</summary>
    public HtmlReport Svg(string svg, string caption)
    {
        if (!svg.StartsWith("<svg", StringComparison.Ordinal)) throw new ArgumentException("inline SVG must start with its <svg> element");
        body.Append($"<figure>{svg}<figcaption>{Encode(caption)}</figcaption></figure>\n");
        return this;
    }

    public string ToHtml(string? generator = null)
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.Append($"<title>{Encode(Title)}</title>\n<style>\n{Style}</style>\n</head>\n<body>\n<main>\n");
        page.Append($"<h1>{Encode(Title)}</h1>\n");
        if (generator is not null) page.Append($"<p class=\"generator\">{Encode(generator)}</p>\n");
        page.Append(body);
        page.Append("</main>\n</body>\n</html>\n");
        return page.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Style = """
        body { margin: 0; background: #f6f6f4; color: #222; font: 15px/1.45 "DejaVu Sans", Helvetica, Arial, sans-serif; }
        main { max-width: 1180px; margin: 0 auto; padding: 12px 28px 48px; background: white; }
        h1 { font-size: 26px; margin: 18px 0 4px; }
        h2 { font-size: 20px; margin: 32px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        h3 { font-size: 16px; margin: 22px 0 8px; }
        .generator { color: #666; font-size: 13px; margin-top: 0; }
        pre { background: #f3f3f3; padding: 10px 14px; overflow-x: auto; font-size: 13px; border-radius: 4px; }
        table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; display: block; overflow-x: auto; max-width: 100%; }
        th, td { padding: 4px 12px; border-bottom: 1px solid #e2e2e2; text-align: left; }
        th { background: #f0f0f0; }
        table.facts th { background: none; font-weight: 600; }
        td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
        td.number { white-space: nowrap; }
        figure { margin: 12px 0 20px; }
        figure img, figure svg { max-width: 100%; height: auto; border: 1px solid #e6e6e6; }
        figcaption { color: #555; font-size: 13px; margin-top: 4px; }

        """;
}
