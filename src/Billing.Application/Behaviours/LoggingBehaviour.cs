using System.Diagnostics;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Behaviours;

/// <summary>Outermost: logs the request's name, outcome and duration. Never the request itself (it may hold tokens or emails).</summary>
internal sealed class LoggingBehaviour<TRequest, TResponse>(ILogger<LoggingBehaviour<TRequest, TResponse>> logger)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await next();
            RequestLog.Handled(logger, typeof(TRequest).Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (Exception ex)
        {
            RequestLog.Failed(logger, typeof(TRequest).Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.GetType().Name);
            throw;
        }
    }
}

/// <summary>Source-generated: every request goes through here, so no boxing or template parsing per call.</summary>
internal static partial class RequestLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "{RequestName} handled in {ElapsedMs:0.0} ms")]
    public static partial void Handled(ILogger logger, string requestName, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{RequestName} failed after {ElapsedMs:0.0} ms with {ExceptionType}")]
    public static partial void Failed(ILogger logger, string requestName, double elapsedMs, string exceptionType);
}
