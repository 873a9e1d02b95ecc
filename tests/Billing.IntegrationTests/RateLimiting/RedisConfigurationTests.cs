using Billing.IntegrationTests.Infrastructure;

namespace Billing.IntegrationTests.RateLimiting;

public sealed class RedisConfigurationTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public void A_malformed_REDIS_URL_stops_the_start_up_naming_the_variable_without_echoing_the_password()
    {
        using var factory = new BillingApiFactory(database.ConnectionString, new Dictionary<string, string?> { ["REDIS_URL"] = "redis://:hunter2@:notaport/x" });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        Assert.Contains("REDIS_URL", messages, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", messages, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Chain(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error;
            if (error is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
