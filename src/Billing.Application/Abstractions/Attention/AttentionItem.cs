namespace Billing.Application.Abstractions.Attention;

/// <summary>
/// Something a person must look at that is neither a grant nor an inbox row: a verified Apple payment nobody can be credited
/// with, a Stripe price that maps to no tier, a Sandbox purchase refused in Production. One row per (kind, object): raising
/// it again refreshes <see cref="LastSeenAt"/> and counts the occurrence.
/// </summary>
public sealed class AttentionItem
{
    private AttentionItem()
    {
    }

    public Guid Id { get; private set; }

    /// <summary>One of <see cref="AttentionKinds"/>.</summary>
    public string Kind { get; private set; } = "";

    /// <summary>The provider object it is about, e.g. <c>apple:transaction:2000…</c> or <c>stripe:invoice:in_…</c>.</summary>
    public string ObjectKey { get; private set; } = "";

    public string? UserId { get; private set; }

    public string Reason { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset LastSeenAt { get; private set; }

    public int Occurrences { get; private set; }

    /// <summary>Set when an operator resolved it; a resolved item leaves the attention list until it is raised again.</summary>
    public DateTimeOffset? ResolvedAt { get; private set; }

    /// <summary>The audit actor who resolved it (<c>operator:…</c>, <c>cli:…</c>, <c>admin_key</c>).</summary>
    public string? ResolvedBy { get; private set; }

    public string? ResolutionReason { get; private set; }

    public bool IsResolved => ResolvedAt is not null;

    /// <summary>Closes the item; resolving it twice is refused (409), so the first resolution and its reason stand.</summary>
    public void Resolve(string actor, string reason, DateTimeOffset now)
    {
        if (IsResolved)
        {
            throw new Domain.Common.DomainException("attention_item.already_resolved", $"This item was already resolved by {ResolvedBy} at {ResolvedAt:O}.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new Domain.Common.InvalidDomainValueException("attention_item.reason_required", "A reason is required to resolve an attention item.");
        }

        ResolvedAt = now;
        ResolvedBy = actor;
        ResolutionReason = reason.Trim();
    }
}

public static class AttentionKinds
{
    /// <summary>A verified, paid Apple transaction that no Flash user can be credited with.</summary>
    public const string UnattributableAppleTransaction = "unattributable_apple_transaction";

    /// <summary>A paid Stripe invoice whose price maps to no tier of the catalog: nothing was guessed, nothing granted.</summary>
    public const string UnmappedStripePrice = "unmapped_stripe_price";

    /// <summary>A Sandbox transaction verified in a Production configuration and not granted (docs/decisions/0010).</summary>
    public const string SandboxNotGranted = "sandbox_not_granted";
}

/// <summary>Raises attention items inside the caller's unit of work; idempotent per (kind, object).</summary>
public interface IAttentionList
{
    Task RaiseAsync(string kind, string objectKey, string? userId, string reason, CancellationToken cancellationToken);
}
