using System.Globalization;
using Billing.Application.Abstractions.Flash;
using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Grants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Reconciliation;

/// <summary>
/// Billing ↔ Flash (gateway-signed mode only: Flash's history needs a signed user identity). Every grant billing marked
/// delivered in the window must be in the user's Flash history: an entry whose description carries the grant key, with the
/// amount that was sent (the dispatcher's own test, docs/decisions/0007 §4). Clawbacks go to the credits API's ledger,
/// which has no readable history, so only positive grants are checked. Nothing is resent automatically: a missing grant
/// may still be in flight elsewhere, and a second send could grant twice (docs/decisions/0030).
/// </summary>
internal sealed partial class FlashReconciler(IFlashLedgerClient flash, IBillingDbContext db, ILogger<FlashReconciler> logger) : ISourceReconciler
{
    private const int HistoryPageSize = 100;

    /// <summary>At most this many history pages per user (10,000 entries); beyond that a grant counts as not verifiable.</summary>
    private const int MaxHistoryPages = 100;

    /// <summary>Flash and billing clocks may disagree; search this much further back than the first attempt.</summary>
    private static readonly TimeSpan ClockSkewMargin = TimeSpan.FromMinutes(5);

    public string Source => ReconciliationSources.Flash;

    public string? NotConfigured => flash.CanReadHistory ? null : "Flash history cannot be read: gateway signing is not configured (FLASH_GATEWAY_SIGNING_SECRET)";

    public TimeSpan MaxWindow => TimeSpan.FromDays(90);

    public async Task<SourceReconciliation> RunAsync(ReconciliationWindow window, bool dryRun, IProgress<ReconciliationProgress>? progress, CancellationToken cancellationToken)
    {
        var grants = await db.CreditGrants.AsNoTracking()
            .Where(g => g.Status == CreditGrantStatus.Delivered && g.Amount > 0 && g.DeliveredAt >= window.Start && g.DeliveredAt <= window.End)
            .ToListAsync(cancellationToken);
        var findings = new List<ReconciliationFinding>();
        var unverifiable = 0;
        var done = 0;
        foreach (var user in grants.Where(g => g.AmountToSend > 0).GroupBy(g => g.UserId.Value, StringComparer.Ordinal))
        {
            var pending = user.ToList();
            var searchFrom = pending.Min(g => g.MayBeAppliedSince ?? g.LastAttemptAt ?? g.CreatedAt) - ClockSkewMargin;
            var complete = false;
            for (var page = 0; page < MaxHistoryPages && pending.Count > 0; page++)
            {
                var entries = await flash.GetHistoryAsync(user.Key, HistoryPageSize, page * HistoryPageSize, cancellationToken);
                foreach (var grant in pending.ToList())
                {
                    var key = grant.GrantKey.Value;
                    var matches = entries.Where(e => e.Description?.Contains(key, StringComparison.Ordinal) == true).ToList();
                    if (matches.Count == 0)
                    {
                        continue;
                    }

                    pending.Remove(grant);
                    if (!matches.Any(e => e.Amount == grant.AmountToSend))
                    {
                        findings.Add(new ReconciliationFinding(
                            FindingKinds.FlashAmountMismatch, key, user.Key,
                            Credits(grant.AmountToSend),
                            string.Join(", ", matches.Select(e => Credits(e.Amount))) + " in Flash's history"));
                    }
                }

                if (entries.Count < HistoryPageSize || entries[^1].CreatedAt < searchFrom)
                {
                    complete = true;
                    break;
                }
            }

            if (pending.Count > 0 && !complete && unverifiable == 0)
            {
                LogHistoryTooLong(user.Key, MaxHistoryPages * HistoryPageSize);
            }

            foreach (var grant in pending)
            {
                if (complete)
                {
                    findings.Add(new ReconciliationFinding(
                        FindingKinds.FlashGrantMissing, grant.GrantKey.Value, user.Key,
                        $"{Credits(grant.AmountToSend)} delivered {grant.DeliveredAt:O}",
                        "no entry in Flash's history carries the grant key"));
                }
                else
                {
                    unverifiable++;
                }
            }

            done += user.Count();
            progress?.Report(new ReconciliationProgress("flash grants", done, grants.Count));
        }

        return new SourceReconciliation(grants.Count, findings, unverifiable == 0 ? null : $"{unverifiable} grant(s) could not be verified: their users' Flash history is longer than {MaxHistoryPages * HistoryPageSize} entries since delivery");
    }

    private static string Credits(int amount) => string.Create(CultureInfo.InvariantCulture, $"{amount} credits");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciliation: Flash history of user {UserId} is longer than {Entries} entries since the grants to check; those grants are not verified")]
    private partial void LogHistoryTooLong(string userId, int entries);
}
