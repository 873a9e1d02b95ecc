using System.Globalization;
using Billing.Bench;
using System.Runtime.InteropServices;
using Billing.Harness;

// Billing.Bench bench [options]   build/bench.sh: one table of figures, each beside its reference
// Billing.Bench faults [options]  build/faults.sh: fault scenarios and the exactly-once invariant; exit 1 on any failure
// Billing.Bench bare --port P --products FILE --status FILE   (started by `bench`: the bare reference server)
var command = args.Length > 0 ? args[0] : "bench";

// Ctrl+C or SIGTERM: kill the service and stop the throwaway cluster before leaving (ProcessExit alone does not end the run).
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupted);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupted);
var options = Options.Parse(args.Skip(1).ToArray());

switch (command)
{
    case "bench":
        return await BenchRunner.RunAsync(BenchOptions.From(options));
    case "faults":
        return await FaultRunner.RunAsync(options);
    case "bare":
        return await BareServer.RunAsync(options.Int("port", 0), options.String("products", ""), options.String("status", ""), options.StringOrNull("verify"));
    default:
        Console.Error.WriteLine("usage: Billing.Bench bench|faults [--option value ...] (see build/bench.sh, build/faults.sh)");
        return 2;
}

internal static partial class Program
{
    private static void Interrupted(PosixSignalContext context)
    {
        context.Cancel = true;
        Console.Error.WriteLine("interrupted: stopping the service and PostgreSQL");
        BillingWorld.StopAll();
        Environment.Exit(130);
    }
}

internal sealed class Options(Dictionary<string, string> values)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            var name = args[i][2..];
            values[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }

        return new Options(values);
    }

    public bool Flag(string name) => values.TryGetValue(name, out var v) && v is "true" or "1" or "yes";

    public int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string String(string name, string fallback) => values.TryGetValue(name, out var v) ? v : fallback;

    public string? StringOrNull(string name) => values.TryGetValue(name, out var v) ? v : null;
}

internal static class FaultRunner
{
    public static async Task<int> RunAsync(Options options)
    {
        var sizes = options.Flag("ci") ? FaultSizes.Ci : FaultSizes.Full;
        if (options.StringOrNull("flash-down-seconds") is { } down)
        {
            sizes = sizes with { FlashDownFor = TimeSpan.FromSeconds(double.Parse(down, CultureInfo.InvariantCulture)) };
        }

        var only = options.StringOrNull("only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");

        Log($"faults: starting PostgreSQL ({(options.Flag("fast-pg") ? "fsync off" : "durable")}), the fakes and the service (Release)");
        await using var world = await BillingWorld.StartAsync(new WorldOptions
        {
            ExternalDatabaseUrl = options.StringOrNull("database-url") ?? Environment.GetEnvironmentVariable("BENCH_DATABASE_URL"),
            FastPostgres = options.Flag("fast-pg"),
            DatabaseName = "billing_faults",
            ServiceEnvironment = FaultScenarios.ServiceEnvironment(),
            LogDirectory = options.String("log-dir", Path.Combine(RepoPaths.Root(), ".local", "bench")),
        });
        Log($"faults: service pid {world.Service!.Pid} on {world.ServiceUrl} (log: {world.LogPath})");

        var scenarios = new FaultScenarios(world, sizes, Log);
        var steps = new (string Key, Func<Task<ScenarioResult>> Run)[]
        {
            ("kill", scenarios.ServiceKilledAsync),
            ("pg", scenarios.PostgresRestartedAsync),
            ("flash-down", scenarios.FlashDownAsync),
            ("flash-slow", scenarios.FlashSlowAsync),
            ("duplicates", scenarios.ConcurrentDuplicatesAsync),
            ("bad-input", scenarios.BadInputAsync),
            ("twin-slow", scenarios.TwoInstancesSlowFlashAsync),
            ("sigterm", scenarios.SigtermDuringDeliveryAsync),
            ("recovery", scenarios.OutageRecoveryAsync),
        };
        var results = new List<ScenarioResult>();
        foreach (var (key, run) in steps.Where(s => only is null || only.Contains(s.Key)))
        {
            Log($"faults: scenario {key}");
            try
            {
                results.Add(await run());
            }
            catch (Exception ex)
            {
                results.Add(new ScenarioResult(key, 0, 0, 0, 0, 0, false, $"crashed: {ex.GetType().Name}: {ex.Message}"));
            }

            Log($"faults: {results[^1].Scenario}: {results[^1].Result}: {results[^1].Notes}");
            if (world.Service is { HasExited: true })
            {
                await world.StartServiceAsync();
            }
        }

        Console.WriteLine(TextTable.FaultTable(results));
        foreach (var r in results)
        {
            Console.WriteLine($"- {r.Scenario}: {r.Notes}");
        }

        var failed = results.Count(r => !r.Passed);
        Console.WriteLine(failed == 0 ? $"\nall {results.Count} scenarios passed" : $"\n{failed} of {results.Count} scenarios FAILED");
        return failed == 0 ? 0 : 1;
    }
}
