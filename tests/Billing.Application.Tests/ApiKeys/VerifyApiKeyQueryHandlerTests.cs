using Billing.Application.Abstractions.ApiKeys;
using Billing.Application.Abstractions.RateLimiting;
using Billing.Application.ApiKeys.VerifyApiKey;
using Billing.Domain.ApiKeys;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace Billing.Application.Tests.ApiKeys;

public sealed class VerifyApiKeyQueryHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RateLimitPolicy Creator = new("creator", 300, 4);

    private readonly IApiKeyDirectory _directory = Substitute.For<IApiKeyDirectory>();
    private readonly IDeveloperTierLookup _tiers = Substitute.For<IDeveloperTierLookup>();
    private readonly IDeveloperLimits _limits = Substitute.For<IDeveloperLimits>();
    private readonly IRequestRateLimiter _limiter = Substitute.For<IRequestRateLimiter>();
    private readonly IApiKeyUsageTracker _usage = Substitute.For<IApiKeyUsageTracker>();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("tp_live_abc")]
    public async Task AMalformedKey_NeverReachesTheDirectoryOrTheLimiter(string? key)
    {
        var result = await SendAsync(key);
        Assert.Equal(VerifyCode.Malformed, result.Code);
        await _directory.DidNotReceiveWithAnyArgs().FindByHashAsync(default!, default);
        await _limiter.DidNotReceiveWithAnyArgs().TryAcquireAsync(default!, default!, default);
    }

    [Fact]
    public async Task AValidKey_IsLookedUpByItsHash_TakesOneRequestFromTheOwnersTierLimit_AndIsMarkedUsed()
    {
        var secret = ApiKeySecret.Generate(ApiKeyMode.Test);
        var stored = new StoredKey(ApiKeyId.New(), UserId.From("owner-1"), ApiKeyMode.Test, null, null);
        _directory.FindByHashAsync(Arg.Is<byte[]>(h => h.SequenceEqual(secret.Hash())), Arg.Any<CancellationToken>()).Returns(stored);
        _tiers.GetTierAsync(stored.OwnerId, Arg.Any<CancellationToken>()).Returns(DeveloperTier.Creator);
        _limits.For(DeveloperTier.Creator).Returns(Creator);
        _limiter.TryAcquireAsync("owner-1", Creator, Arg.Any<CancellationToken>()).Returns(new RateLimitDecision(true, 300, 299, 1, 0));

        var result = await SendAsync(secret.Value);

        Assert.Equal((VerifyCode.Valid, stored.Id, ApiKeyMode.Test, DeveloperTier.Creator), (result.Code, result.KeyId!.Value, result.Mode!.Value, result.Tier!.Value));
        _usage.Received(1).MarkUsed(stored.Id, Now);
    }

    [Fact]
    public async Task AnOwnerOverTheLimit_IsRateLimited()
    {
        var secret = ApiKeySecret.Generate(ApiKeyMode.Live);
        var stored = new StoredKey(ApiKeyId.New(), UserId.From("owner-2"), ApiKeyMode.Live, null, null);
        _directory.FindByHashAsync(Arg.Any<byte[]>(), Arg.Any<CancellationToken>()).Returns(stored);
        _limits.For(Arg.Any<DeveloperTier>()).Returns(Creator);
        _limiter.TryAcquireAsync("owner-2", Creator, Arg.Any<CancellationToken>()).Returns(new RateLimitDecision(false, 300, 0, 60, 1));
        Assert.Equal(VerifyCode.RateLimited, (await SendAsync(secret.Value)).Code);
    }

    [Fact]
    public async Task RevokedAndExpiredKeys_AreRefused_WithoutTakingARequest()
    {
        var revoked = ApiKeySecret.Generate(ApiKeyMode.Live);
        var expired = ApiKeySecret.Generate(ApiKeyMode.Live);
        _directory.FindByHashAsync(Arg.Is<byte[]>(h => h.SequenceEqual(revoked.Hash())), Arg.Any<CancellationToken>())
            .Returns(new StoredKey(ApiKeyId.New(), UserId.From("o"), ApiKeyMode.Live, null, Now.AddDays(-1)));
        _directory.FindByHashAsync(Arg.Is<byte[]>(h => h.SequenceEqual(expired.Hash())), Arg.Any<CancellationToken>())
            .Returns(new StoredKey(ApiKeyId.New(), UserId.From("o"), ApiKeyMode.Live, Now, null));

        Assert.Equal(VerifyCode.Revoked, (await SendAsync(revoked.Value)).Code);
        Assert.Equal(VerifyCode.Expired, (await SendAsync(expired.Value)).Code);
        Assert.Equal(VerifyCode.NotFound, (await SendAsync(ApiKeySecret.Generate(ApiKeyMode.Live).Value)).Code);
        await _limiter.DidNotReceiveWithAnyArgs().TryAcquireAsync(default!, default!, default);
    }

    [Fact]
    public void TheQuery_NeverPrintsThePlaintext()
    {
        var secret = ApiKeySecret.Generate(ApiKeyMode.Live);
        Assert.DoesNotContain(secret.Value, new VerifyApiKeyQuery(secret.Value).ToString(), StringComparison.Ordinal);
    }

    private async Task<VerifyApiKeyResult> SendAsync(string? key)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBillingApplication();
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.Persistence.IBillingDbContext>());
        services.AddSingleton(_directory);
        services.AddSingleton(_tiers);
        services.AddSingleton(_limits);
        services.AddSingleton(_limiter);
        services.AddSingleton(_usage);
        services.AddSingleton<TimeProvider>(new FixedClock(Now));
        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new VerifyApiKeyQuery(key));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
