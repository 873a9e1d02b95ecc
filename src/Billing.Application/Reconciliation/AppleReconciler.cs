using Billing.Application.Abstractions.Apple;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.Apple.ReceiveAppleNotification;
using Billing.Application.Inbox;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Reconciliation;

/// <summary>
/// Apple ↔ billing: every notification in Apple's Notification History for the window must be in the inbox. One that is
/// not is verified (outer JWS and nested data, like <c>POST /webhooks/apple</c>) and stored through the same intake, then
/// processed as usual. One that does not verify is never stored: it is a finding.
/// </summary>
internal sealed partial class AppleReconciler(IAppStoreServerApi apple, IAppleSignedDataVerifier verifier, IAppleNotificationBodyReader bodies, IBillingDbContext db, IMediator mediator, ILogger<AppleReconciler> logger) : ISourceReconciler
{
    public string Source => ReconciliationSources.Apple;

    public string? NotConfigured => apple.IsConfigured ? null : "the App Store Server API is not configured (APPLE_APP_STORE_PRIVATE_KEY, APPLE_APP_STORE_KEY_ID, APPLE_APP_STORE_ISSUER_ID, APPLE_BUNDLE_ID)";

    /// <summary>Apple's notification history reaches back 180 days.</summary>
    public TimeSpan MaxWindow => TimeSpan.FromDays(180);

    public async Task<SourceReconciliation> RunAsync(ReconciliationWindow window, bool dryRun, IProgress<ReconciliationProgress>? progress, CancellationToken cancellationToken)
    {
        var findings = new List<ReconciliationFinding>();
        var examined = 0;
        string? token = null;
        while (true)
        {
            var page = await apple.GetNotificationHistoryAsync(window.Start, window.End, token, cancellationToken);
            var verified = new List<(string SignedPayload, AppleNotification Notification)>();
            foreach (var signedPayload in page.SignedPayloads)
            {
                var verification = verifier.VerifyNotification(signedPayload);
                if (verification.IsValid && verification.Value.NotificationUuid is { Length: > 0 and <= 255 })
                {
                    verified.Add((signedPayload, verification.Value));
                    continue;
                }

                // Keyed by a digest of the payload: an unverifiable payload names nothing we can trust.
                var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(signedPayload)))[..32];
                findings.Add(new ReconciliationFinding(FindingKinds.AppleNotificationUnverifiable, $"apple:payload:{digest}", null,
                    "a notification that verifies like a webhook delivery", $"does not verify: {verification.Failure} {verification.FailureMessage}"));
            }

            var known = await db.InboxEventIdsAsync(InboxProviders.Apple, [.. verified.Select(v => v.Notification.NotificationUuid!)], cancellationToken);
            foreach (var (signedPayload, notification) in verified)
            {
                var uuid = notification.NotificationUuid!;
                if (known.Contains(uuid))
                {
                    continue;
                }

                var type = ReceiveAppleNotificationCommandHandler.EventType(notification);
                var fixedNow = false;
                if (!dryRun)
                {
                    // The body Apple would have POSTed, through the webhook's own intake (verified again there).
                    var body = bodies.WriteBody(signedPayload);
                    var received = await mediator.Send(new ReceiveAppleNotificationCommand(body), cancellationToken);
                    if (received.Duplicate)
                    {
                        continue;
                    }

                    fixedNow = true;
                    LogStored(uuid, type);
                }

                findings.Add(new ReconciliationFinding(FindingKinds.AppleNotificationMissed, $"apple:notification:{uuid}", null,
                    $"{type} ({notification.SignedDate:O}) in the inbox",
                    fixedNow ? "never delivered; stored in the inbox from the notification history" : "never delivered", fixedNow));
            }

            examined += page.SignedPayloads.Count;
            progress?.Report(new ReconciliationProgress("apple notifications", examined));
            if (!page.HasMore || string.IsNullOrEmpty(page.PaginationToken))
            {
                return new SourceReconciliation(examined, findings);
            }

            token = page.PaginationToken;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciliation: Apple notification {NotificationUuid} ({Type}) was never delivered; stored in the inbox")]
    private partial void LogStored(string notificationUuid, string type);
}
