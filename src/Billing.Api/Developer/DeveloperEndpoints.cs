namespace Billing.Api.Developer;

/// <summary>
/// The routes developers call with <c>Authorization: Bearer tp_live_…</c> (no service key). Thin: the relay does the work.
/// </summary>
internal static class DeveloperEndpoints
{
    public const string SecurityScheme = "ApiKey";

    public static void MapDeveloperEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("developer").WithMetadata(new DeveloperRouteMetadata());

        v1.MapPost("/timepoints/generate/sync", (HttpContext context, DeveloperRelay relay) => relay.SyncAsync(context))
            .WithName("GenerateSync")
            .WithSummary("Generate a timepoint and wait for the whole answer (Flash's JSON). Idempotency-Key makes retries safe.")
            .Accepts<GenerateRequestDoc>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .WithDeveloperErrors(idempotency: true);

        v1.MapPost("/timepoints/generate/stream", (HttpContext context, DeveloperRelay relay) => relay.StreamAsync(context))
            .WithName("GenerateStream")
            .WithSummary("Generate a timepoint as Server-Sent Events, relayed as Flash emits them.")
            .Accepts<GenerateRequestDoc>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .WithDeveloperErrors(idempotency: true);

        v1.MapGet("/credits/balance", (HttpContext context, DeveloperRelay relay) => relay.BalanceAsync(context))
            .WithName("GetCreditsBalance")
            .WithSummary("The key owner's credit balance on the Flash of the key's mode.")
            .Produces<BalanceResponse>()
            .WithDeveloperErrors(idempotency: false);

        v1.MapGet("/usage", (HttpContext context, DeveloperRelay relay) => relay.UsageAsync(context))
            .WithName("GetDeveloperUsage")
            .WithSummary("The key owner's usage in UTC hour or day buckets per key: from, to (ISO 8601, widened to whole buckets), granularity=hour|day, key_id.")
            .Produces<Billing.Application.Usage.GetUsage.UsageResponse>()
            .WithDeveloperErrors(idempotency: false);
    }

    private static RouteHandlerBuilder WithDeveloperErrors(this RouteHandlerBuilder route, bool idempotency)
    {
        route.ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        if (idempotency)
        {
            route.ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        }

        return route;
    }
}

/// <summary>Marks the /v1 routes for the OpenAPI transformer (bearer scheme, headers, error codes).</summary>
internal sealed class DeveloperRouteMetadata;

/// <summary>Flash's generation request (contract §6.1), for the OpenAPI document; the relay passes the JSON through as sent.</summary>
internal sealed record GenerateRequestDoc(string Query, bool? GenerateImage, string? Preset, string? TextModel, string? ImageModel, string? Visibility);
