namespace Billing.Harness;

/// <summary>Where the repository and the built service are, seen from any binary under it.</summary>
public static class RepoPaths
{
    public static string Root()
    {
        var fromEnv = Environment.GetEnvironmentVariable("BILLING_REPO_ROOT");
        if (!string.IsNullOrWhiteSpace(fromEnv) && File.Exists(Path.Combine(fromEnv, "Billing.sln")))
        {
            return fromEnv;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Billing.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Billing.sln not found above the harness binaries (set BILLING_REPO_ROOT).");
    }

    /// <summary>The build configuration the calling binary was built in (Release or Debug), read from its path.</summary>
    public static string CurrentConfiguration()
    {
        var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var bin = Array.LastIndexOf(parts, "bin");
        return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Release";
    }

    /// <summary>src/Billing.Api/bin/{configuration}/net10.0/Billing.Api.dll.</summary>
    public static string ApiDll(string? configuration = null)
    {
        var path = Path.Combine(Root(), "src", "Billing.Api", "bin", configuration ?? CurrentConfiguration(), "net10.0", "Billing.Api.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"The service is not built: {path} (dotnet build src/Billing.Api -c {configuration ?? CurrentConfiguration()}).", path);
    }

    public static string PostgresScript() => Path.Combine(Root(), "build", "postgres.sh");

    /// <summary>The dotnet host to start the service with: the SDK's when known, else the one on PATH.</summary>
    public static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrWhiteSpace(host) && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
