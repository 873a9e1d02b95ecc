using Billing.Application.Abstractions.Flash;
using Billing.TestFakes.Flash;
using static Billing.Infrastructure.Tests.Flash.FlashTestSupport;

namespace Billing.Infrastructure.Tests.Flash;

public sealed class FlashGrantOutcomeTests
{
    private static FlashGrant Grant(string userId, int amount = 100, string description = "Stripe evt_1") =>
        new(userId, amount, "stripe_purchase", description);

    [Fact]
    public async Task Applied_grant_returns_the_balance_after_and_is_recorded_once()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1", balance: 50);
        using var flash = new TestFlashClient(Options(fake));

        var outcome = await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None);

        var applied = Assert.IsType<FlashGrantOutcome.Applied>(outcome);
        Assert.Equal(150, applied.BalanceAfter);
        Assert.Equal(100, applied.Granted);
        var recorded = Assert.Single(fake.Grants);
        Assert.Equal("stripe_purchase", recorded.TransactionType);
        Assert.Equal("Stripe evt_1", recorded.Description);
        Assert.Equal(100, fake.TotalGranted(userId));
        Assert.Equal(1, fake.GrantCountWithDescription("evt_1"));
        var request = Assert.Single(fake.Requests, r => r.Path == FlashFake.AdminGrantPath);
        Assert.Equal("fake-admin-key", request.Header("X-Admin-Key"));
        Assert.Equal("fake-service-key", request.Header("X-Service-Key"));
        Assert.False(request.HasHeader("X-User-Id"));
    }

    [Fact]
    public async Task Unknown_user_is_rejected_with_flash_error()
    {
        await using var fake = await FlashFake.StartAsync();
        using var flash = new TestFlashClient(Options(fake));

        var outcome = await flash.Client.GrantCreditsAsync(Grant("no-such-user"), CancellationToken.None);

        var rejected = Assert.IsType<FlashGrantOutcome.Rejected>(outcome);
        Assert.Equal(404, rejected.Error.StatusCode);
        Assert.Equal("User not found", rejected.Error.Error);
        Assert.False(outcome.IsSafeToRetry);
    }

    [Fact]
    public async Task Wrong_admin_key_is_rejected()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        using var flash = new TestFlashClient(Options(fake, adminKey: "wrong"));

        var rejected = Assert.IsType<FlashGrantOutcome.Rejected>(await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None));

        Assert.Equal(403, rejected.Error.StatusCode);
        Assert.Equal("Invalid admin key", rejected.Error.Message);
        Assert.Empty(fake.Grants);
    }

    [Fact]
    public async Task Wrong_service_key_is_rejected_by_the_edge()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        using var flash = new TestFlashClient(Options(fake, serviceKey: "wrong"));

        var rejected = Assert.IsType<FlashGrantOutcome.Rejected>(await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None));

        Assert.Equal(403, rejected.Error.StatusCode);
        Assert.Equal("Invalid or missing service key", rejected.Error.Error);
        Assert.Null(rejected.Error.Detail);
    }

    [Fact]
    public async Task Unprocessable_entity_is_rejected()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        fake.Faults.FailNext(422, pathPrefix: FlashFake.AdminGrantPath);
        using var flash = new TestFlashClient(Options(fake));

        var rejected = Assert.IsType<FlashGrantOutcome.Rejected>(await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None));

        Assert.Equal(422, rejected.Error.StatusCode);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(408)]
    public async Task Server_errors_are_ambiguous_and_never_retried(int status)
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        fake.Faults.FailNext(status, count: 5, pathPrefix: FlashFake.AdminGrantPath);
        using var flash = new TestFlashClient(Options(fake));

        var ambiguous = Assert.IsType<FlashGrantOutcome.Ambiguous>(await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None));

        Assert.Equal(status, ambiguous.StatusCode);
        Assert.Equal(1, fake.RequestCount(FlashFake.AdminGrantPath));
    }

    [Fact]
    public async Task Rate_limited_by_an_intermediary_is_not_sent()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        fake.Faults.FailNext(429, pathPrefix: FlashFake.AdminGrantPath);
        using var flash = new TestFlashClient(Options(fake));

        var outcome = await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None);

        Assert.IsType<FlashGrantOutcome.NotSent>(outcome);
        Assert.True(outcome.IsSafeToRetry);
        Assert.Equal(1, fake.RequestCount(FlashFake.AdminGrantPath));
    }

    [Fact]
    public async Task Down_with_503_is_ambiguous()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        fake.Faults.Down = true;
        using var flash = new TestFlashClient(Options(fake));

        var ambiguous = Assert.IsType<FlashGrantOutcome.Ambiguous>(await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None));

        Assert.Equal(503, ambiguous.StatusCode);
        Assert.Empty(fake.Grants);
    }

    [Fact]
    public async Task Slow_past_the_timeout_is_ambiguous_and_flash_still_applies_it()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        using var flash = new TestFlashClient(Options(fake, attemptTimeout: TimeSpan.FromSeconds(1)));

        // Connect first, so the timeout can only fire after the grant's body was sent (on a loaded machine a cold
        // connect could eat the whole budget, which is correctly "not sent", not what this test is about).
        await flash.Client.GetCostsAsync(CancellationToken.None);
        fake.Faults.Delay = TimeSpan.FromSeconds(3);

        var outcome = await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None);

        Assert.IsType<FlashGrantOutcome.Ambiguous>(outcome);
        Assert.Equal(1, fake.RequestCount(FlashFake.AdminGrantPath));

        // The reason it must be ambiguous: Flash carries on after the client gave up.
        await EventuallyAsync(() => fake.Grants.Count == 1);
    }

    [Fact]
    public async Task Connection_dropped_after_apply_is_ambiguous_with_the_grant_applied_once()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        using var flash = new TestFlashClient(Options(fake));

        // Warm a pooled connection first: the handler must not silently re-send the grant on a fresh one.
        await flash.Client.GetCostsAsync(CancellationToken.None);
        fake.Faults.DropNextGrantsAfterApply();

        var outcome = await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None);

        Assert.IsType<FlashGrantOutcome.Ambiguous>(outcome);
        Assert.Single(fake.Grants);
        Assert.Equal(1, fake.RequestCount(FlashFake.AdminGrantPath));
    }

    [Fact]
    public async Task Connection_dropped_before_apply_is_ambiguous_because_the_body_was_sent()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        using var flash = new TestFlashClient(Options(fake));
        await flash.Client.GetCostsAsync(CancellationToken.None);
        fake.Faults.DropNextGrantsBeforeApply();

        var outcome = await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None);

        // The client cannot tell "dropped before" from "dropped after": both look like a lost answer.
        Assert.IsType<FlashGrantOutcome.Ambiguous>(outcome);
        Assert.Empty(fake.Grants);
        Assert.Equal(1, fake.RequestCount(FlashFake.AdminGrantPath));
    }

    [Fact]
    public async Task Nothing_listening_is_not_sent()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        using var flash = new TestFlashClient(Options(fake));
        await fake.StopListeningAsync();

        var outcome = await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None);

        var notSent = Assert.IsType<FlashGrantOutcome.NotSent>(outcome);
        Assert.Contains("connect", notSent.Reason, StringComparison.OrdinalIgnoreCase);

        // Flash comes back on the same port and the same grant then goes through once.
        await fake.StartListeningAsync();
        Assert.IsType<FlashGrantOutcome.Applied>(await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None));
        Assert.Single(fake.Grants);
    }

    [Fact]
    public async Task Unresolvable_host_is_not_sent()
    {
        using var flash = new TestFlashClient(Options(new Uri("http://flash.invalid/")));

        var outcome = await flash.Client.GrantCreditsAsync(Grant("user-1"), CancellationToken.None);

        Assert.IsType<FlashGrantOutcome.NotSent>(outcome);
    }

    [Fact]
    public async Task Open_circuit_means_not_sent_and_nothing_reaches_flash()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        // Grant delivery has its own breaker (docs/decisions/0007): failing grants open it, failing reads do not.
        fake.Faults.FailNext(503, count: 2, pathPrefix: FlashFake.AdminGrantPath);
        using var flash = new TestFlashClient(Options(fake, circuitMinimumThroughput: 2));

        Assert.IsType<FlashGrantOutcome.Ambiguous>(await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None));
        Assert.IsType<FlashGrantOutcome.Ambiguous>(await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None));
        var reachedFlash = fake.RequestCount(FlashFake.AdminGrantPath);
        var outcome = await flash.Client.GrantCreditsAsync(Grant(userId), CancellationToken.None);

        var notSent = Assert.IsType<FlashGrantOutcome.NotSent>(outcome);
        Assert.Contains("circuit", notSent.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(reachedFlash, fake.RequestCount(FlashFake.AdminGrantPath));
    }

    [Fact]
    public async Task Cancelled_before_sending_is_not_sent()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        using var flash = new TestFlashClient(Options(fake));

        var outcome = await flash.Client.GrantCreditsAsync(Grant(userId), new CancellationToken(canceled: true));

        Assert.IsType<FlashGrantOutcome.NotSent>(outcome);
        Assert.Equal(0, fake.RequestCount(FlashFake.AdminGrantPath));
    }

    [Fact]
    public async Task Unknown_transaction_type_is_refused_before_sending()
    {
        await using var fake = await FlashFake.StartAsync();
        using var flash = new TestFlashClient(Options(fake));

        await Assert.ThrowsAsync<ArgumentException>(() =>
            flash.Client.GrantCreditsAsync(new FlashGrant("u", 10, "Stripe_Purchase", "x"), CancellationToken.None));
        Assert.Equal(0, fake.RequestCount(FlashFake.AdminGrantPath));
    }
}
