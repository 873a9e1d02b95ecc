using System.Diagnostics;
using Npgsql;

namespace Billing.IntegrationTests.Infrastructure;

/// <summary>
/// One real PostgreSQL server for the whole test run: BILLING_TEST_DATABASE_URL when set (build/test.sh starts a throwaway
/// cluster and sets it), otherwise a throwaway cluster started here through build/postgres.sh. Each test class gets its own
/// fresh database on it. This is the one type to swap for Testcontainers where Docker exists.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<Task<string>> AdminConnection = new(StartAsync);

    public static Task<string> AdminConnectionStringAsync() => AdminConnection.Value;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix = "billing_t")
    {
        var admin = await AdminConnectionStringAsync();
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 50 }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        var url = Environment.GetEnvironmentVariable("BILLING_TEST_DATABASE_URL");
        if (!string.IsNullOrWhiteSpace(url))
        {
            return Billing.Infrastructure.Persistence.DatabaseUrl.ToConnectionString(url);
        }

        var root = RepositoryRoot();
        var script = Path.Combine(root, "build", "postgres.sh");
        var dir = Path.Combine(Path.GetTempPath(), $"billing-it-pg-{Environment.ProcessId}");
        await Run(script, "ensure");
        var port = (await Run(script, "free-port 57432")).Trim();
        await Run(script, $"start {dir} {port} fast");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Run(script, $"stop {dir}").GetAwaiter().GetResult();
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Billing.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Billing.sln not found above the test binaries.");
    }

    private static async Task<string> Run(string script, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", $"{script} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"postgres.sh {arguments} failed: {error}");
    }
}
