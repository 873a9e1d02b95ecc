using Billing.Application.Grants.ListGrants;
using Billing.Application.Status.GetBillingStatus;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.Domain.Purchases;
using Mapster;

namespace Billing.Application;

/// <summary>
/// The read side's projections in one place (Mapster): queries call <c>ProjectToType&lt;T&gt;(ReadModels.Config)</c> straight
/// on the EF query, so only the columns a response needs are read. Value objects and enums become the platform's wire strings.
/// </summary>
internal static class ReadModels
{
    public static TypeAdapterConfig Config { get; } = Build();

    private static TypeAdapterConfig Build()
    {
        var config = new TypeAdapterConfig();
        config.NewConfig<CreditGrant, OperatorGrantResponse>()
            .MapToConstructor(true)
            .Map(d => d.GrantKey, s => s.GrantKey.Value)
            .Map(d => d.UserId, s => s.UserId.Value)
            .Map(d => d.TransactionType, s => TransactionTypeNames.ToWire(s.TransactionType))
            .Map(d => d.Status, s => GetBillingStatusQueryHandler.Wire(s.Status.ToString()))
            .Map(d => d.DeliveredVia, s => s.DeliveredVia == null ? null : GetBillingStatusQueryHandler.Wire(s.DeliveredVia.Value.ToString()));
        config.NewConfig<CreditGrant, GrantResponse>()
            .MapToConstructor(true)
            .Map(d => d.GrantKey, s => s.GrantKey.Value)
            .Map(d => d.TransactionType, s => TransactionTypeNames.ToWire(s.TransactionType))
            .Map(d => d.Status, s => GetBillingStatusQueryHandler.Wire(s.Status.ToString()));
        config.NewConfig<Purchase, PurchaseStatusResponse>()
            .MapToConstructor(true)
            .Map(d => d.Provider, s => GetBillingStatusQueryHandler.Wire(s.Provider.ToString()))
            .Map(d => d.Status, s => GetBillingStatusQueryHandler.Wire(s.Status.ToString()))
            .Map(d => d.Credits, s => s.Credits.Value)
            .Map(d => d.PriceCents, s => s.Price.MinorUnits)
            .Map(d => d.Currency, s => s.Price.Currency)
            .Map(d => d.AmountRefundedCents, s => s.AmountRefundedMinor)
            .Map(d => d.CreditsClawedBack, s => s.CreditsClawedBack.Value);
        config.Compile();
        return config;
    }
}
