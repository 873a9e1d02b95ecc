using Npgsql;

namespace Billing.Infrastructure.Persistence;

/// <summary>
/// DATABASE_URL comes in the memo's URL forms (postgresql://, postgres://, postgresql+asyncpg://) or as an Npgsql
/// connection string; both become an Npgsql connection string.
/// </summary>
public static class DatabaseUrl
{
    private static readonly string[] UrlSchemes = ["postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg", "postgresql+psycopg2"];

    public static string ToConnectionString(string databaseUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseUrl);
        var trimmed = databaseUrl.Trim();
        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0 || !UrlSchemes.Contains(trimmed[..schemeEnd], StringComparer.OrdinalIgnoreCase))
        {
            // Validates the keywords; throws on nonsense rather than failing later at the first query.
            return new NpgsqlConnectionStringBuilder(trimmed).ConnectionString;
        }

        if (!Uri.TryCreate("postgresql" + trimmed[schemeEnd..], UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException("DATABASE_URL is not a valid postgresql:// URL.");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.Port > 0 ? uri.Port : 5432,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : null,
        };
        if (uri.UserInfo.Length > 0)
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[..separator]);
            if (separator >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0]).ToLowerInvariant();
            var value = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
            switch (key)
            {
                case "sslmode" or "ssl":
                    builder.SslMode = value.ToLowerInvariant() switch
                    {
                        "disable" or "false" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" or "true" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new FormatException($"DATABASE_URL has an unknown sslmode '{value}'."),
                    };
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                default:
                    // Driver-specific options of other stacks (asyncpg's prepared_statement_cache_size, ...) mean nothing here.
                    break;
            }
        }

        return builder.ConnectionString;
    }
}
