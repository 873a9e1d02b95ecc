using Billing.Application.Abstractions.Usage;
using Billing.Infrastructure.Usage;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.IntegrationTests.Usage;

internal static class UsageTestKit
{
    public static UsageEvent Event(
        string owner,
        DateTimeOffset startedAt,
        string keyId = "key_a",
        int status = 200,
        int credits = 1,
        bool rateLimited = false,
        string? requestId = null) =>
        new(requestId ?? "req_" + Guid.NewGuid().ToString("N"), keyId, owner, "/v1/timepoints/generate/sync", status, startedAt, TimeSpan.FromMilliseconds(42), 512, credits, rateLimited);

    public static string Owner() => "user_" + Guid.NewGuid().ToString("N")[..12];

    public static UsageWriter Writer(BillingDatabase database) => new(database.DataSource, NullLogger<UsageWriter>.Instance);

    /// <summary>A recorder and its hosted writer over the test database, not started.</summary>
    public static (ChannelUsageRecorder Recorder, UsageWriterService Service) Pipeline(BillingDatabase database, UsageOptions? options = null)
    {
        options ??= new UsageOptions();
        var recorder = new ChannelUsageRecorder(options, TimeProvider.System, NullLogger<ChannelUsageRecorder>.Instance);
        return (recorder, new UsageWriterService(recorder, Writer(database), options, NullLogger<UsageWriterService>.Instance));
    }

    public static Task<long> RowsAsync(BillingDatabase database, string owner) =>
        database.ScalarAsync($"SELECT count(*) FROM usage_events WHERE owner_user_id = '{owner}'");

    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(25);
        }
    }
}
