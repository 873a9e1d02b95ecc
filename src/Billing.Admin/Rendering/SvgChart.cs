using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Billing.Admin.Rendering;

/// <summary>
/// Charts drawn on the server as SVG: readable without JavaScript, no chart library, nothing the CSP has to allow.
/// Only presentation attributes and CSS classes (no inline style), so the strict style-src holds.
/// </summary>
internal static class SvgChart
{
    private const int Height = 170;
    private const int Left = 36;
    private const int Bottom = 22;
    private const int Top = 8;

    public sealed record Bar(string Label, double Value, double? Second = null);

    /// <summary>
    /// A bar per point (with an optional second series drawn beside it); every labelEvery-th label shown. floor is the
    /// smallest top of the scale (1 for counts; 0 lets sub-second latencies fill the chart); width is about the width the
    /// chart is shown at, so its text keeps its size.
    /// </summary>
    public static IHtmlContent Bars(string id, string title, IReadOnlyList<Bar> bars, int labelEvery, Func<double, string> axis, double floor = 1, int width = 720)
    {
        var peak = bars.Count == 0 ? 0 : bars.Max(b => Math.Max(b.Value, b.Second ?? 0));
        var max = Math.Max(floor, peak) is var top && top > 0 ? top : 1;
        var plotWidth = width - Left - 4.0;
        var plotHeight = Height - Bottom - Top;
        var slot = plotWidth / Math.Max(1, bars.Count);
        var twoSeries = bars.Any(b => b.Second is not null);
        var barWidth = Math.Max(1, (twoSeries ? slot / 2 : slot) - (slot > 6 ? 1.5 : 0.3));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {width} {Height}\" role=\"img\" aria-labelledby=\"{id}-t\" preserveAspectRatio=\"xMidYMid meet\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-t\">{WebUtility.HtmlEncode(title)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{width - 4}\" y2=\"{Top + plotHeight}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Top + 10}\" text-anchor=\"end\">{WebUtility.HtmlEncode(axis(max))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Top + plotHeight}\" text-anchor=\"end\">0</text>");
        for (var i = 0; i < bars.Count; i++)
        {
            var x = Left + (i * slot);
            AppendBar(svg, "bar", x, bars[i].Value, max, barWidth, plotHeight, $"{bars[i].Label}: {axis(bars[i].Value)}");
            if (bars[i].Second is { } second)
            {
                AppendBar(svg, "bar alt", x + barWidth, second, max, barWidth, plotHeight, $"{bars[i].Label}: {axis(second)}");
            }

            if (i % labelEvery == 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{Height - 6}\">{WebUtility.HtmlEncode(bars[i].Label)}</text>");
            }
        }

        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static void AppendBar(StringBuilder svg, string cssClass, double x, double value, double max, double width, double plotHeight, string tooltip)
    {
        var h = value <= 0 ? 0 : Math.Max(1.5, value / max * plotHeight);
        svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{cssClass}\" x=\"{x:0.##}\" y=\"{Top + plotHeight - h:0.##}\" width=\"{width:0.##}\" height=\"{h:0.##}\"><title>{WebUtility.HtmlEncode(tooltip)}</title></rect>");
    }
}
