using Billing.Application.Abstractions.Flash;
using Billing.Infrastructure.Flash;
using Billing.TestFakes.Flash;
using static Billing.Infrastructure.Tests.Flash.FlashTestSupport;

namespace Billing.Infrastructure.Tests.Flash;

public sealed class FlashCreditsClientTests
{
    private static (FlashCreditsHttpClient Client, HttpClient Http) Create(FlashOptions options)
    {
        var http = new HttpClient(FlashServiceCollectionExtensions.CreatePrimaryHandler(options)) { Timeout = Timeout.InfiniteTimeSpan };
        return (new FlashCreditsHttpClient(http, options, new FlashCreditsPipelines(new FlashResiliencePipelines(options))), http);
    }

    [Fact]
    public async Task Grant_and_spend_follow_the_success_flag()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1", balance: 10);
        var (client, http) = Create(Options(fake));
        using var _ = http;
        Assert.True(client.IsConfigured);

        var granted = Assert.IsType<FlashCreditsOutcome.Succeeded>(await client.GrantAsync(userId, 5, "refund", "Refund r1", CancellationToken.None));
        Assert.Equal(15, granted.BalanceAfter);
        Assert.StartsWith("txn_", granted.TransactionId, StringComparison.Ordinal);

        var declined = Assert.IsType<FlashCreditsOutcome.Declined>(await client.SpendAsync(userId, 100, "generation", "Big", CancellationToken.None));
        Assert.Equal("Insufficient credits", declined.Error.Error);
        Assert.Equal(15, fake.BalanceOf(userId));

        var spent = Assert.IsType<FlashCreditsOutcome.Succeeded>(await client.SpendAsync(userId, 5, "generation", "Small", CancellationToken.None));
        Assert.Equal(10, spent.BalanceAfter);

        Assert.All(fake.Requests, r => Assert.Equal("fake-service-key", r.Header("X-Service-Key")));
    }

    [Fact]
    public async Task Grant_dropped_after_apply_is_ambiguous_and_not_retried()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1", balance: 10);
        fake.Faults.DropNextGrantsAfterApply();
        var (client, http) = Create(Options(fake));
        using var _ = http;

        Assert.IsType<FlashCreditsOutcome.Ambiguous>(await client.GrantAsync(userId, 5, "refund", "Refund r1", CancellationToken.None));

        Assert.Equal(1, fake.RequestCount(FlashFake.CreditsGrantPath));
        Assert.Equal(15, fake.BalanceOf(userId));
    }

    [Fact]
    public async Task Bad_key_is_declined_and_unconfigured_client_refuses_to_call()
    {
        await using var fake = await FlashFake.StartAsync();
        var (client, http) = Create(Options(fake, serviceKey: "wrong"));
        using var _ = http;
        var declined = Assert.IsType<FlashCreditsOutcome.Declined>(await client.SpendAsync("u", 1, "generation", "x", CancellationToken.None));
        Assert.Equal(403, declined.Error.StatusCode);

        var (unconfigured, http2) = Create(new FlashOptions { BaseUrl = fake.BaseUrl, ServiceKey = "k" });
        using var __ = http2;
        Assert.False(unconfigured.IsConfigured);
        await Assert.ThrowsAsync<InvalidOperationException>(() => unconfigured.GrantAsync("u", 1, "refund", "x", CancellationToken.None));
    }
}
