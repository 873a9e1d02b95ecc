using System.Collections.Concurrent;
using Billing.Application.Abstractions.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Infrastructure;

/// <summary>A provider call started while this service held a database transaction open (docs/decisions/0016).</summary>
public sealed class ProviderCallInTransactionException(string message) : Exception(message);

/// <summary>
/// Installed on every HttpClient of the service under test (Stripe, Flash, …): a provider call that starts while a database
/// transaction is open fails, and is recorded, so any test that drives such a path fails instead of passing slowly.
/// </summary>
public sealed class ProviderCallGuard : DelegatingHandler
{
    public static ConcurrentQueue<string> Violations { get; } = new();

    public static void Install(IServiceCollection services) =>
        services.ConfigureHttpClientDefaults(client => client.AddHttpMessageHandler(() => new ProviderCallGuard()));

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (DatabaseTransactionFlow.IsOpen)
        {
            var call = $"{request.Method} {request.RequestUri?.GetLeftPart(UriPartial.Path)}";
            Violations.Enqueue(call);
            throw new ProviderCallInTransactionException($"{call} started inside an open database transaction: fetch before the unit of work opens.");
        }

        return base.SendAsync(request, cancellationToken);
    }
}
