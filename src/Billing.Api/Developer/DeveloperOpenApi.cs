using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Billing.Api.Developer;

/// <summary>
/// The developer part of the OpenAPI document: the bearer scheme for API keys on the /v1 routes, their error codes, the
/// IETF rate-limit headers and Idempotency-Key; and the /docs page (Scalar), served entirely by this service.
/// </summary>
internal static class DeveloperOpenApi
{
    private static readonly Dictionary<string, string> ErrorCodes = new()
    {
        ["400"] = "`request.malformed` (body is not a JSON object or not JSON), `idempotency.key_invalid`.",
        ["401"] = "`key.missing` (no or unparsable `Authorization: Bearer`), `key.malformed` (wrong prefix, length or checksum), `key.invalid` (unknown, revoked or expired: one answer for all three).",
        ["402"] = "`credits.insufficient`: Flash refused for lack of credits.",
        ["403"] = "`key.test_mode_unavailable`: a test key, and this deployment has no sandbox Flash.",
        ["409"] = "`idempotency.in_progress` (the first request with this Idempotency-Key is still running) or `idempotency.stream_repeat` (stream keys are single-use).",
        ["422"] = "`idempotency.mismatch` (the Idempotency-Key was used with a different body), or Flash's own validation of the body.",
        ["429"] = "`rate_limit.exceeded`: the tier's requests per minute, or its concurrent streams. `Retry-After` says when to retry.",
        ["503"] = "`flash.unavailable`: Flash could not be reached; retry later.",
    };

    public static OpenApiOptions AddDeveloperDocs(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "TIMEPOINT billing";
            document.Info.Description = "Developers: call the /v1 routes with `Authorization: Bearer tp_live_…` (or `tp_test_…` for the sandbox). "
                + "Every answer carries `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers).";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[DeveloperEndpoints.SecurityScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "tp_live_ / tp_test_ + 36 base62 characters",
                Description = "A developer API key, created through flash-deploy (POST /internal/billing/keys).",
            };
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<DeveloperRouteMetadata>().Any())
            {
                return Task.CompletedTask;
            }

            var path = context.Description.RelativePath ?? "";
            var stream = path.EndsWith("stream", StringComparison.Ordinal);
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(DeveloperEndpoints.SecurityScheme, context.Document)] = [] },
            ];

            if (path.Contains("generate", StringComparison.Ordinal))
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = DeveloperRelay.IdempotencyKeyHeader,
                    In = ParameterLocation.Header,
                    Required = false,
                    Description = stream
                        ? "Optional, single use: a repeated key is refused with 409."
                        : "Optional. A repeat with the same key and body within 24 h returns the first answer without generating (or charging) again.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
                });
            }

            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (response is not OpenApiResponse concrete)
                {
                    continue;
                }

                if (ErrorCodes.TryGetValue(status, out var codes))
                {
                    concrete.Description = codes;
                }

                if (status == "401")
                {
                    continue;
                }

                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers[RateLimitHeaders.PolicyHeader] = Header(stream
                    ? "`\"minute\";q=<limit>;w=60, \"streams\";q=<streams>;qu=\"concurrent-requests\"`"
                    : "`\"minute\";q=<limit>;w=60`");
                concrete.Headers[RateLimitHeaders.StateHeader] = Header("`\"minute\";r=<remaining>;t=<seconds until full>`");
                if (status == "429")
                {
                    concrete.Headers["Retry-After"] = Header("Seconds until a request would be admitted.", JsonSchemaType.Integer);
                }
            }

            return Task.CompletedTask;
        });
        return options;
    }

    /// <summary>The developer docs page: Scalar over /openapi/v1.json, with its script served by this service and no web fonts.</summary>
    public static void MapDeveloperDocs(this IEndpointRouteBuilder app) =>
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("TIMEPOINT developer API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts());

    private static OpenApiHeader Header(string description, JsonSchemaType type = JsonSchemaType.String) => new()
    {
        Description = description,
        Schema = new OpenApiSchema { Type = type },
    };
}
