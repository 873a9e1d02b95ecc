namespace Billing.Application.Inbox;

/// <summary>
/// How long a stored event is retried before it is parked as failed (docs/decisions/0015-inbox-retries-and-parked-events.md).
/// A paid-money event (one that can owe a grant or a clawback) is retried for <see cref="PaidMoneyWindow"/> from the start
/// of its current round of retries; any other event for <see cref="OtherEventMaxAttempts"/> attempts (about an hour).
/// Either way the delay doubles from 1 s up to <see cref="MaxDelay"/>, and a parked event is listed, counted and requeueable.
/// </summary>
public sealed record InboxRetryPolicy(TimeSpan PaidMoneyWindow)
{
    public const string RetryDaysVariable = "INBOX_RETRY_DAYS";

    public const int DefaultRetryDays = 30;

    /// <summary>Status-only events are superseded by the next event of their object: a dozen attempts (≈ 1 h) is enough.</summary>
    public const int OtherEventMaxAttempts = 12;

    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(10);

    public static InboxRetryPolicy Default { get; } = new(TimeSpan.FromDays(DefaultRetryDays));

    /// <summary>The delay before the next attempt after <paramref name="attempts"/> failed ones: 1 s, 2 s, 4 s … capped at 10 min.</summary>
    public static TimeSpan Delay(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(MaxDelay.TotalSeconds, Math.Pow(2, Math.Clamp(attempts - 1, 0, 30))));

    /// <summary>Whether the event has used its budget (its failed attempts counted, this one included).</summary>
    public bool IsExhausted(InboxEvent inboxEvent, DateTimeOffset now) =>
        PaidMoneyEvents.Contains(inboxEvent.Provider, inboxEvent.EventType)
            ? now >= inboxEvent.RetryRoundStartedAt + PaidMoneyWindow
            : inboxEvent.Attempts >= OtherEventMaxAttempts;

    /// <summary>Reads <c>INBOX_RETRY_DAYS</c> (whole days, 1 to 365; default 30); anything else fails naming the variable.</summary>
    public static InboxRetryPolicy FromSetting(string? retryDays)
    {
        if (string.IsNullOrWhiteSpace(retryDays))
        {
            return Default;
        }

        if (!int.TryParse(retryDays.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) || days is < 1 or > 365)
        {
            throw new InvalidOperationException($"{RetryDaysVariable} must be a whole number of days from 1 to 365, not '{retryDays}'.");
        }

        return new InboxRetryPolicy(TimeSpan.FromDays(days));
    }
}

/// <summary>
/// The event types whose processing can owe credits or take them back (docs/decisions/0015). Losing one of these loses a
/// payment or mints credits, so they are retried for days; the others only mirror a status a later event repeats.
/// </summary>
public static class PaidMoneyEvents
{
    private static readonly HashSet<string> Stripe =
    [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "invoice.paid",
        "charge.refunded",
        "charge.dispute.closed",
    ];

    /// <summary>Apple types (the part before <c>/SUBTYPE</c> of the stored event type).</summary>
    private static readonly HashSet<string> Apple =
    [
        "SUBSCRIBED",
        "DID_RENEW",
        "OFFER_REDEEMED",
        "ONE_TIME_CHARGE",
        "REFUND",
        "REVOKE",
        "REFUND_REVERSED",
    ];

    public static bool Contains(string provider, string eventType) => provider switch
    {
        InboxProviders.Stripe => Stripe.Contains(eventType),
        // An upgrade is a new paid period; the other renewal-preference changes are not.
        InboxProviders.Apple => Apple.Contains(TypeOf(eventType)) || eventType == "DID_CHANGE_RENEWAL_PREF/UPGRADE",
        _ => false,
    };

    private static string TypeOf(string eventType) => eventType.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? eventType[..slash] : eventType;
}
