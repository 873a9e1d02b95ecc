using Billing.Application.Abstractions.Telemetry;
using Billing.Application.Behaviours;
using Billing.Application.Inbox;
using Billing.Application.Stripe.Webhooks;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Application;

public static class DependencyInjection
{
    /// <summary>
    /// MediatR 5.1.0 has no DI extension: register the mediator, its ServiceFactory, the behaviours (first registered runs
    /// outermost: logging, then validation, then the unit of work), scan handlers (internal types included) and register the
    /// validators with FluentValidation's own extension.
    /// </summary>
    public static IServiceCollection AddBillingApplication(this IServiceCollection services)
    {
        services.AddScoped<ServiceFactory>(sp => sp.GetService!);
        services.AddScoped<IMediator, Mediator>();
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(LoggingBehaviour<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(ValidationBehaviour<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(UnitOfWorkBehaviour<,>));

        // Apple: the verify route and the notification processor share how a transaction is recorded.
        services.AddScoped<Apple.AppleEntitlements>();
        services.AddScoped<Grants.ClawbackReversals>();
        services.AddScoped<Apple.Notifications.AppleBuyers>();
        services.AddScoped<Inbox.IProviderEventProcessor, Apple.Notifications.AppleNotificationProcessor>();

        services.Scan(scan => scan
            .FromAssemblies(typeof(DependencyInjection).Assembly)
            .AddClasses(c => c.AssignableTo(typeof(IRequestHandler<,>)), publicOnly: false)
            .AsImplementedInterfaces()
            .WithScopedLifetime()
            .AddClasses(c => c.AssignableTo(typeof(INotificationHandler<>)), publicOnly: false)
            .AsImplementedInterfaces()
            .WithScopedLifetime());
        services.AddValidatorsFromAssembly(typeof(DependencyInjection).Assembly, ServiceLifetime.Singleton, includeInternalTypes: true);

        // Stripe events: the inbox hands each stored event to the processor of its provider.
        services.AddScoped<IProviderEventProcessor, StripeEventProcessor>();
        services.AddScoped<StripeSubscriptionSync>();
        services.AddScoped<Stripe.StripeTierResolver>();

        // The default; Infrastructure registers the one configured by INBOX_RETRY_DAYS after it.
        services.AddSingleton(InboxRetryPolicy.Default);

        // The console and the CLI replay a stored event through the same processing path as the inbox processor.
        services.AddSingleton<Inbox.ReplayInboxEvent.InboxReplayer>();

        // Reconciliation: one checker per source, chosen by RunReconciliationCommand.Source.
        // Keyed, so a run builds only its own source's checker (an unconfigured Flash cannot fail a Stripe run).
        services.AddKeyedScoped<Reconciliation.ISourceReconciler, Reconciliation.StripeReconciler>(Reconciliation.ReconciliationSources.Stripe);
        services.AddKeyedScoped<Reconciliation.ISourceReconciler, Reconciliation.AppleReconciler>(Reconciliation.ReconciliationSources.Apple);
        services.AddKeyedScoped<Reconciliation.ISourceReconciler, Reconciliation.FlashReconciler>(Reconciliation.ReconciliationSources.Flash);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<BillingMetrics>();
        return services;
    }
}
