using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.Stripe;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Stripe;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Inbox;

/// <summary>The guard every integration host installs (docs/decisions/0016) catches a provider call made inside a unit of work.</summary>
public sealed class ProviderCallGuardTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task AStripeCallInsideAUnitOfWork_Fails_WhileTheSameCallOutsideOneReachesStripe()
    {
        await using var stripe = await StripeFake.StartAsync();
        await using var provider = ServiceHost.Build(
            database.ConnectionString,
            s => s.AddScoped<IRequestHandler<FetchInsideATransactionCommand, bool>, FetchInsideATransactionCommandHandler>(),
            new Dictionary<string, string?>
            {
                ["STRIPE_SECRET_KEY"] = stripe.SecretKey,
                ["STRIPE_WEBHOOK_SECRET"] = stripe.WebhookSecret,
                ["STRIPE_API_BASE"] = stripe.BaseUrl.ToString(),
                ["STRIPE_MAX_RETRIES"] = "0",
            });

        await using (var scope = provider.CreateAsyncScope())
        {
            await Assert.ThrowsAsync<ProviderCallInTransactionException>(() => scope.ServiceProvider.GetRequiredService<IMediator>().Send(new FetchInsideATransactionCommand("in_guarded")));
        }

        Assert.Contains(ProviderCallGuard.Violations, v => v.Contains("/v1/invoices/in_guarded", StringComparison.Ordinal));
        Assert.Empty(stripe.Requests);

        await using (var scope = provider.CreateAsyncScope())
        {
            var missing = await Assert.ThrowsAsync<StripeApiException>(() => scope.ServiceProvider.GetRequiredService<IStripeClient>().GetInvoiceAsync("in_outside"));
            Assert.True(missing.IsNotFound);
        }

        Assert.Single(stripe.Requests);
    }

    public sealed record FetchInsideATransactionCommand(string InvoiceId) : ICommand<bool>;

    private sealed class FetchInsideATransactionCommandHandler(IStripeClient stripe) : IRequestHandler<FetchInsideATransactionCommand, bool>
    {
        public async Task<bool> Handle(FetchInsideATransactionCommand request, CancellationToken cancellationToken) =>
            await stripe.GetInvoiceAsync(request.InvoiceId, cancellationToken) is not null;
    }
}
