using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Usage;
using Billing.Application.Usage.GetUsage;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace Billing.Application.Tests.Usage;

public sealed class GetUsageQueryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 7, 30, 15, TimeSpan.Zero);

    [Fact]
    public async Task Defaults_are_the_last_30_days_by_day_widened_to_whole_days()
    {
        var usage = Substitute.For<IUsageQueries>();
        await SendAsync(usage, new GetUsageQuery("user_1", null, null, null, null));

        await usage.Received(1).GetBucketsAsync(
            "user_1", null, new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero), UsageGranularity.Day, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Hour_buckets_default_to_the_last_24_hours_and_a_given_range_is_widened_to_whole_hours()
    {
        var usage = Substitute.For<IUsageQueries>();
        await SendAsync(usage, new GetUsageQuery("user_1", null, null, "hour", "key_x"));
        await SendAsync(usage, new GetUsageQuery("user_1", "2026-12-01T10:15:00+01:00", "2026-12-01T12:00:00Z", "hour", null));

        await usage.Received(1).GetBucketsAsync(
            "user_1", "key_x", new DateTimeOffset(2026, 12, 1, 7, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero), UsageGranularity.Hour, Arg.Any<CancellationToken>());
        await usage.Received(1).GetBucketsAsync(
            "user_1", null, new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero), UsageGranularity.Hour, Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData(null, null, "minute", null, "Granularity")]
    [InlineData("not-a-date", null, null, null, "From")]
    [InlineData(null, "2026-12-01T25:00:00Z", null, null, "To")]
    [InlineData("2026-12-01T10:30:00Z", "2026-12-01T10:10:00Z", "hour", null, "to")] // same bucket, but backwards
    [InlineData("2026-10-01T00:00:00Z", null, "hour", null, "to")] // defaulted `to` (now) is 62 days later
    [InlineData(null, null, null, "key with spaces", "KeyId")]
    public async Task Bad_input_is_refused_before_the_port_is_asked(string? from, string? to, string? granularity, string? keyId, string field)
    {
        var usage = Substitute.For<IUsageQueries>();

        var error = await Assert.ThrowsAsync<ValidationException>(() => SendAsync(usage, new GetUsageQuery("user_1", from, to, granularity, keyId)));

        Assert.Contains(error.Errors, e => e.PropertyName == field);
        await usage.DidNotReceiveWithAnyArgs().GetBucketsAsync(default!, default, default, default, default, default);
    }

    private static async Task SendAsync(IUsageQueries usage, GetUsageQuery query)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBillingApplication();
        services.AddSingleton(Substitute.For<IBillingDbContext>());
        services.AddSingleton(usage);
        services.AddSingleton<TimeProvider>(new FixedTime(Now));
        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IMediator>().Send(query);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
