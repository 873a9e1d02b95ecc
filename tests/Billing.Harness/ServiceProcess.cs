using System.Diagnostics;
using System.Globalization;

namespace Billing.Harness;

/// <summary>
/// The billing service as a separate OS process (<c>dotnet Billing.Api.dll --urls http://127.0.0.1:PORT</c>), configured
/// through environment variables only, so it can be SIGKILLed and its memory read from /proc. Output goes to a log file.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ServiceProcess(Process process, StreamWriter log, Uri baseUrl, DateTime startedAt)
    {
        _process = process;
        _log = log;
        BaseUrl = baseUrl;
        StartedAt = startedAt;
    }

    public Uri BaseUrl { get; }

    public int Pid => _process.Id;

    public DateTime StartedAt { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the service; does not wait for it (see <see cref="WaitReadyAsync"/>).</summary>
    public static ServiceProcess Start(string apiDll, int port, IReadOnlyDictionary<string, string?> environment, string logPath)
    {
        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var info = new ProcessStartInfo(RepoPaths.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
        };
        info.ArgumentList.Add(apiDll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url);

        // Nothing of the harness's own configuration leaks in: the service sees exactly what the scenario sets.
        foreach (var key in info.Environment.Keys.ToList())
        {
            if (key.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || (key.StartsWith("DOTNET_", StringComparison.Ordinal) && key != "DOTNET_ROOT")
                || key is "DATABASE_URL" or "SERVICE_API_KEY" or "MAIN_APP_INTERNAL_URL" || key.StartsWith("GRANT_", StringComparison.Ordinal)
                || key.StartsWith("FLASH_", StringComparison.Ordinal) || key.StartsWith("STRIPE_", StringComparison.Ordinal) || key.StartsWith("APPLE_", StringComparison.Ordinal))
            {
                info.Environment.Remove(key);
            }
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var startedAt = DateTime.UtcNow;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the service");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(process, log, new Uri(url + "/"), startedAt);
    }

    /// <summary>Polls /health/ready every 10 ms until 200; returns the time from process start.</summary>
    public async Task<TimeSpan> WaitReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1) }) { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the service exited with code {_process.ExitCode} before it was ready (see its log)");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return DateTime.UtcNow - StartedAt;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"the service was not ready within {timeout.TotalSeconds:0} s");
    }

    /// <summary>SIGKILL: no shutdown hooks, no draining, in-flight work is cut wherever it is.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM and wait (graceful stop); SIGKILL after the timeout.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            await Shell.RunAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            using var cts = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            Kill();
        }
    }

    /// <summary>CPU time (user + system) the process has used so far; null when unavailable.</summary>
    public TimeSpan? CpuTime() => ProcessCpu.Of(_process.Id);

    /// <summary>Peak resident set size (VmHWM) so far, in bytes; null when unavailable.</summary>
    public long? PeakRssBytes() => ReadStatusKb("VmHWM:") * 1024;

    public long? CurrentRssBytes() => ReadStatusKb("VmRSS:") * 1024;

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private long? ReadStatusKb(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var digits = new string(line.AsSpan(field.Length).ToArray().Where(char.IsDigit).ToArray());
                    return long.Parse(digits, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
