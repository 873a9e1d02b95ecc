using System.Text.RegularExpressions;
using Billing.Application.Abstractions.Flash;
using Billing.Infrastructure.Flash;
using Billing.TestFakes.Flash;
using static Billing.Infrastructure.Tests.Flash.FlashTestSupport;

namespace Billing.Infrastructure.Tests.Flash;

public sealed partial class FlashSigningTests
{
    [Fact]
    public void Canonical_string_is_the_five_flash_lines()
    {
        Assert.Equal("v1\nGET\n/api/v1/credits/balance\nuser-1\n1700000000", GatewayRequestSigner.BuildCanonicalString("get", "/api/v1/credits/balance", "user-1", "1700000000"));
        Assert.Equal("v1\nPOST\n/x\n\n1", GatewayRequestSigner.BuildCanonicalString("POST", "/x", null, "1"));
    }

    [Fact]
    public void Signer_matches_flash_algorithm_and_signs_the_path_without_query()
    {
        var clock = new ShiftedTimeProvider(TimeSpan.Zero);
        var signer = new GatewayRequestSigner(SigningSecret, clock);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://flash/api/v1/credits/history?limit=5&offset=0");

        signer.Sign(request, "user-1");

        var timestamp = Assert.Single(request.Headers.GetValues(GatewayRequestSigner.TimestampHeader));
        var signature = Assert.Single(request.Headers.GetValues(GatewayRequestSigner.SignatureHeader));
        Assert.Equal(FlashFake.ComputeSignature(SigningSecret, "GET", "/api/v1/credits/history", "user-1", timestamp), signature);
        Assert.Matches(SignatureFormat(), signature);
        Assert.Equal("user-1", Assert.Single(request.Headers.GetValues(GatewayRequestSigner.UserIdHeader)));
    }

    [Fact]
    public async Task Signed_mode_reads_balance_and_history_and_never_sends_an_unsigned_user_id()
    {
        await using var fake = await FlashFake.StartAsync(SignedFake());
        var userId = fake.AddUser("ext-1", balance: 50);
        using var flash = new TestFlashClient(Options(fake, signed: true));
        Assert.True(flash.Client.CanReadHistory);

        Assert.IsType<FlashGrantOutcome.Applied>(await flash.Client.GrantCreditsAsync(new FlashGrant(userId, 100, "apple_iap", "Apple tx 1"), CancellationToken.None));
        Assert.IsType<FlashGrantOutcome.Applied>(await flash.Client.GrantCreditsAsync(new FlashGrant(userId, 20, "refund", "Refund 1"), CancellationToken.None));
        var balance = await flash.Client.GetBalanceAsync(userId, CancellationToken.None);
        var history = await flash.Client.GetHistoryAsync(userId, limit: 10, offset: 0, CancellationToken.None);
        var byExternalId = await flash.Client.GetBalanceAsync("ext-1", CancellationToken.None);

        Assert.Equal(new FlashBalance(170, 170, 0), balance);
        Assert.Equal(170, byExternalId.Balance);
        Assert.Equal(2, history.Count);
        Assert.Equal(20, history[0].Amount);
        Assert.Equal("refund", history[0].Type);
        Assert.Equal("Refund 1", history[0].Description);
        Assert.Equal(170, history[0].BalanceAfter);
        Assert.Equal("apple_iap", history[1].Type);
        Assert.True(DateTimeOffset.UtcNow - history[1].CreatedAt < TimeSpan.FromMinutes(1));

        foreach (var request in fake.Requests)
        {
            Assert.Matches(SignatureFormat(), request.Header("X-Gateway-Signature"));
            Assert.NotNull(request.Header("X-Gateway-Timestamp"));
        }

        Assert.All(fake.Requests.Where(r => r.Path != FlashFake.AdminGrantPath), r => Assert.False(r.HasHeader("X-Service-Key")));
        Assert.All(fake.Requests.Where(r => r.Path == FlashFake.AdminGrantPath), r => Assert.False(r.HasHeader("X-User-Id")));
        Assert.All(fake.Requests.Where(r => r.Path == FlashFake.BalancePath), r => Assert.NotNull(r.Header("X-User-Id")));
    }

    [Fact]
    public async Task Fake_accepts_exactly_our_signature_and_rejects_a_tampered_user_id()
    {
        await using var fake = await FlashFake.StartAsync(SignedFake(requireSigned: true));
        var victim = fake.AddUser("victim");
        var attacker = fake.AddUser("attacker");
        using var flash = new TestFlashClient(Options(fake, signed: true));
        await flash.Client.GetBalanceAsync(attacker, CancellationToken.None);
        var signed = Assert.Single(fake.Requests);

        using var raw = new HttpClient();
        using var replay = new HttpRequestMessage(HttpMethod.Get, new Uri(fake.BaseUrl, "api/v1/credits/balance"));
        replay.Headers.Add("X-Gateway-Timestamp", signed.Header("X-Gateway-Timestamp"));
        replay.Headers.Add("X-Gateway-Signature", signed.Header("X-Gateway-Signature"));
        replay.Headers.Add("X-User-Id", victim);
        using var response = await raw.SendAsync(replay);

        Assert.Equal(403, (int)response.StatusCode);
        var error = FlashErrorParser.Parse(403, await response.Content.ReadAsStringAsync());
        Assert.Equal("Invalid gateway signature", error.Error);
    }

