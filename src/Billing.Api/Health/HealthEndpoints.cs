using Billing.Application.Inbox.CountInboxAttention;
using Billing.Infrastructure.Persistence;
using MediatR;

namespace Billing.Api.Health;

internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" })).WithSummary("Liveness: the process answers.");
        app.MapGet("/health/ready", async (SchemaMigrator migrator, IMediator mediator, ILogger<SchemaMigrator> logger, CancellationToken ct) =>
        {
            try
            {
                if (!await migrator.IsUpToDateAsync(ct))
                {
                    return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: "The database schema is not migrated.");
                }

                // Parked and stale events need a person, not a restart: they are details, never a reason to leave the pool.
                var inbox = await mediator.Send(new CountInboxAttentionQuery(), ct);
                return Results.Ok(new { status = "ready", schema_version = SchemaMigrator.LatestVersion, details = new { inbox_failed = inbox.Failed, inbox_stale = inbox.Stale } });
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                logger.LogWarning("Readiness check failed: {ExceptionType}", ex.GetType().Name);
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: "The database is not reachable.");
            }
        }).WithSummary("Readiness: the database is reachable and migrated; details count the inbox events that need an operator.");
    }
}
