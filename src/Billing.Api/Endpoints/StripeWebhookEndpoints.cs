using System.Text;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Abstractions.Telemetry;
using Billing.Application.Inbox;
using Billing.Application.Inbox.ReceiveProviderEvent;
using MediatR;

namespace Billing.Api.Endpoints;

/// <summary>
/// <c>POST /webhooks/stripe</c>: no service key, the signature is the authentication. Verifies <c>Stripe-Signature</c> over the
/// raw body bytes, stores the event in the inbox (unique event id) and answers 200 at once; the inbox processor acts on it
/// later, so a crash after the 200 loses nothing and a redelivery is a no-op. Refusals are 400 and store nothing.
/// </summary>
internal static partial class StripeWebhookEndpoints
{
    public const string Path = "/webhooks/stripe";
    public const string SignatureHeader = "Stripe-Signature";

    public static IEndpointRouteBuilder MapStripeWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, Receive)
            .WithTags("webhooks")
            .WithName("StripeWebhook")
            .WithSummary("Stripe webhook intake: verify, store in the inbox, acknowledge.");
        return app;
    }

    private static async Task<IResult> Receive(
        HttpRequest request,
        IStripeWebhookVerifier verifier,
        IStripeEventReader reader,
        IMediator mediator,
        ApiSettings settings,
        BillingMetrics metrics,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(StripeWebhookEndpoints));
        var limit = settings.MaxRequestBodyBytes;
        var body = request.ContentLength > limit ? null : await ReadBody(request.Body, limit, cancellationToken);
        if (body is null)
        {
            metrics.WebhookRefused(InboxProviders.Stripe, "too_large");
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large", detail: "The body is larger than this service accepts.", extensions: Code("request.too_large"));
        }

        // The raw bytes exactly as received: re-serialised JSON would not verify.
        var verification = verifier.Verify(body, request.Headers[SignatureHeader].ToString());
        if (verification != StripeSignatureVerificationResult.Valid)
        {
            LogRefused(logger, verification);
            metrics.WebhookRefused(InboxProviders.Stripe, "signature");
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid Stripe signature", detail: Describe(verification), extensions: Code("stripe.signature_invalid"));
        }

        // Stripe always posts application/json: a signed body under another content type is refused too (after the signature
        // check, so an unconfigured service still answers 503 and a forgery 400).
        if (!request.HasJsonContentType())
        {
            metrics.WebhookRefused(InboxProviders.Stripe, "media_type");
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Stripe events are sent as application/json.", extensions: Code("request.unsupported_media_type"));
        }

        if (!reader.TryRead(body, out var stripeEvent, out var error))
        {
            LogMalformed(logger, error);
            metrics.WebhookRefused(InboxProviders.Stripe, "malformed");
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed Stripe event", detail: error, extensions: Code("stripe.event_malformed"));
        }

        var received = await mediator.Send(
            new ReceiveProviderEventCommand(InboxProviders.Stripe, stripeEvent.Id, stripeEvent.Type, Encoding.UTF8.GetString(body), stripeEvent.Created),
            cancellationToken);
        return TypedResults.Ok(new StripeWebhookResponse(Received: true, received.Duplicate));
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer (a chunked body the server's own limit did not stop).</summary>
    private static async Task<byte[]?> ReadBody(Stream stream, int limit, CancellationToken cancellationToken)
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

        return buffer.ToArray();
    }

    private static string Describe(StripeSignatureVerificationResult result) => result switch
    {
        StripeSignatureVerificationResult.MissingHeader => "The Stripe-Signature header is missing.",
        StripeSignatureVerificationResult.MalformedHeader => "The Stripe-Signature header is malformed.",
        StripeSignatureVerificationResult.NoV1Signature => "The Stripe-Signature header carries no v1 signature.",
        StripeSignatureVerificationResult.TimestampOutsideTolerance => "The signature's timestamp is outside the tolerance.",
        _ => "No v1 signature matches the body.",
    };

    private static Dictionary<string, object?> Code(string code) => new() { ["code"] = code };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe webhook refused: {Verification}; nothing stored")]
    private static partial void LogRefused(ILogger logger, StripeSignatureVerificationResult verification);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe webhook with a valid signature but a malformed event: {Error}")]
    private static partial void LogMalformed(ILogger logger, string error);
}

internal sealed record StripeWebhookResponse(bool Received, bool Duplicate);
