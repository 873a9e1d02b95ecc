using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Common;
using Billing.Domain.Common;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Stripe.CreatePortalSession;

internal sealed class CreatePortalSessionCommandHandler(IBillingDbContext db, IStripeClient stripe, StripeSettings settings)
    : IRequestHandler<CreatePortalSessionCommand, CreatePortalSessionResult>
{
    public async Task<CreatePortalSessionResult> Handle(CreatePortalSessionCommand request, CancellationToken cancellationToken)
    {
        var userId = UserId.From(request.UserId);
        var returnUrl = settings.RequirePortalReturnUrl();
        var stripeCustomerId = await db.Customers.AsNoTracking()
            .Where(c => c.UserId == userId)
            .Select(c => c.StripeCustomerId)
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("stripe_customer.not_found", "The user has no Stripe customer yet (no checkout was ever opened).");

        // A fresh portal session per call; the key only makes the adapter's own retries of this call safe.
        var portal = await stripe.CreatePortalSessionAsync(
            stripeCustomerId, returnUrl.OriginalString, StripeIdempotencyKeys.Portal(userId, Guid.NewGuid()), cancellationToken);
        return new CreatePortalSessionResult(portal.Url);
    }
}
