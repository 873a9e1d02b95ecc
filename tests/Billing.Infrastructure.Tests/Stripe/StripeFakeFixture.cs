using Billing.Infrastructure.Stripe;
using Billing.TestFakes.Stripe;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Infrastructure.Tests.Stripe;

/// <summary>A fresh fake per test class instance plus a client wired to it with fast retries.</summary>
public abstract class StripeFakeTestBase : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _httpClient = new() { Timeout = Timeout.InfiniteTimeSpan };

    protected StripeFake Fake { get; private set; } = null!;

    public async Task InitializeAsync() => Fake = await StripeFake.StartAsync();

    public async Task DisposeAsync() => await Fake.DisposeAsync();

    public void Dispose()
    {
        _httpClient.Dispose();
        GC.SuppressFinalize(this);
    }

    internal StripeSdkClient CreateClient(
        int maxRetries = 2, TimeSpan? timeout = null, string? secretKey = null) =>
        new(
            _httpClient,
            new StripeOptions
            {
                SecretKey = secretKey ?? Fake.SecretKey,
                WebhookSecret = Fake.WebhookSecret,
                ApiBase = Fake.BaseUrl,
                MaxRetries = maxRetries,
                RequestTimeout = timeout ?? TimeSpan.FromSeconds(10),
                InitialRetryDelay = TimeSpan.FromMilliseconds(10),
                MaxRetryDelay = TimeSpan.FromMilliseconds(40),
            },
            TimeProvider.System,
            NullLogger<StripeSdkClient>.Instance);
}
