using System.Globalization;
using Npgsql;

namespace Billing.Harness;

/// <summary>
/// A throwaway PostgreSQL cluster started through build/postgres.sh on a free loopback port (so it can be restarted with
/// pg_ctl during a fault scenario), or an existing server given by URL (no restart then).
/// </summary>
public sealed class PgCluster : IAsyncDisposable
{
    private PgCluster(string adminConnectionString, string? dataDirectory, string binDirectory)
    {
        AdminConnectionString = adminConnectionString;
        DataDirectory = dataDirectory;
        BinDirectory = binDirectory;
    }

    public string AdminConnectionString { get; }

    /// <summary>Null for an external server.</summary>
    public string? DataDirectory { get; }

    public string BinDirectory { get; }

    public bool CanRestart => DataDirectory is not null;

    public string Host => new NpgsqlConnectionStringBuilder(AdminConnectionString).Host!;

    public int Port => new NpgsqlConnectionStringBuilder(AdminConnectionString).Port;

    /// <summary>Starts a cluster of our own. <paramref name="fast"/>: fsync and synchronous_commit off (tests only).</summary>
    public static async Task<PgCluster> StartAsync(bool fast)
    {
        var script = RepoPaths.PostgresScript();
        await Shell.RunAsync("bash", [script, "ensure"]);
        var bin = (await Shell.RunAsync("bash", [script, "bin"])).Trim();
        var dir = Path.Combine(Path.GetTempPath(), $"billing-harness-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]);
        var port = Ports.Free();
        var args = new List<string> { script, "start", dir, port.ToString(CultureInfo.InvariantCulture) };
        if (fast)
        {
            args.Add("fast");
        }

        await Shell.RunAsync("bash", args, TimeSpan.FromMinutes(2));
        return new PgCluster($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false", dir, bin);
    }

    /// <summary>An existing server where databases may be created (e.g. postgresql://postgres@127.0.0.1:5432/postgres).</summary>
    public static async Task<PgCluster> ExternalAsync(string url)
    {
        var bin = (await Shell.RunAsync("bash", [RepoPaths.PostgresScript(), "bin"])).Trim();
        return new PgCluster(ToConnectionString(url), null, bin);
    }

    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE); ", connection);
            await command.ExecuteNonQueryAsync();
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>A postgresql:// URL for DATABASE_URL.</summary>
    public string UrlFor(string database)
    {
        var b = new NpgsqlConnectionStringBuilder(AdminConnectionString);
        var password = string.IsNullOrEmpty(b.Password) ? "" : ":" + Uri.EscapeDataString(b.Password);
        return $"postgresql://{Uri.EscapeDataString(b.Username ?? "postgres")}{password}@{b.Host}:{b.Port.ToString(CultureInfo.InvariantCulture)}/{database}";
    }

    /// <summary>pg_ctl restart -m fast: every connection is cut, the server is back within about a second.</summary>
    public async Task RestartAsync()
    {
        if (DataDirectory is null)
        {
            throw new InvalidOperationException("An external PostgreSQL server cannot be restarted by the harness.");
        }

        // -l: the restarted server must log to its file, not inherit pg_ctl's output pipes.
        await RunPgCtl(["-D", DataDirectory, "-l", Path.Combine(DataDirectory, "server.log"), "-m", "fast", "-w", "-t", "60", "restart"]);
    }

    public string PgBench => Path.Combine(BinDirectory, "pgbench");

    /// <summary>For exit handlers: starts "postgres.sh stop" and does not wait (the stop carries on after this process is gone).</summary>
    public void StopDetached()
    {
        if (DataDirectory is null || !Directory.Exists(DataDirectory))
        {
            return;
        }

        var info = new System.Diagnostics.ProcessStartInfo("bash") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("\"$0\" stop \"$1\"; rm -rf \"$1\" \"$1.initdb.log\"");
        info.ArgumentList.Add(RepoPaths.PostgresScript());
        info.ArgumentList.Add(DataDirectory);
        System.Diagnostics.Process.Start(info)?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (DataDirectory is null)
        {
            return;
        }

        try
        {
            await Shell.RunAsync("bash", [RepoPaths.PostgresScript(), "stop", DataDirectory], TimeSpan.FromMinutes(1));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            Console.Error.WriteLine($"harness: could not stop PostgreSQL in {DataDirectory}: {ex.Message}");
        }

        TryDelete(DataDirectory);
        TryDelete(DataDirectory + ".initdb.log");
    }

    private async Task RunPgCtl(string[] arguments)
    {
        var pgCtl = Path.Combine(BinDirectory, "pg_ctl");
        // The server refuses to run as root: as root it runs as the 'postgres' OS user, like build/postgres.sh does.
        if (Environment.UserName == "root")
        {
            await Shell.RunAsync("runuser", ["-u", "postgres", "--", pgCtl, .. arguments], TimeSpan.FromMinutes(2));
        }
        else
        {
            await Shell.RunAsync(pgCtl, arguments, TimeSpan.FromMinutes(2));
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string ToConnectionString(string url)
    {
        if (!url.Contains("://", StringComparison.Ordinal))
        {
            return url;
        }

        var uri = new Uri(url.Replace("postgresql+asyncpg://", "postgresql://", StringComparison.Ordinal));
        var user = uri.UserInfo.Split(':', 2);
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port > 0 ? uri.Port : 5432,
            Username = Uri.UnescapeDataString(user[0]),
            Database = uri.AbsolutePath.Trim('/') is { Length: > 0 } db ? db : "postgres",
            Pooling = false,
        };
        if (user.Length > 1)
        {
            b.Password = Uri.UnescapeDataString(user[1]);
        }

        return b.ConnectionString;
    }
}
