using System.Text;

namespace Billing.Harness;

/// <summary>A Markdown table with aligned columns (readable in a terminal, pasteable into docs).</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> cells) =>
            text.Append("| ").Append(string.Join(" | ", widths.Select((w, i) => (i < cells.Count ? cells[i] : "").PadRight(w)))).Append(" |\n");
        Line(headers);
        text.Append('|').Append(string.Join('|', widths.Select(w => new string('-', w + 2)))).Append("|\n");
        foreach (var row in _rows)
        {
            Line(row);
        }

        return text.ToString();
    }

    public static string FaultTable(IEnumerable<ScenarioResult> results)
    {
        var table = new TextTable("scenario", "events", "grants expected", "grants delivered", "duplicates", "lost", "result");
        foreach (var r in results)
        {
            table.Add(r.Scenario, r.Events.ToString(System.Globalization.CultureInfo.InvariantCulture), r.GrantsExpected.ToString(System.Globalization.CultureInfo.InvariantCulture),
                r.GrantsDelivered.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Duplicates.ToString(System.Globalization.CultureInfo.InvariantCulture),
                r.Lost.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Result);
        }

        return table.ToString();
    }
}
