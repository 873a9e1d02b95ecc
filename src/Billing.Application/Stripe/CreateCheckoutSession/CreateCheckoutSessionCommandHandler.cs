using Billing.Application.Abstractions.Stripe;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Stripe.CreateCheckoutSession;

/// <summary>
/// Finds or creates the user's billing customer and its Stripe customer exactly once, then opens the Checkout Session.
/// Stripe is only called between short units of work, never inside one (docs/decisions/0016): the first checkout of a user
/// claims the creation of its Stripe customer (a lease on the customer row) and the concurrent ones wait for it to be linked,
/// so only one asks Stripe; the per-user idempotency key makes Stripe itself return the same customer should two creations
/// still meet (a claim that outlived its lease, or an attempt whose link was lost).
/// </summary>
internal sealed class CreateCheckoutSessionCommandHandler(
    IMediator mediator,
    IStripeClient stripe,
    StripeSettings settings,
    TimeProvider clock,
    ILogger<CreateCheckoutSessionCommandHandler> logger)
    : IRequestHandler<CreateCheckoutSessionCommand, CreateCheckoutSessionResult>
{
    /// <summary>Stripe's limit for <c>client_reference_id</c>.</summary>
    private const int MaxClientReferenceIdLength = 200;

    /// <summary>How long one checkout may be the only one creating the user's Stripe customer before another takes over.</summary>
    private static readonly TimeSpan CustomerClaimLease = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CustomerClaimPollInterval = TimeSpan.FromMilliseconds(50);

    public async Task<CreateCheckoutSessionResult> Handle(CreateCheckoutSessionCommand request, CancellationToken cancellationToken)
    {
        var userId = UserId.From(request.UserId);
        var product = ProductCatalog.Get(request.ProductId!);
        var (configuredSuccess, configuredCancel) = settings.RequireCheckoutUrls();
        var successUrl = Redirect(request.SuccessUrl, configuredSuccess, "success_url", StripeSettings.SuccessUrlVariable);
        var cancelUrl = Redirect(request.CancelUrl, configuredCancel, "cancel_url", StripeSettings.CancelUrlVariable);

        var stripeCustomerId = await StripeCustomerAsync(userId, request.UserEmail, product is SubscriptionTier, cancellationToken);
        var options = BuildSession(product, userId, stripeCustomerId, successUrl, cancelUrl);
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

        if (product is SubscriptionTier)
        {
            // Checkout makes a new price for this tier: remember it, so the invoices billed at it grant this tier (0013).
            await mediator.Send(new RecordCheckoutPricesCommand(product.Id, session.LinePriceIds), cancellationToken);
        }

        if (product is CreditPack)
        {
            await mediator.Send(new RecordPackCheckoutCommand(userId, product.Id, session.Id), cancellationToken);
        }

        logger.LogInformation("Checkout session {SessionId} ({Mode}) opened for user {UserId}, product {ProductId}", session.Id, options.Mode, userId.Value, product.Id);
        var url = session.Url ?? throw new StripeObjectFormatException($"Checkout session {session.Id} has no url (status {session.Status}).");
        return new CreateCheckoutSessionResult(url, session.Id);
    }

    /// <summary>The user's Stripe customer: the linked one, or created here once (concurrent first checkouts wait for it).</summary>
    private async Task<string> StripeCustomerAsync(UserId userId, string? email, bool isSubscription, CancellationToken cancellationToken)
    {
        while (true)
        {
            var customer = await mediator.Send(new PrepareCheckoutCustomerCommand(userId, email, isSubscription, CustomerClaimLease), cancellationToken);
            if (customer.StripeCustomerId is { } linked)
            {
                return linked;
            }

            if (!customer.MustCreate)
            {
                // Another checkout of this user is asking Stripe right now; no lock is held while we wait for its link.
                await Task.Delay(CustomerClaimPollInterval, clock, cancellationToken);
                continue;
            }

            StripeCustomer created;
            try
            {
                created = await CreateStripeCustomer(userId, customer.Email, cancellationToken);
            }
            catch
            {
                await mediator.Send(new ReleaseStripeCustomerClaimCommand(userId, RemoveUnlinked: customer.RegisteredNow), CancellationToken.None);
                throw;
            }

            var attached = await mediator.Send(new AttachStripeCustomerCommand(userId, created.Id), cancellationToken);
            logger.LogInformation("Stripe customer {StripeCustomerId} created for user {UserId}", attached, userId.Value);
            return attached;
        }
    }

    private async Task<StripeCustomer> CreateStripeCustomer(UserId userId, string? email, CancellationToken cancellationToken)
    {
        var options = new StripeCustomerCreate
        {
            Email = email,
            Metadata = new Dictionary<string, string> { [StripeMetadata.UserId] = userId.Value },
        };
        try
        {
            try
            {
                return await stripe.CreateCustomerAsync(options, StripeIdempotencyKeys.Customer(userId), cancellationToken);
            }
            catch (StripeApiException reused) when (reused.Type == "idempotency_error")
            {
                // The key was used in the last 24 h with other parameters: an earlier attempt whose link was lost registered
                // the user with another email. That attempt's customer (if Stripe made one) was never linked here; a key that
                // includes the email lets this one proceed instead of failing for a day.
                logger.LogWarning("Stripe customer key for user {UserId} was used with other parameters; creating under an email-scoped key", userId.Value);
                return await stripe.CreateCustomerAsync(options, StripeIdempotencyKeys.Customer(userId, email), cancellationToken);
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
