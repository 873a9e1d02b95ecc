using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Stripe;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Customers;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Stripe.CreateCheckoutSession;

/// <summary>
/// Finds or creates the user's billing customer and its Stripe customer exactly once, then opens the Checkout Session.
/// The customer row is locked for the whole unit of work, so concurrent checkouts of one user queue behind each other and
/// the second finds the Stripe customer the first attached; the per-user idempotency key makes Stripe itself return the
/// same customer should two creations still meet (e.g. the first transaction rolled back after Stripe answered).
/// </summary>
internal sealed class CreateCheckoutSessionCommandHandler(
    IBillingDbContext db,
    IStripeClient stripe,
    StripeSettings settings,
    StripeTierResolver tiers,
    TimeProvider clock,
    ILogger<CreateCheckoutSessionCommandHandler> logger)
    : IRequestHandler<CreateCheckoutSessionCommand, CreateCheckoutSessionResult>
{
    /// <summary>Stripe's limit for <c>client_reference_id</c>.</summary>
    private const int MaxClientReferenceIdLength = 200;

    public async Task<CreateCheckoutSessionResult> Handle(CreateCheckoutSessionCommand request, CancellationToken cancellationToken)
    {
        var userId = UserId.From(request.UserId);
        var product = ProductCatalog.Get(request.ProductId!);
        var (configuredSuccess, configuredCancel) = settings.RequireCheckoutUrls();
        var successUrl = Redirect(request.SuccessUrl, configuredSuccess, "success_url", StripeSettings.SuccessUrlVariable);
        var cancelUrl = Redirect(request.CancelUrl, configuredCancel, "cancel_url", StripeSettings.CancelUrlVariable);
        var now = clock.GetUtcNow();

        if (product is SubscriptionTier && await HasLiveStripeSubscription(userId, cancellationToken))
        {
            // A second subscription would bill the user twice; tier changes and resumes go through the billing portal.
            throw new DomainException("subscription.already_subscribed", "The user already has a Stripe subscription; change or resume it in the billing portal.");
        }

        var customer = await LockOrRegisterCustomer(userId, request.UserEmail, now, cancellationToken);
        if (customer.StripeCustomerId is null)
        {
            var created = await CreateStripeCustomer(customer, cancellationToken);
            customer.AttachStripeCustomer(created.Id, now);
            logger.LogInformation("Stripe customer {StripeCustomerId} created for user {UserId}", created.Id, userId.Value);
        }

        var options = BuildSession(product, userId, customer.StripeCustomerId!, successUrl, cancelUrl);
        StripeCheckoutSession session;
        try
        {
            session = await stripe.CreateCheckoutSessionAsync(options, StripeIdempotencyKeys.Checkout(userId, product.Id, request.AttemptKey), cancellationToken);
        }
        catch (StripeApiException refused) when (refused.Kind == StripeFailureKind.InvalidRequest && refused.Param is "success_url" or "cancel_url")
        {
            // The only parameters the caller controls: their rejection is the caller's mistake (400), not ours (502).
            throw new InvalidDomainValueException($"checkout.{refused.Param}", $"Stripe refused the {refused.Param}.");
        }

        if (product is SubscriptionTier tier)
        {
            // Checkout makes a new price for this tier: remember it, so the invoices billed at it grant this tier (0013).
            await tiers.RecordCheckoutPricesAsync(session.LinePriceIds, tier, cancellationToken);
        }

        if (product is CreditPack pack
            && !await db.Purchases.AnyAsync(p => p.Provider == PaymentProvider.Stripe && p.ProviderPurchaseId == session.Id, cancellationToken))
        {
            db.Purchases.Add(Purchase.StartStripeCheckout(userId, pack, session.Id, now));
        }

        logger.LogInformation("Checkout session {SessionId} ({Mode}) opened for user {UserId}, product {ProductId}", session.Id, options.Mode, userId.Value, product.Id);
        var url = session.Url ?? throw new StripeObjectFormatException($"Checkout session {session.Id} has no url (status {session.Status}).");
        return new CreateCheckoutSessionResult(url, session.Id);
    }

    private Task<bool> HasLiveStripeSubscription(UserId userId, CancellationToken cancellationToken) =>
        db.Subscriptions.AnyAsync(s => s.UserId == userId && s.Source == SubscriptionSource.Stripe && s.Status != SubscriptionStatus.Expired, cancellationToken);

    private async Task<Customer> LockOrRegisterCustomer(UserId userId, string? email, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var customer = await db.Customers
            .FromSqlInterpolated($"SELECT c.*, c.xmin FROM customers c WHERE c.user_id = {userId.Value} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (customer is not null)
        {
            return customer;
        }

        // Claim the user id now: a concurrent first checkout waits on the unique index, fails, and is re-run by the
        // unit of work on fresh state, where it finds (and locks) this row.
        customer = Customer.Register(userId, email, now);
        db.Customers.Add(customer);
        await db.SaveChangesAsync(cancellationToken);
        return customer;
    }

    private async Task<StripeCustomer> CreateStripeCustomer(Customer customer, CancellationToken cancellationToken)
    {
        var options = new StripeCustomerCreate
        {
            Email = customer.Email,
            Metadata = new Dictionary<string, string> { [StripeMetadata.UserId] = customer.UserId.Value },
        };
        try
        {
            try
            {
                return await stripe.CreateCustomerAsync(options, StripeIdempotencyKeys.Customer(customer.UserId), cancellationToken);
            }
            catch (StripeApiException reused) when (reused.Type == "idempotency_error")
            {
                // The key was used in the last 24 h with other parameters: an earlier attempt whose transaction rolled back
                // registered the user with another email. That attempt's customer (if Stripe made one) was never linked here;
                // a key that includes the email lets this one proceed instead of failing for a day.
                logger.LogWarning("Stripe customer key for user {UserId} was used with other parameters; creating under an email-scoped key", customer.UserId.Value);
                return await stripe.CreateCustomerAsync(options, StripeIdempotencyKeys.Customer(customer.UserId, customer.Email), cancellationToken);
            }
        }
        catch (StripeApiException refused) when (refused.Kind == StripeFailureKind.InvalidRequest && refused.Param == "email")
        {
            throw new InvalidDomainValueException("user_email.invalid", "Stripe refused the user's email address.");
        }
    }

    private static StripeCheckoutSessionCreate BuildSession(Product product, UserId userId, string stripeCustomerId, string successUrl, string cancelUrl)
    {
        var metadata = new Dictionary<string, string>
        {
            [StripeMetadata.UserId] = userId.Value,
            [StripeMetadata.ProductId] = product.Id,
        };
        var isTier = product is SubscriptionTier;
        var priceData = new StripeCheckoutPriceData
        {
            Currency = product.Price.Currency.ToLowerInvariant(),
            UnitAmount = product.Price.MinorUnits,
            ProductName = isTier ? $"{product.Name} monthly: {product.Credits} credits per month" : $"{product.Name}: {product.Credits} credits",
            ProductMetadata = new Dictionary<string, string> { [StripeMetadata.ProductId] = product.Id },
            RecurringInterval = isTier ? "month" : null,
        };

        return new StripeCheckoutSessionCreate
        {
            Mode = isTier ? StripeCheckoutModes.Subscription : StripeCheckoutModes.Payment,
            LineItems = [new StripeCheckoutLineItem { PriceData = priceData, Quantity = 1 }],
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            Customer = stripeCustomerId,
            ClientReferenceId = userId.Value.Length <= MaxClientReferenceIdLength ? userId.Value : null,
            Metadata = metadata,
            SubscriptionMetadata = isTier ? metadata : null,
            PaymentIntentMetadata = isTier ? null : metadata,
            Expand = isTier ? ["line_items"] : null,
        };
    }

    /// <summary>
    /// An override is accepted only on the configured URL's origin (scheme, host and port): anything else would let a
    /// caller send paying users to a site of its choosing (an open redirect through Stripe's trusted checkout page).
    /// </summary>
    private static string Redirect(string? requested, Uri configured, string field, string variable)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return configured.OriginalString;
        }

        if (!StripeSettings.TryParseHttpUrl(requested, out var url)
            || Uri.Compare(url, configured, UriComponents.SchemeAndServer | UriComponents.StrongPort, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new InvalidDomainValueException($"checkout.{field}", $"{field} must be an absolute URL on the same origin as the configured {variable}.");
        }

        return url.OriginalString;
    }
}
