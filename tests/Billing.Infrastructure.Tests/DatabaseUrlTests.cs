using Billing.Infrastructure.Persistence;
using Npgsql;

namespace Billing.Infrastructure.Tests;

public sealed class DatabaseUrlTests
{
    [Theory]
    [InlineData("postgresql://billing:s3cret@db.internal:6543/billing_prod")]
    [InlineData("postgresql+asyncpg://billing:s3cret@db.internal:6543/billing_prod")]
    [InlineData("postgres://billing:s3cret@db.internal:6543/billing_prod")]
    public void Url_BecomesAnNpgsqlConnectionString(string url)
    {
        var builder = new NpgsqlConnectionStringBuilder(DatabaseUrl.ToConnectionString(url));
        Assert.Equal("db.internal", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("billing", builder.Username);
        Assert.Equal("s3cret", builder.Password);
        Assert.Equal("billing_prod", builder.Database);
    }

    [Fact]
    public void Url_WithEscapedPasswordDefaultPortAndSslMode_IsDecoded()
    {
        var builder = new NpgsqlConnectionStringBuilder(DatabaseUrl.ToConnectionString("postgresql://u:p%40ss%2Fw@host/db?sslmode=require&prepared_statement_cache_size=0"));
        Assert.Equal("p@ss/w", builder.Password);
        Assert.Equal(5432, builder.Port);
        Assert.Equal(SslMode.Require, builder.SslMode);
    }

    [Fact]
    public void ConnectionString_IsKeptAsIs()
    {
        var builder = new NpgsqlConnectionStringBuilder(DatabaseUrl.ToConnectionString("Host=localhost;Port=5433;Username=x;Database=y"));
        Assert.Equal("localhost", builder.Host);
        Assert.Equal(5433, builder.Port);
    }

    [Theory]
    [InlineData("postgresql://")]
    [InlineData("postgresql://host/db?sslmode=sometimes")]
    [InlineData("NotAKeyword=1")]
    public void Nonsense_IsRefusedAtOnce(string value)
    {
        Assert.ThrowsAny<Exception>(() => DatabaseUrl.ToConnectionString(value));
    }
}
