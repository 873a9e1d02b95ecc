using Billing.Application.Audit;
using Billing.Application.Reconciliation;
using Billing.Application.Reconciliation.RunReconciliation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Reconciliation;

/// <summary>
/// Reconciles every configured source each <c>RECONCILE_INTERVAL</c>. Every instance runs this worker; the advisory lock
/// lets one of them run a source at a time (the others skip), and the watermark makes each run start where the last ended.
/// </summary>
internal sealed partial class ReconciliationWorker(IServiceScopeFactory scopes, ReconciliationOptions options, TimeProvider clock, ILogger<ReconciliationWorker> logger) : BackgroundService
{
    private static readonly AuditContext Scheduled = new(AuditContext.System, "scheduled reconciliation");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Interval is not { } interval)
        {
            LogDisabled(ReconciliationOptions.IntervalVariable);
            return;
        }

        using var timer = new PeriodicTimer(interval, clock);
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var source in ReconciliationSources.All)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<IMediator>()
                        .Send(new RunReconciliationCommand(source, null, DryRun: false, Scheduled, ReconciliationTriggers.Schedule), stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogRunFailed(source, ex.GetType().Name, ex.Message);
                }
            }

            try
            {
                if (!await timer.WaitForNextTickAsync(stoppingToken))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled reconciliation is off ({Variable}); on-demand runs still work")]
    private partial void LogDisabled(string variable);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled reconciliation of {Source} failed ({ExceptionType}: {Message})")]
    private partial void LogRunFailed(string source, string exceptionType, string message);
}
