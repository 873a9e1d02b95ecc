using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Billing.Application.Attention.GetAttentionList;

/// <summary>
/// The position after the last entry of a page: (at, source, sort id), the list's order, newest first. Opaque to callers
/// (base64url); a cursor that does not decode is the caller's mistake (400).
/// </summary>
internal readonly record struct AttentionCursor(DateTimeOffset At, string Source, string SortId)
{
    public static readonly string[] Sources = [AttentionSources.AttentionItem, AttentionSources.Finding, AttentionSources.Grant, AttentionSources.Inbox];

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{At.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{Source}|{SortId}"));

    public static bool TryDecode(string? text, [NotNullWhen(true)] out AttentionCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 200)
        {
            return false;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split('|');
            if (parts.Length != 3
                || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks
                || !Sources.Contains(parts[1])
                || !IsSortId(parts[1], parts[2]))
            {
                return false;
            }

            cursor = new AttentionCursor(new DateTimeOffset(ticks, TimeSpan.Zero), parts[1], parts[2]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Inbox rows sort by their bigint id (zero-padded so ordinal order is numeric order); the others by uuid text.</summary>
    public static string InboxSortId(long id) => id.ToString("D20", CultureInfo.InvariantCulture);

    public static string UuidSortId(Guid id) => id.ToString("D");

    private static bool IsSortId(string source, string sortId) => source == AttentionSources.Inbox
        ? sortId.Length == 20 && long.TryParse(sortId, NumberStyles.None, CultureInfo.InvariantCulture, out _)
        : Guid.TryParseExact(sortId, "D", out var id) && UuidSortId(id) == sortId;
}

internal static class AttentionSources
{
    public const string AttentionItem = "attention_item";
    public const string Finding = "finding";
    public const string Grant = "grant";
    public const string Inbox = "inbox";
}
