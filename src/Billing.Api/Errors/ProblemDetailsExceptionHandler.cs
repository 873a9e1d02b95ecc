using System.Text.Json;
using Billing.Application.Abstractions.Flash;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Common;
using Billing.Domain.Common;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Errors;

/// <summary>
/// The one place where exceptions become HTTP answers (RFC 7807 ProblemDetails with a trace id).
/// Client mistakes are 4xx; only our own faults are 500, and those never carry exception text.
/// </summary>
internal sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Map(exception);
        if (problem is null)
        {
            logger.LogError(exception, "Unhandled {ExceptionType} on {Path}", exception.GetType().Name, httpContext.Request.Path.Value);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Internal server error",
                Detail = "Something went wrong on our side. The trace id identifies it in our logs.",
            };
        }
        else if (exception is StripeException or StripeObjectFormatException)
        {
            // Stripe's own message names the parameter and request id, never a secret: worth having in our logs, not in the answer.
            logger.LogWarning("{ExceptionType} mapped to {StatusCode}: {StripeMessage}", exception.GetType().Name, problem.Status, exception.Message);
        }
        else
        {
            logger.LogInformation("{ExceptionType} mapped to {StatusCode}: {Detail}", exception.GetType().Name, problem.Status, problem.Detail);
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    internal static ProblemDetails? Map(Exception exception) => exception switch
    {
        Billing.Application.Apple.AppleSignedDataRejectedException apple => Problem(StatusCodes.Status400BadRequest, "Apple signed data refused", apple.Message, apple.Code),
        Billing.Application.Apple.AppleProductNotSupportedException product => Problem(StatusCodes.Status422UnprocessableEntity, "Apple purchase not supported", product.Message, product.Code),
        ValidationException validation => new HttpValidationProblemDetails(validation.Errors
            .GroupBy(e => ToSnakeCase(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid",
        },
        InvalidDomainValueException invalid => Problem(StatusCodes.Status400BadRequest, "The request is not valid", invalid.Message, invalid.Code),
        DomainException rule => Problem(StatusCodes.Status409Conflict, "The request conflicts with the current state", rule.Message, rule.Code),
        NotFoundException notFound => Problem(StatusCodes.Status404NotFound, "Not found", notFound.Message, notFound.Code),
        BadHttpRequestException bad => Problem(bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request", BadRequestDetail(bad), "request.malformed"),
        Billing.Api.Developer.DeveloperProblemException developer => Problem(developer.Status, developer.Title, developer.Message, developer.Code),
        FlashRequestException { StatusCode: StatusCodes.Status402PaymentRequired } flash => Problem(StatusCodes.Status402PaymentRequired, "Insufficient credits", flash.Error.Message, "credits.insufficient"),
        FlashRequestException flash => Problem(flash.StatusCode is >= 400 and < 500 ? flash.StatusCode : StatusCodes.Status502BadGateway, "Flash refused the request", flash.Error.Message, "flash.refused"),
        FlashUnavailableException => Problem(StatusCodes.Status503ServiceUnavailable, "Flash is unavailable", "The credits service did not answer; try again shortly.", "flash.unavailable"),
        JsonException => Problem(StatusCodes.Status400BadRequest, "Bad request", "The body is not valid JSON.", "request.malformed_json"),
        StripeNotConfiguredException => Problem(StatusCodes.Status503ServiceUnavailable, "Payments unavailable", "Stripe is not configured on this service.", "stripe.not_configured"),
        StripeException { Kind: StripeFailureKind.Unavailable } => Problem(StatusCodes.Status503ServiceUnavailable, "Payments unavailable", "Stripe could not be reached or is failing; try again shortly.", "stripe.unavailable"),
        // Stripe refusing a request we built (invalid_request_error included) is our integration's fault, not the caller's:
        // a use case turns the refusals a caller can cause into InvalidDomainValueException (400) itself.
        StripeException => Problem(StatusCodes.Status502BadGateway, "Payment provider refused the request", "Stripe refused the request; the trace id identifies it in our logs.", "stripe.rejected"),
        StripeObjectFormatException => Problem(StatusCodes.Status502BadGateway, "Unexpected payment provider answer", "Stripe answered with something this service cannot read.", "stripe.unreadable"),
        _ => null,
    };

    private static string BadRequestDetail(BadHttpRequestException bad) =>
        bad.InnerException is JsonException ? "The body is not valid JSON." : bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The body is larger than this service accepts." : "The request could not be read.";

    private static ProblemDetails Problem(int status, string title, string detail, string code) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Extensions = { ["code"] = code },
    };

    private static string ToSnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
