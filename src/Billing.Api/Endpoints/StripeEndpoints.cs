using Billing.Api.Security;
using Billing.Application.Stripe.CreateCheckoutSession;
using Billing.Application.Stripe.CreatePortalSession;
using MediatR;

namespace Billing.Api.Endpoints;

internal static class StripeEndpoints
{
    /// <summary>Optional: the caller's key for one checkout attempt; a retry with the same key gets the same session.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapStripeEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/stripe/checkout", async (HttpRequest request, StripeCheckoutRequest? body, IMediator mediator, CancellationToken ct) =>
            {
                var userId = request.RequireUserId();
                var attemptKey = request.Headers[IdempotencyKeyHeader].ToString().Trim();
                var result = await mediator.Send(
                    new CreateCheckoutSessionCommand(
                        userId.Value,
                        request.UserEmail(),
                        body?.ProductId,
                        body?.SuccessUrl,
                        body?.CancelUrl,
                        attemptKey.Length > 0 ? attemptKey : Guid.NewGuid().ToString("N")),
                    ct);
                return TypedResults.Ok(result);
            })
            .WithName("CreateStripeCheckout")
            .WithSummary("Opens a Stripe Checkout for a credit pack (payment) or a monthly tier (subscription): {checkout_url, session_id}.");

        group.MapGet("/stripe/portal", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new CreatePortalSessionCommand(request.RequireUserId().Value), ct)))
            .WithName("CreateStripePortal")
            .WithSummary("A Stripe billing portal link for the user's Stripe customer: {portal_url}; 404 when the user has none.");
        return group;
    }
}

/// <summary>
/// <c>{product_id, success_url?, cancel_url?}</c>. The URL overrides are accepted only on the configured
/// SUCCESS_URL/CANCEL_URL origin (otherwise 400): they may pick a page, never a site.
/// </summary>
internal sealed record StripeCheckoutRequest(string? ProductId, string? SuccessUrl, string? CancelUrl);
