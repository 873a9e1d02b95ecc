using Billing.Application.Abstractions.Messaging;
using Billing.Domain.Common;

namespace Billing.Application.Stripe.CreateCheckoutSession;

// The short units of work of a checkout; Stripe is called between them, with no transaction open (docs/decisions/0016).

/// <summary>
/// Refuse a second live subscription, register the user's billing customer if new, and either return its Stripe customer or
/// claim the creation of one (so a single checkout asks Stripe while concurrent ones wait).
/// </summary>
internal sealed record PrepareCheckoutCustomerCommand(UserId UserId, string? Email, bool IsSubscription, TimeSpan ClaimLease) : ICommand<CheckoutCustomer>;

/// <summary>The billing customer as a checkout needs it: its Stripe customer, or whether this checkout must create it.</summary>
internal sealed record CheckoutCustomer(string? StripeCustomerId, bool MustCreate, string? Email, bool RegisteredNow);

/// <summary>Link the Stripe customer this checkout created (a no-op when the same one is linked already).</summary>
internal sealed record AttachStripeCustomerCommand(UserId UserId, string StripeCustomerId) : ICommand<string>;

/// <summary>
/// The claimed creation failed: release the claim so the next checkout tries at once; a customer this checkout registered
/// is removed again (<paramref name="RemoveUnlinked"/>), so a checkout that failed at Stripe leaves nothing behind.
/// </summary>
internal sealed record ReleaseStripeCustomerClaimCommand(UserId UserId, bool RemoveUnlinked) : ICommand<bool>;

/// <summary>A credit pack's session was opened at Stripe: record its pending purchase once.</summary>
internal sealed record RecordPackCheckoutCommand(UserId UserId, string ProductId, string SessionId) : ICommand<bool>;

/// <summary>A subscription's session was opened at Stripe: remember the prices it created for the tier (docs/decisions/0013).</summary>
internal sealed record RecordCheckoutPricesCommand(string ProductId, IReadOnlyList<string> PriceIds) : ICommand<bool>;