    // Timestamps are whole seconds, so a skew of 301 s can read as 300 s at a second boundary: 302 is the first beyond it.
    [Theory]
    [InlineData(-302, false)]
    [InlineData(302, false)]
    [InlineData(-290, true)]
    [InlineData(290, true)]
    public async Task Clock_skew_beyond_300_seconds_is_rejected(int skewSeconds, bool accepted)
    {
        await using var fake = await FlashFake.StartAsync(SignedFake());
        var userId = fake.AddUser("ext-1");
        using var flash = new TestFlashClient(Options(fake, signed: true), new ShiftedTimeProvider(TimeSpan.FromSeconds(skewSeconds)));

        if (accepted)
        {
            Assert.Equal(50, (await flash.Client.GetBalanceAsync(userId, CancellationToken.None)).Balance);
        }
        else
        {
            var exception = await Assert.ThrowsAsync<FlashRequestException>(() => flash.Client.GetBalanceAsync(userId, CancellationToken.None));
            Assert.Equal(403, exception.StatusCode);
            Assert.Equal("Invalid gateway signature", exception.Error.Error);
        }
    }

    [Fact]
    public async Task Wrong_secret_is_rejected()
    {
        await using var fake = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = "another-secret" });
        var userId = fake.AddUser("ext-1");
        using var flash = new TestFlashClient(Options(fake, signed: true));

        var exception = await Assert.ThrowsAsync<FlashRequestException>(() => flash.Client.GetBalanceAsync(userId, CancellationToken.None));

        Assert.Equal("Invalid gateway signature", exception.Error.Message);
    }

    [Fact]
    public async Task Signed_gateway_required_rejects_legacy_and_accepts_signed()
    {
        await using var fake = await FlashFake.StartAsync(SignedFake(requireSigned: true));
        var userId = fake.AddUser("ext-1");
        using var legacy = new TestFlashClient(Options(fake));
        using var signed = new TestFlashClient(Options(fake, signed: true));

        var exception = await Assert.ThrowsAsync<FlashRequestException>(() => legacy.Client.GetCostsAsync(CancellationToken.None));
        Assert.Equal("Gateway signature required", exception.Error.Error);

        Assert.NotEmpty(await signed.Client.GetCostsAsync(CancellationToken.None));
        Assert.False((await signed.Client.ResolveUserAsync("new-ext", null, null, CancellationToken.None)).UserId.Length == 0);
        Assert.IsType<FlashGrantOutcome.Applied>(await signed.Client.GrantCreditsAsync(new FlashGrant(userId, 5, "subscription_grant", "Sub 1"), CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_signed_user_is_a_404_request_exception()
    {
        await using var fake = await FlashFake.StartAsync(SignedFake());
        using var flash = new TestFlashClient(Options(fake, signed: true));

        var exception = await Assert.ThrowsAsync<FlashRequestException>(() => flash.Client.GetHistoryAsync("ghost", 20, 0, CancellationToken.None));

        Assert.Equal(404, exception.StatusCode);
        Assert.StartsWith("User ghost not found", exception.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Legacy_mode_sends_service_key_and_user_id_and_no_gateway_headers()
    {
        await using var fake = await FlashFake.StartAsync(new FlashFakeOptions { TrustLegacyUserHeader = true });
        var userId = fake.AddUser("ext-1", balance: 42);
        using var flash = new TestFlashClient(Options(fake));
        Assert.False(flash.Client.CanReadHistory);

        var balance = await flash.Client.GetBalanceAsync(userId, CancellationToken.None);
        await flash.Client.GetCostsAsync(CancellationToken.None);

        Assert.Equal(42, balance.Balance);
        Assert.All(fake.Requests, r =>
        {
            Assert.Equal("fake-service-key", r.Header("X-Service-Key"));
            Assert.False(r.HasHeader("X-Gateway-Signature"));
            Assert.False(r.HasHeader("X-Gateway-Timestamp"));
        });
        Assert.Equal(userId, Assert.Single(fake.Requests, r => r.Path == FlashFake.BalancePath).Header("X-User-ID"));
        Assert.False(Assert.Single(fake.Requests, r => r.Path == FlashFake.CostsPath).HasHeader("X-User-ID"));
    }

    [Fact]
    public async Task Legacy_mode_against_current_flash_is_anonymous()
    {
        await using var fake = await FlashFake.StartAsync();
        var userId = fake.AddUser("ext-1");
        using var flash = new TestFlashClient(Options(fake));

        var exception = await Assert.ThrowsAsync<FlashRequestException>(() => flash.Client.GetBalanceAsync(userId, CancellationToken.None));

        Assert.Equal(401, exception.StatusCode);
        Assert.Equal("Authentication required", exception.Error.Error);
    }

    [GeneratedRegex("^v1=[0-9a-f]{64}$")]
    private static partial Regex SignatureFormat();
}
