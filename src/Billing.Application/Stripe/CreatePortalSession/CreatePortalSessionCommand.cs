using MediatR;

namespace Billing.Application.Stripe.CreatePortalSession;

/// <summary>
/// Open a Stripe billing portal session for the user's Stripe customer (manage card, cancel or resume, invoices).
/// It creates a short-lived object at Stripe and changes nothing here, so it is deliberately not an <c>ICommand</c>: the Stripe
/// call must not run inside a unit of work's transaction (docs/decisions/0016).
/// </summary>
public sealed record CreatePortalSessionCommand(string UserId) : IRequest<CreatePortalSessionResult>;

public sealed record CreatePortalSessionResult(string PortalUrl);
