using Billing.Application.Abstractions.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Billing.Infrastructure.RateLimiting;

internal static class RateLimitingServiceCollectionExtensions
{
    /// <summary>
    /// The Redis pieces, resolved only when <c>REDIS_URL</c> is set (read when first resolved, like the other settings).
    /// The multiplexer connects in the background and keeps reconnecting, so a Redis that is down at start-up only means
    /// failing open until it is up.
    /// </summary>
    public static IServiceCollection AddRedisRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton(sp => RedisRateLimitOptions.Parse(sp.GetRequiredService<IConfiguration>()[RedisRateLimitOptions.Variable]
            ?? throw new InvalidOperationException($"{RedisRateLimitOptions.Variable} is not set.")));
        services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = sp.GetRequiredService<RedisRateLimitOptions>();
            var redis = ConnectionMultiplexer.Connect(options.Connection);
            if (!redis.IsConnected)
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<RedisRequestRateLimiter>()
                    .LogWarning("Redis is not reachable at start-up; rate limits are decided in-process until it is");
            }

            return redis;
        });
        services.AddSingleton<RedisRequestRateLimiter>();
        services.AddSingleton<InProcessRequestRateLimiter>();
        services.AddSingleton<IRequestRateLimiter>(sp =>
        {
            var inProcess = sp.GetRequiredService<InProcessRequestRateLimiter>();
            if (!sp.GetRequiredService<IConfiguration>().RedisConfigured())
            {
                return inProcess;
            }

            // Shared by every instance through Redis; while Redis fails, each instance decides alone (fail open).
            return new FailOpenRequestRateLimiter(
                sp.GetRequiredService<RedisRequestRateLimiter>(),
                inProcess,
                sp.GetRequiredService<RedisRateLimitOptions>().ProbeInterval,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<FailOpenRequestRateLimiter>>());
        });
        services.AddHostedService<RedisStartupCheck>();
        return services;
    }

    public static bool RedisConfigured(this IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[RedisRateLimitOptions.Variable]);
}

/// <summary>
/// With <c>REDIS_URL</c> set: a malformed value stops the start-up naming the variable, and the connection is opened
/// before the first request rather than during it.
/// </summary>
internal sealed class RedisStartupCheck(IServiceProvider services, IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration.RedisConfigured())
        {
            services.GetRequiredService<IConnectionMultiplexer>();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
