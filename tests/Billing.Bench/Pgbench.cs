using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Billing.Harness;

namespace Billing.Bench;

/// <summary>
/// The reference for webhook intake: pgbench running the one statement intake writes (INSERT ... ON CONFLICT DO NOTHING of an
/// inbox row with a payload of the same bytes), on the same database, into a copy of inbox_events (same columns, indexes and
/// NOTIFY trigger) in schema <c>pgb</c>, so the service's inbox processor does not pick the rows up.
/// </summary>
internal sealed partial class Pgbench(PgCluster cluster, string database, string scriptPath) : IDisposable
{
    public void Dispose() => File.Delete(scriptPath);

    public static async Task<Pgbench> PrepareAsync(BillingWorld world, string database, string payload)
    {
        await world.ExecuteAsync("""
            DROP SCHEMA IF EXISTS pgb CASCADE;
            CREATE SCHEMA pgb;
            CREATE TABLE pgb.inbox_events (LIKE public.inbox_events INCLUDING ALL);
            CREATE TRIGGER inbox_events_notify AFTER INSERT ON pgb.inbox_events
                FOR EACH STATEMENT EXECUTE FUNCTION billing_notify_new_row('billing_pgbench');
            """);
        var script = Path.Combine(Path.GetTempPath(), $"billing-pgbench-{Guid.NewGuid():N}.sql");
        var sql = new StringBuilder()
            .Append("INSERT INTO pgb.inbox_events (provider, event_id, event_type, payload, provider_created_at, received_at, status, attempts, next_attempt_at) ")
            .Append("VALUES ('stripe', 'evt_' || gen_random_uuid()::text, 'payment_intent.created', $payload$")
            .Append(payload)
            .Append("$payload$, now(), now(), 'received', 0, now()) ON CONFLICT (provider, event_id) DO NOTHING;\n")
            .ToString();
        await File.WriteAllTextAsync(script, sql);
        return new Pgbench(world.Cluster, database, script);
    }

    public sealed record Result(double Tps, double AverageLatencyMs);

    public async Task<Result> RunAsync(int clients, TimeSpan duration)
    {
        var threads = Math.Min(clients, Environment.ProcessorCount);
        var output = await Shell.RunAsync(cluster.PgBench,
        [
            "-h", cluster.Host, "-p", cluster.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres",
            "-n", "-M", "prepared", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", threads.ToString(CultureInfo.InvariantCulture),
            "-T", ((int)Math.Ceiling(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture), "-f", scriptPath, database,
        ], TimeSpan.FromMinutes(2));
        var tps = TpsPattern().Match(output);
        var latency = LatencyPattern().Match(output);
        if (!tps.Success)
        {
            throw new InvalidOperationException("pgbench printed no tps: " + output);
        }

        return new Result(
            double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture),
            latency.Success ? double.Parse(latency.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN);
    }

    public async Task CleanAsync(BillingWorld world) => await world.ExecuteAsync("TRUNCATE pgb.inbox_events");

    [GeneratedRegex(@"tps = ([0-9.]+)")]
    private static partial Regex TpsPattern();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex LatencyPattern();
}
