namespace Billing.Application.Abstractions.Flash;

/// <summary>
/// What happened to one admin grant. A closed set: Flash's grant has no idempotency key, so the dispatcher must know
/// whether a retry could double-grant.
/// <list type="bullet">
/// <item><see cref="Applied"/>: Flash answered 200; the credits are on the account.</item>
/// <item><see cref="Rejected"/>: Flash (or the edge in front of its routes) definitively refused it (4xx such as 403 key, 404 user,
/// 422 body, or a 3xx the client will not follow). Nothing was applied; retrying unchanged will fail again.</item>
/// <item><see cref="NotSent"/>: certainly not applied, safe to retry later: no request body ever left this process (connection refused,
/// DNS failure, connect timeout, circuit open, caller cancelled before sending) or an intermediary answered 429 (Flash itself
/// never emits 429, so a 429 can only come from a proxy that refused to forward).</item>
/// <item><see cref="Ambiguous"/>: may or may not have been applied: the body was sent and then the answer was lost (timeout, connection
/// reset or closed mid-response, caller cancelled after sending) or Flash/the proxy answered 5xx or 408, or an unexpected 2xx/1xx.
/// Never retry blindly: reconcile against Flash's ledger first.</item>
/// </list>
/// </summary>
public abstract record FlashGrantOutcome
{
    private FlashGrantOutcome()
    {
    }

    /// <summary>True only for <see cref="NotSent"/>: the one case where sending the same grant again cannot double it.</summary>
    public bool IsSafeToRetry => this is NotSent;

    /// <summary>Flash applied the grant. <paramref name="BalanceAfter"/> is null only if a 200 arrived with a body we could not read.</summary>
    public sealed record Applied(int? BalanceAfter, int Granted) : FlashGrantOutcome;

    /// <summary>Definitive refusal; nothing was applied.</summary>
    public sealed record Rejected(FlashError Error) : FlashGrantOutcome;

    /// <summary>Certainly not applied; the request body never reached Flash. <paramref name="Unreachable"/>: Flash could not be
    /// reached at all (connection refused, DNS, connect timeout), as opposed to a refusal by the breaker or a proxy.</summary>
    public sealed record NotSent(string Reason, bool Unreachable = false) : FlashGrantOutcome;

    /// <summary>May have been applied. <paramref name="StatusCode"/> is set when an HTTP status came back (5xx, 408, odd 2xx).</summary>
    public sealed record Ambiguous(string Reason, int? StatusCode = null, FlashError? Error = null) : FlashGrantOutcome;
}
