using System.Collections.Concurrent;
using System.Text.Json;
using Billing.Application.Abstractions.Flash;
using Billing.Application.Abstractions.Relay;
using Billing.Domain.ApiKeys;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Relay;

/// <summary>
/// Flash's cost table (GET /credits/costs) per mode, cached for 10 minutes; the cost of <c>generate_&lt;preset&gt;</c>, with
/// Flash's own fallback of 5 for unknown presets (contract §6.2). When Flash cannot be read, the fallback is metered and the
/// next call tries again.
/// </summary>
internal sealed partial class CreditCostTable(IFlashRelayClients clients, TimeProvider clock, ILogger<CreditCostTable> logger) : ICreditCostTable
{
    public const int FallbackCost = 5;
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<ApiKeyMode, (IReadOnlyDictionary<string, JsonElement> Costs, DateTimeOffset FreshUntil)> _tables = new();

    public async ValueTask<int> GenerationCostAsync(ApiKeyMode mode, string? preset, CancellationToken cancellationToken)
    {
        var costs = await TableAsync(mode, cancellationToken);
        var name = "generate_" + (string.IsNullOrEmpty(preset) ? "balanced" : preset);
        return costs is not null && costs.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var cost)
            ? cost
            : FallbackCost;
    }

    private async ValueTask<IReadOnlyDictionary<string, JsonElement>?> TableAsync(ApiKeyMode mode, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_tables.TryGetValue(mode, out var cached) && cached.FreshUntil > now)
        {
            return cached.Costs;
        }

        if (clients.For(mode) is not { } flash)
        {
            return null;
        }

        try
        {
            var costs = await flash.Ledger.GetCostsAsync(cancellationToken);
            _tables[mode] = (costs, now + Ttl);
            return costs;
        }
        catch (FlashException exception)
        {
            LogCostsUnavailable(logger, mode.ToWire(), exception.GetType().Name);
            return cached.Costs;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flash cost table ({Mode}) could not be read ({ExceptionType}); metering the fallback cost")]
    private static partial void LogCostsUnavailable(ILogger logger, string mode, string exceptionType);
}
