using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Stripe.CreatePortalSession;

/// <summary>
/// Open a Stripe billing portal session for the user's Stripe customer (manage card, cancel or resume, invoices).
/// A command although it changes nothing here: it creates a short-lived object at Stripe.
/// </summary>
public sealed record CreatePortalSessionCommand(string UserId) : ICommand<CreatePortalSessionResult>;

public sealed record CreatePortalSessionResult(string PortalUrl);
