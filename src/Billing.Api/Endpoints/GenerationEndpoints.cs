using System.Text.Json;
using Billing.Api.Security;
using Billing.Application.Abstractions.Flash;

namespace Billing.Api.Endpoints;

/// <summary>
/// Relays the user's generation requests to Flash with the forwarded identity (signed when configured). The stream is
/// relayed as Server-Sent Events chunk by chunk, never buffered, and cancelled upstream when the caller goes away.
/// </summary>
internal static class GenerationEndpoints
{
    public static RouteGroupBuilder MapGenerationEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/timepoints/generate/sync", async (HttpRequest request, JsonElement body, IFlashRelayClient flash, CancellationToken ct) =>
                TypedResults.Json(await flash.GenerateSyncAsync(request.RequireUserId().Value, body, ct)))
            .WithName("RelayGenerateSync")
            .WithSummary("Relay a synchronous generation to Flash for the user in X-User-Id.");

        group.MapPost("/timepoints/generate/stream", async (HttpContext context, JsonElement body, IFlashRelayClient flash) =>
            {
                var userId = context.Request.RequireUserId().Value;
                context.Response.ContentType = "text/event-stream";
                context.Response.Headers.CacheControl = "no-cache";
                context.Response.Headers["X-Accel-Buffering"] = "no";
                await flash.RelayGenerateStreamAsync(userId, body, context.Response.Body, context.RequestAborted);
            })
            .WithName("RelayGenerateStream")
            .WithSummary("Relay a streaming generation (Server-Sent Events) to Flash for the user in X-User-Id.");
        return group;
    }
}
