using System.Globalization;
using StackExchange.Redis;

namespace Billing.Infrastructure.RateLimiting;

/// <summary>
/// Where the shared limit state lives (<c>REDIS_URL</c>) and how the limiter treats it. Connections never abort on a
/// failed connect and never queue commands while disconnected: a decision either gets an answer quickly or fails fast,
/// so the fail-open wrapper can decide in-process instead of making the request wait.
/// </summary>
public sealed record RedisRateLimitOptions
{
    public const string Variable = "REDIS_URL";

    public required ConfigurationOptions Connection { get; init; }

    /// <summary>Prefix of every key this service writes, so a shared Redis can hold other tenants.</summary>
    public string KeyPrefix { get; init; } = "billing:ratelimit:";

    /// <summary>How long a stream slot is held without renewal: the most a crashed instance can leak a slot for.</summary>
    public TimeSpan StreamLease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>While Redis is failing, how often a decision tries it again (the others go straight to the fallback).</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Parses <c>REDIS_URL</c>: <c>redis://[user:password@]host[:port][/db]</c>, <c>rediss://</c> (TLS), or a StackExchange.Redis configuration string.</summary>
    public static RedisRateLimitOptions Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        ConfigurationOptions connection;
        try
        {
            connection = value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase)
                ? FromUrl(new Uri(value))
                : ConfigurationOptions.Parse(value);
        }
        catch (Exception ex) when (ex is UriFormatException or ArgumentException or FormatException or NotSupportedException)
        {
            // The value may hold a password: name the variable, never echo it.
            throw new InvalidOperationException($"{Variable} is not a redis:// URL or a StackExchange.Redis configuration string ({ex.GetType().Name}).", ex);
        }

        if (connection.EndPoints.Count == 0)
        {
            throw new InvalidOperationException($"{Variable} names no Redis host.");
        }

        connection.AbortOnConnectFail = false;
        connection.BacklogPolicy = BacklogPolicy.FailFast;
        connection.ConnectTimeout = 2000;
        connection.SyncTimeout = 500;
        connection.AsyncTimeout = 500;
        connection.ClientName ??= "timepoint-billing";
        return new RedisRateLimitOptions { Connection = connection };
    }

    private static ConfigurationOptions FromUrl(Uri url)
    {
        var options = new ConfigurationOptions { Ssl = url.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase) };
        if (string.IsNullOrEmpty(url.Host))
        {
            throw new FormatException("no host");
        }

        options.EndPoints.Add(url.Host, url.IsDefaultPort || url.Port <= 0 ? 6379 : url.Port);
        if (url.UserInfo.Length > 0)
        {
            var parts = url.UserInfo.Split(':', 2);
            if (parts.Length == 2)
            {
                options.User = parts[0].Length > 0 ? Uri.UnescapeDataString(parts[0]) : null;
                options.Password = Uri.UnescapeDataString(parts[1]);
            }
            else
            {
                options.Password = Uri.UnescapeDataString(parts[0]);
            }
        }

        var path = url.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            options.DefaultDatabase = int.Parse(path, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return options;
    }
}
