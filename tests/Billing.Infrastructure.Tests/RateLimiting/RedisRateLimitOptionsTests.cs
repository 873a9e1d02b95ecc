using System.Net;
using Billing.Infrastructure.RateLimiting;
using StackExchange.Redis;

namespace Billing.Infrastructure.Tests.RateLimiting;

public sealed class RedisRateLimitOptionsTests
{
    [Fact]
    public void A_redis_url_gives_host_port_password_and_database_and_never_queues_while_disconnected()
    {
        var options = RedisRateLimitOptions.Parse("redis://:s3cr%40t@cache.internal:6380/2").Connection;

        var endpoint = Assert.IsType<DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(("cache.internal", 6380), (endpoint.Host, endpoint.Port));
        Assert.Equal("s3cr@t", options.Password);
        Assert.Equal(2, options.DefaultDatabase);
        Assert.False(options.Ssl);
        Assert.False(options.AbortOnConnectFail);
        Assert.Same(BacklogPolicy.FailFast, options.BacklogPolicy);
    }

    [Fact]
    public void Rediss_means_TLS_the_default_port_is_6379_and_a_user_is_kept()
    {
        var options = RedisRateLimitOptions.Parse("rediss://billing:pw@cache").Connection;

        var endpoint = Assert.IsType<DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(6379, endpoint.Port);
        Assert.True(options.Ssl);
        Assert.Equal("billing", options.User);
        Assert.Equal("pw", options.Password);
    }

    [Fact]
    public void A_StackExchange_configuration_string_is_accepted()
    {
        var options = RedisRateLimitOptions.Parse("127.0.0.1:7000,password=x").Connection;

        Assert.Equal("x", options.Password);
        Assert.Single(options.EndPoints);
    }

    [Theory]
    [InlineData("redis://:hunter2@/0")]
    [InlineData("redis://:hunter2@host:6379/notanumber")]
    [InlineData(",,,")]
    public void A_bad_value_names_the_variable_and_never_echoes_a_password(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => RedisRateLimitOptions.Parse(value));

        Assert.Contains("REDIS_URL", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }
}
