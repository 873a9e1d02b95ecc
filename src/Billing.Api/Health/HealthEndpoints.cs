using Billing.Infrastructure.Persistence;

namespace Billing.Api.Health;

internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" })).WithSummary("Liveness: the process answers.");
        app.MapGet("/health/ready", async (SchemaMigrator migrator, ILogger<SchemaMigrator> logger, CancellationToken ct) =>
        {
            try
            {
                return await migrator.IsUpToDateAsync(ct)
                    ? Results.Ok(new { status = "ready", schema_version = SchemaMigrator.LatestVersion })
                    : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: "The database schema is not migrated.");
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                logger.LogWarning("Readiness check failed: {ExceptionType}", ex.GetType().Name);
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: "The database is not reachable.");
            }
        }).WithSummary("Readiness: the database is reachable and migrated.");
    }
}
