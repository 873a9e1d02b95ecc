using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Attention.GetAttentionList;

/// <summary>
/// Operator: everything that needs a person, newest first: dead / in_doubt / owed_debt grants, failed inbox events and stale
/// ones (received, not processed for 10 minutes), and the attention items (unattributable Apple payments, unmapped Stripe
/// prices, Sandbox purchases refused in Production; resolved ones are gone). Keyset-paginated: pass the previous page's
/// <c>next_cursor</c> (with the same filters). <see cref="Kind"/> narrows to one kind (<c>grant_dead</c>, <c>inbox_failed</c>,
/// <c>unmapped_stripe_price</c>, …); <see cref="UserId"/> to one user's entries (inbox events name no user, so none are listed).
/// </summary>
public sealed record GetAttentionListQuery(int Limit = GetAttentionListQuery.DefaultLimit, string? Cursor = null, string? Kind = null, string? UserId = null)
    : IQuery<AttentionListResponse>
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
}

/// <remarks><c>NextCursor</c>: null on the last page.</remarks>
public sealed record AttentionListResponse(IReadOnlyList<AttentionEntryResponse> Items, string? NextCursor);

/// <remarks>
/// <para><c>Source</c>: <c>grant</c>, <c>inbox</c>, <c>attention_item</c> or <c>finding</c> (an open reconciliation finding);
/// <c>Id</c> the row's id in that source (grant key, inbox row id, attention item id, finding id).</para>
/// <para><c>Kind</c>: <c>grant_dead</c>, <c>grant_in_doubt</c>, <c>grant_owed_debt</c>, <c>inbox_failed</c>,
/// <c>inbox_stale</c>, or an attention item's kind.</para>
/// <para><c>At</c>: when it arose (grant created, event received, item first raised); the list's order.</para>
/// <para><c>Routes</c>: the operator routes that act on it.</para>
/// </remarks>
public sealed record AttentionEntryResponse(
    string Source,
    string Id,
    string Kind,
    string Reason,
    DateTimeOffset At,
    string? UserId,
    string? Subject,
    int? Amount,
    IReadOnlyList<AttentionRouteResponse> Routes);

public sealed record AttentionRouteResponse(string Method, string Path, string Action);
