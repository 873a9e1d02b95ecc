using Billing.Application.Abstractions.Persistence;
using Billing.Domain.ApiKeys;
using Billing.Domain.Common;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.ApiKeys.SearchApiKeys;

internal sealed class SearchApiKeysQueryHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<SearchApiKeysQuery, ApiKeySearchResponse>
{
    private const string Ellipsis = "…";

    public async Task<ApiKeySearchResponse> Handle(SearchApiKeysQuery request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var text = request.Query?.Trim() ?? "";
        var keys = db.ApiKeys.AsNoTracking();
        if (text.Any(char.IsControl))
        {
            return new ApiKeySearchResponse([]);
        }

        if (text.Length == 0)
        {
            keys = keys.OrderByDescending(k => k.LastUsedAt ?? k.CreatedAt);
        }
        else if (ApiKeyId.TryFrom(text, out var id))
        {
            keys = keys.Where(k => k.Id == id).OrderByDescending(k => k.CreatedAt);
        }
        else
        {
            // Whatever was typed may be an owner id or a suffix (alone, after an ellipsis, or a pasted display).
            var owner = UserId.From(text);
            keys = Suffix(text) is { } suffix
                ? keys.Where(k => k.OwnerId == owner || k.LastFour == suffix)
                : keys.Where(k => k.OwnerId == owner);
            keys = keys.OrderByDescending(k => k.CreatedAt);
        }

        var found = await keys.Take(request.Limit).ToListAsync(cancellationToken);
        return new ApiKeySearchResponse([.. found.Select(k => OperatorApiKeyView.From(k, now))]);
    }

    /// <summary>The four characters after the last ellipsis (or "..."), or the text itself when it is four characters.</summary>
    private static string? Suffix(string text)
    {
        var tail = text;
        foreach (var separator in new[] { Ellipsis, "..." })
        {
            var at = tail.LastIndexOf(separator, StringComparison.Ordinal);
            if (at >= 0)
            {
                tail = tail[(at + separator.Length)..];
            }
        }

        return tail.Length == 4 && tail.All(char.IsAsciiLetterOrDigit) ? tail : null;
    }
}
