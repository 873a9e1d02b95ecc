using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.Domain.Subscriptions;
using Mapster;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Status.GetBillingStatus;

internal sealed class GetBillingStatusQueryHandler(IBillingDbContext db) : IRequestHandler<GetBillingStatusQuery, BillingStatusResponse>
{
    private const int MaxItems = 100;
    private static readonly string PendingWire = Wire(nameof(CreditGrantStatus.Pending));
    private static readonly string DeliveredWire = Wire(nameof(CreditGrantStatus.Delivered));

    public async Task<BillingStatusResponse> Handle(GetBillingStatusQuery request, CancellationToken cancellationToken)
    {
        var userId = UserId.From(request.UserId);

        var subscriptions = await db.Subscriptions.AsNoTracking()
            .Where(s => s.UserId == userId)
            .OrderByDescending(s => s.CreatedAt)
            .Take(MaxItems)
            .ToListAsync(cancellationToken);

        var purchases = await db.Purchases.AsNoTracking()
            .Where(p => p.UserId == userId)
            .OrderByDescending(p => p.CreatedAt)
            .Take(MaxItems)
            .ProjectToType<PurchaseStatusResponse>(ReadModels.Config)
            .ToListAsync(cancellationToken);

        var grants = await db.CreditGrants.AsNoTracking()
            .Where(g => g.UserId == userId)
            .OrderByDescending(g => g.CreatedAt)
            .Take(MaxItems)
            .ProjectToType<GrantResponse>(ReadModels.Config)
            .ToListAsync(cancellationToken);

        // Owed debt is read on its own: an old debt row may be outside the newest grants listed above.
        var debts = await db.CreditGrants.AsNoTracking()
            .Where(g => g.UserId == userId && g.Status == CreditGrantStatus.OwedDebt)
            .OrderBy(g => g.CreatedAt)
            .Take(MaxItems)
            .Select(g => new DebtItemResponse(g.GrantKey.Value, g.Amount, g.DebtCollected, -g.Amount - g.DebtCollected, g.CreatedAt))
            .ToListAsync(cancellationToken);

        return new BillingStatusResponse(
            userId.Value,
            subscriptions.Any(s => s.Status is SubscriptionStatus.Active or SubscriptionStatus.Canceled or SubscriptionStatus.PastDue),
            [.. subscriptions.Select(ToResponse)],
            purchases,
            new GrantSummaryResponse(
                grants.Where(g => g.Status == PendingWire).Sum(g => g.Amount),
                grants.Where(g => g.Status == DeliveredWire).Sum(g => g.Amount),
                grants),
            new DebtResponse(debts.Sum(d => d.Outstanding), debts));
    }

    private static SubscriptionStatusResponse ToResponse(Subscription s) => new(
        Wire(s.Tier.ToString()),
        ProductCatalog.GetTier(s.Tier).Id,
        Wire(s.Status.ToString()),
        Wire(s.Source.ToString()),
        s.CreditsPerPeriod.Value,
        s.CurrentPeriodStart,
        s.CurrentPeriodEnd,
        s.CancelAtPeriodEnd,
        s.LastGrantAt,
        s.Environment);

    /// <summary>PastDue → past_due, OwedDebt → owed_debt: the snake_case the rest of the platform speaks.</summary>
    internal static string Wire(string pascal)
    {
        var builder = new System.Text.StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
