using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Customers;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Stripe.CreateCheckoutSession;

internal sealed class PrepareCheckoutCustomerCommandHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<PrepareCheckoutCustomerCommand, CheckoutCustomer>
{
    public async Task<CheckoutCustomer> Handle(PrepareCheckoutCustomerCommand request, CancellationToken cancellationToken)
    {
        var userId = request.UserId;
        if (request.IsSubscription
            && await db.Subscriptions.AnyAsync(s => s.UserId == userId && s.Source == SubscriptionSource.Stripe && s.Status != SubscriptionStatus.Expired, cancellationToken))
        {
            // A second subscription would bill the user twice; tier changes and resumes go through the billing portal.
            throw new DomainException("subscription.already_subscribed", "The user already has a Stripe subscription; change or resume it in the billing portal.");
        }

        var now = clock.GetUtcNow();
        // A waiting checkout polls through this command in one scope: each poll must see the row as committed now, not as
        // the scope's context tracked it on the previous poll (a tracked entity is never refreshed by a query).
        foreach (var tracked in db.ChangeTracker.Entries<Customer>().Where(e => e.Entity.UserId == userId).ToList())
        {
            tracked.State = EntityState.Detached;
        }

        // Locked only for this short transaction: concurrent first checkouts queue here, and one of them claims the creation.
        var customer = await db.Customers
            .FromSqlInterpolated($"SELECT c.*, c.xmin FROM customers c WHERE c.user_id = {userId.Value} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        var registeredNow = customer is null;
        if (customer is null)
        {
            // A concurrent first checkout fails on the unique index and is re-run by the unit of work, finding this row.
            customer = Customer.Register(userId, request.Email, now);
            db.Customers.Add(customer);
        }

        if (customer.StripeCustomerId is { } existing)
        {
            return new CheckoutCustomer(existing, MustCreate: false, customer.Email, registeredNow);
        }

        return new CheckoutCustomer(null, customer.TryClaimStripeCustomerCreation(now, request.ClaimLease), customer.Email, registeredNow);
    }
}

internal sealed class AttachStripeCustomerCommandHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<AttachStripeCustomerCommand, string>
{
    public async Task<string> Handle(AttachStripeCustomerCommand request, CancellationToken cancellationToken)
    {
        var customer = await db.Customers.SingleAsync(c => c.UserId == request.UserId, cancellationToken);
        customer.AttachStripeCustomer(request.StripeCustomerId, clock.GetUtcNow());
        return customer.StripeCustomerId!;
    }
}

internal sealed class ReleaseStripeCustomerClaimCommandHandler(IBillingDbContext db) : IRequestHandler<ReleaseStripeCustomerClaimCommand, bool>
{
    public async Task<bool> Handle(ReleaseStripeCustomerClaimCommand request, CancellationToken cancellationToken)
    {
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.UserId == request.UserId, cancellationToken);
        if (customer is null || customer.StripeCustomerId is not null)
        {
            return false;
        }

        if (request.RemoveUnlinked)
        {
            db.Customers.Remove(customer);
        }
        else
        {
            customer.ReleaseStripeCustomerClaim();
        }

        return true;
    }
}

internal sealed class RecordPackCheckoutCommandHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<RecordPackCheckoutCommand, bool>
{
    public async Task<bool> Handle(RecordPackCheckoutCommand request, CancellationToken cancellationToken)
    {
        // A retried checkout (same attempt key) gets the same session back: its purchase is recorded once.
        if (ProductCatalog.Get(request.ProductId) is not CreditPack pack
            || await db.Purchases.AnyAsync(p => p.Provider == PaymentProvider.Stripe && p.ProviderPurchaseId == request.SessionId, cancellationToken))
        {
            return false;
        }

        db.Purchases.Add(Purchase.StartStripeCheckout(request.UserId, pack, request.SessionId, clock.GetUtcNow()));
        return true;
    }
}

internal sealed class RecordCheckoutPricesCommandHandler(StripeTierResolver tiers) : IRequestHandler<RecordCheckoutPricesCommand, bool>
{
    public async Task<bool> Handle(RecordCheckoutPricesCommand request, CancellationToken cancellationToken)
    {
        if (ProductCatalog.Get(request.ProductId) is not SubscriptionTier tier || request.PriceIds.Count == 0)
        {
            return false;
        }

        await tiers.RecordCheckoutPricesAsync(request.PriceIds, tier, cancellationToken);
        return true;
    }
}
