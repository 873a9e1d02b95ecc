using System.Diagnostics.Metrics;
using Billing.Application.Abstractions.Telemetry;
using Billing.IntegrationTests.Grants;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Observability;

/// <summary>Grant delivery records Flash's outcome and the delivery latency on the service's meter.</summary>
public sealed class GrantDeliveryMetricsTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task ADeliveredGrant_CountsAsAppliedByFlash_AndRecordsItsLatency()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        // Only this kit's meter: other test classes deliver grants on meters of the same name at the same time.
        var meter = kit.Services.GetRequiredService<BillingMetrics>().Meter;
        var measurements = new List<(string Instrument, double Value, string? Outcome)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
        _ = kit.Dispatcher; // the dispatcher's metrics exist once it does

        await kit.SeedGrantsAsync(user, 3, amount: 5, prefix: "metrics");
        await kit.DrainAsync(TimeSpan.FromSeconds(30));

        lock (measurements)
        {
            Assert.Equal(3, measurements.Count(m => m.Instrument == "billing.flash.outcomes" && m.Outcome == "applied"));
            Assert.Equal(3, measurements.Count(m => m.Instrument == "billing.grants.delivery.latency" && m.Value >= 0));
        }

        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    outcome = tag.Value as string;
                }
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, value, outcome));
            }
        }
    }
}
