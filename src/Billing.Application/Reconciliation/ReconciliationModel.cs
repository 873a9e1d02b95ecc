namespace Billing.Application.Reconciliation;

public static class ReconciliationSources
{
    public const string Stripe = "stripe";
    public const string Apple = "apple";
    public const string Flash = "flash";

    public static readonly IReadOnlyList<string> All = [Stripe, Apple, Flash];
}

/// <summary>What a finding says is wrong (docs/decisions/0030 says which are repaired automatically).</summary>
public static class FindingKinds
{
    /// <summary>A Stripe event of a type we handle that never reached the inbox. Repaired: stored and processed as usual.</summary>
    public const string StripeEventMissed = "stripe.event_missed";

    /// <summary>A paid one-off checkout session without its purchase.</summary>
    public const string StripePurchaseMissing = "stripe.purchase_missing";

    /// <summary>A paid subscription checkout session whose subscription billing does not know.</summary>
    public const string StripeSubscriptionMissing = "stripe.subscription_missing";

    /// <summary>A paid subscription invoice whose period was never recorded.</summary>
    public const string StripePeriodMissing = "stripe.period_missing";

    /// <summary>A purchase or paid period that owes credits but has no grant.</summary>
    public const string GrantMissing = "grant_missing";

    /// <summary>An App Store notification Apple sent that never reached the inbox. Repaired: verified and stored as usual.</summary>
    public const string AppleNotificationMissed = "apple.notification_missed";

    /// <summary>A notification in Apple's history that does not verify: never stored.</summary>
    public const string AppleNotificationUnverifiable = "apple.notification_unverifiable";

    /// <summary>A grant billing marked delivered that is not in the user's Flash history.</summary>
    public const string FlashGrantMissing = "flash.grant_missing";

    /// <summary>A delivered grant whose Flash history entry has another amount.</summary>
    public const string FlashAmountMismatch = "flash.amount_mismatch";
}

public static class FindingStatuses
{
    public const string Open = "open";
    public const string FixedAutomatically = "fixed_automatically";
    public const string Resolved = "resolved";
}

public static class ReconciliationTriggers
{
    public const string Schedule = "schedule";
    public const string Cli = "cli";
    public const string Console = "console";
    public const string Api = "api";
}

/// <summary>One problem a run saw. <see cref="Fixed"/>: the run repaired it itself (never true in a dry run).</summary>
public sealed record ReconciliationFinding(string Kind, string ObjectKey, string? UserId, string Expected, string Actual, bool Fixed = false);

/// <summary>The part of provider time a run looks at.</summary>
public sealed record ReconciliationWindow(DateTimeOffset Start, DateTimeOffset End);

/// <summary>How far a run has got (for the CLI's progress bar): <see cref="Total"/> is null when not known up front.</summary>
public sealed record ReconciliationProgress(string Stage, int Done, int? Total = null);

/// <summary>What one source's pass found: the objects it looked at, the findings, and a note for the run (e.g. what it could not check).</summary>
public sealed record SourceReconciliation(int Examined, IReadOnlyList<ReconciliationFinding> Findings, string? Note = null);

/// <summary>One source's checks. Providers are called with no transaction open; repairs go through the normal intake.</summary>
internal interface ISourceReconciler
{
    string Source { get; }

    /// <summary>Null when the source can be reconciled here; else why not (names the variables).</summary>
    string? NotConfigured { get; }

    /// <summary>The longest window the provider can answer for (Stripe keeps events 30 days).</summary>
    TimeSpan MaxWindow { get; }

    Task<SourceReconciliation> RunAsync(ReconciliationWindow window, bool dryRun, IProgress<ReconciliationProgress>? progress, CancellationToken cancellationToken);
}
