using Billing.Api.Developer;
using Billing.Api.Security;
using Billing.Application.ApiKeys;
using Billing.Application.ApiKeys.CreateApiKey;
using Billing.Application.ApiKeys.ListApiKeys;
using Billing.Application.ApiKeys.RevokeApiKey;
using Billing.Application.ApiKeys.RollApiKey;
using MediatR;

namespace Billing.Api.Endpoints;

/// <summary>Developer key management for flash-deploy, acting for the signed-in user in X-User-Id.</summary>
internal static class ApiKeyEndpoints
{
    public static RouteGroupBuilder MapApiKeyEndpoints(this RouteGroupBuilder group)
    {
        var keys = group.MapGroup("/keys").WithTags("keys");

        keys.MapPost("/", async (HttpRequest request, CreateKeyBody body, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(new CreateApiKeyCommand(request.RequireUserId().Value, body.Name, body.Mode, body.ExpiresAt), ct);
                return TypedResults.Created($"/internal/billing/keys/{created.Id}", created);
            })
            .WithName("CreateApiKey")
            .WithSummary("Issue a developer key for the user; the plaintext key is in this answer only.")
            .Produces<CreatedApiKeyResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);

        keys.MapGet("/", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListApiKeysQuery(request.RequireUserId().Value), ct)))
            .WithName("ListApiKeys")
            .WithSummary("The user's keys, without secrets.");

        keys.MapDelete("/{id}", async (HttpRequest request, string id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new RevokeApiKeyCommand(request.RequireUserId().Value, id), ct);
                return TypedResults.NoContent();
            })
            .WithName("RevokeApiKey")
            .WithSummary("Revoke one of the user's keys (another user's or an unknown id: 404).")
            .ProducesProblem(StatusCodes.Status404NotFound);

        keys.MapPost("/{id}/roll", async (HttpRequest request, string id, RollKeyBody body, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(new RollApiKeyCommand(request.RequireUserId().Value, id, body.ExpireOldInSeconds), ct);
                return TypedResults.Created($"/internal/billing/keys/{created.Id}", created);
            })
            .WithName("RollApiKey")
            .WithSummary("Issue a successor key (same name and mode); the old key keeps working for expire_old_in_seconds.")
            .Produces<CreatedApiKeyResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        keys.MapPost("/verify", async (HttpContext context, VerifyKeyBody body, DeveloperRelay relay) =>
                TypedResults.Ok(await relay.VerifyAsync(context, body.Key)))
            .WithName("VerifyApiKey")
            .WithSummary("Verify a key for a gateway that authenticates keys itself; a valid verify counts against the key's rate limit.")
            .Produces<VerifyResponse>();
        return group;
    }

    internal sealed record CreateKeyBody(string? Name, string? Mode, DateTimeOffset? ExpiresAt);

    internal sealed record RollKeyBody(long? ExpireOldInSeconds);

    internal sealed record VerifyKeyBody(string? Key)
    {
        public override string ToString() => "VerifyKeyBody { Key = *** }";
    }
}
