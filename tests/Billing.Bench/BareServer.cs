using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Billing.Bench;

/// <summary>
/// The reference for the internal reads: a bare ASP.NET Core minimal API (Kestrel, no middleware, no database) serving the
/// exact bytes the service answered, on the same routes. Run as its own process (<c>Billing.Bench bare</c>), like the service.
/// </summary>
internal static class BareServer
{
    public static async Task<int> RunAsync(int port, string productsFile, string statusFile, string? verifyFile = null)
    {
        var products = await File.ReadAllBytesAsync(productsFile);
        var status = await File.ReadAllBytesAsync(statusFile);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        app.MapGet("/internal/billing/products", () => Results.Bytes(products, "application/json"));
        app.MapGet("/internal/billing/status", () => Results.Bytes(status, "application/json"));
        app.MapGet("/health/ready", () => Results.Ok());
        if (verifyFile is not null)
        {
            // Reads the body as the service does, then answers the service's own verify bytes.
            var verify = await File.ReadAllBytesAsync(verifyFile);
            app.MapPost("/internal/billing/keys/verify", async (HttpRequest request) =>
            {
                await request.ReadFromJsonAsync<System.Text.Json.JsonElement>();
                return Results.Bytes(verify, "application/json");
            });
        }

        await app.RunAsync();
        return 0;
    }
}
