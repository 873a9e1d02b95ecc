using System.Text;
using Billing.Api.Security;
using Billing.Application.Abstractions.Telemetry;
using Billing.Application.Apple;
using Billing.Application.Apple.ReceiveAppleNotification;
using Billing.Application.Apple.VerifyApplePurchase;
using Billing.Application.Inbox;
using Billing.Domain.Common;
using MediatR;

namespace Billing.Api.Endpoints;

internal static class AppleEndpoints
{
    public const string WebhookPath = "/webhooks/apple";

    /// <summary>A notification is about 20 KB; Apple never sends more than a few times that.</summary>
    private const int MaxWebhookBodyBytes = 64 * 1024;

    /// <summary><c>POST /internal/billing/apple/verify</c> (service key + X-User-Id).</summary>
    public static RouteGroupBuilder MapAppleEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/apple/verify", async (HttpRequest request, AppleVerifyRequest? body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new VerifyApplePurchaseCommand(request.RequireUserId().Value, body?.SignedTransaction), ct)))
            .WithName("VerifyApplePurchase")
            .WithSummary("Verifies a StoreKit 2 signed transaction and grants its credits once per transactionId: {status, product_id, transaction_id, credits_granted, already_processed}.");
        return group;
    }

    /// <summary>
    /// <c>POST /webhooks/apple</c>: no service key, the JWS signature is the authentication. Verified, stored in the inbox once
    /// per notificationUUID and answered 200 at once; processed from the inbox. Malformed, oversized or unverifiable → 400, nothing stored.
    /// </summary>
    public static IEndpointRouteBuilder MapAppleWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost(WebhookPath, async (HttpRequest request, IMediator mediator, BillingMetrics metrics, CancellationToken ct) =>
            {
                try
                {
                    var body = request.ContentLength > MaxWebhookBodyBytes ? null : await ReadBody(request.Body, MaxWebhookBodyBytes, ct);
                    if (body is null)
                    {
                        throw new InvalidDomainValueException(AppleReasonCodes.MalformedNotification, "The body is larger than an App Store notification can be.");
                    }

                    var received = await mediator.Send(new ReceiveAppleNotificationCommand(body), ct);
                    return TypedResults.Ok(new AppleWebhookResponse(Received: true, received.Duplicate));
                }
                catch (Exception refused) when (refused is DomainException or AppleSignedDataRejectedException)
                {
                    // Answered 400 by the error mapper; counted here, where it is known to be a webhook refusal.
                    metrics.WebhookRefused(InboxProviders.Apple, refused is AppleSignedDataRejectedException ? "signature" : "malformed");
                    throw;
                }
            })
            .WithTags("webhooks")
            .WithName("AppleWebhook")
            .WithSummary("App Store Server Notifications V2 intake: verify, store in the inbox, acknowledge.");
        return app;
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer.</summary>
    private static async Task<string?> ReadBody(Stream stream, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

/// <summary><c>{signed_transaction}</c>: StoreKit 2's <c>signedTransactionInfo</c> (a compact JWS).</summary>
internal sealed record AppleVerifyRequest(string? SignedTransaction);

internal sealed record AppleWebhookResponse(bool Received, bool Duplicate);
