using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.Application.Inbox.ProcessInboxEvent;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Apple;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Apple;

/// <summary>
/// The real service over HTTP, trusting a throwaway Apple PKI (APPLE_ROOT_CERTIFICATES = its root), on a test class's database.
/// Background workers are off by default: tests drive the inbox deterministically with <see cref="ProcessAsync"/>.
/// </summary>
internal sealed class AppleTestHost : IDisposable
{
    public const string Explorer = "com.timepoint.flash.sub.explorer";
    public const string Creator = "com.timepoint.flash.sub.creator";
    public const string StarterPack = "com.timepoint.flash.credits.10";
    public const string AutoRenewable = "Auto-Renewable Subscription";

    private static long _transactionCounter = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    public AppleTestHost(BillingDatabase database, IDictionary<string, string?>? extra = null)
    {
        Database = database;
        Pki = AppleTestPki.Create();
        var settings = Pki.VerifierConfiguration();
        settings["BACKGROUND_WORKERS"] = "false";
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        Factory = new BillingApiFactory(database.ConnectionString, settings);
    }

    public BillingDatabase Database { get; }

    public AppleTestPki Pki { get; }

    public BillingApiFactory Factory { get; }

    public static string NewUser() => Guid.NewGuid().ToString();

    public static string NewTransactionId() => Interlocked.Increment(ref _transactionCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A one-month subscription transaction starting <paramref name="start"/> (default: an hour ago).</summary>
    public static AppleTestTransaction SubscriptionTransaction(string transactionId, string originalTransactionId, string userId, DateTimeOffset? start = null, string productId = Explorer) => new()
    {
        TransactionId = transactionId,
        OriginalTransactionId = originalTransactionId,
        ProductId = productId,
        Type = AutoRenewable,
        AppAccountToken = Guid.Parse(userId),
        PurchaseDate = start ?? DateTimeOffset.UtcNow.AddHours(-1),
        ExpiresDate = (start ?? DateTimeOffset.UtcNow.AddHours(-1)).AddMonths(1),
        Price = 7990,
        TransactionReason = transactionId == originalTransactionId ? "PURCHASE" : "RENEWAL",
    };

    public static AppleTestRenewalInfo RenewalInfo(string originalTransactionId, string productId = Explorer, int autoRenewStatus = 1, string? autoRenewProductId = null) => new()
    {
        OriginalTransactionId = originalTransactionId,
        ProductId = productId,
        AutoRenewProductId = autoRenewProductId,
        AutoRenewStatus = autoRenewStatus,
    };

    public async Task<HttpResponseMessage> VerifyAsync(string? userId, string signedTransaction)
    {
        using var client = Factory.CreateServiceClient(userId);
        return await client.PostAsJsonAsync("/internal/billing/apple/verify", new { signed_transaction = signedTransaction });
    }

    public async Task<JsonElement> VerifyOkAsync(string userId, string signedTransaction)
    {
        using var response = await VerifyAsync(userId, signedTransaction);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    /// <summary>POSTs <c>{"signedPayload": jws}</c> to the webhook with no service key, as Apple does.</summary>
    public async Task<HttpResponseMessage> PostNotificationAsync(string signedPayload)
    {
        using var client = Factory.CreateClient();
        using var content = new StringContent(JsonSerializer.Serialize(new { signedPayload }), Encoding.UTF8, "application/json");
        return await client.PostAsync(new Uri("/webhooks/apple", UriKind.Relative), content);
    }

    /// <summary>Signs, posts (expecting 200) and processes a notification; returns the inbox row's status and reason.</summary>
    public async Task<(string Status, string? Reason)> DeliverAsync(AppleTestNotification notification)
    {
        using var response = await PostNotificationAsync(Pki.SignNotification(notification));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ProcessAsync(notification.NotificationUuid);
    }

    /// <summary>Runs the inbox processing of one stored notification through the service's own mediator (as the worker does).</summary>
    public async Task<(string Status, string? Reason)> ProcessAsync(Guid notificationUuid)
    {
        await using var db = Database.CreateContext();
        var row = await db.InboxEvents.AsNoTracking().SingleAsync(e => e.Provider == "apple" && e.EventId == notificationUuid.ToString());
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ProcessInboxEventCommand(row.Id));
        }

        var processed = await db.InboxEvents.AsNoTracking().SingleAsync(e => e.Id == row.Id);
        return (processed.Status.ToString().ToLowerInvariant(), processed.LastError);
    }

    public async Task<List<CreditGrant>> GrantsAsync(string userId)
    {
        await using var db = Database.CreateContext();
        var user = UserId.From(userId);
        return await db.CreditGrants.AsNoTracking().Where(g => g.UserId == user).OrderBy(g => g.CreatedAt).ToListAsync();
    }

    public async Task<List<Purchase>> PurchasesAsync(string userId)
    {
        await using var db = Database.CreateContext();
        var user = UserId.From(userId);
        return await db.Purchases.AsNoTracking().Where(p => p.UserId == user).ToListAsync();
    }

    public async Task<Subscription?> SubscriptionAsync(string originalTransactionId)
    {
        await using var db = Database.CreateContext();
        return await db.Subscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Source == SubscriptionSource.Apple && s.ProviderSubscriptionId == originalTransactionId);
    }

    public Task<long> InboxCountAsync(Guid notificationUuid) =>
        Database.ScalarAsync($"SELECT count(*) FROM inbox_events WHERE provider = 'apple' AND event_id = '{notificationUuid}'");

    public async Task<string> InboxEventTypeAsync(Guid notificationUuid)
    {
        await using var db = Database.CreateContext();
        return (await db.InboxEvents.AsNoTracking().SingleAsync(e => e.Provider == "apple" && e.EventId == notificationUuid.ToString())).EventType;
    }

    public static async Task<string?> ProblemCodeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    public void Dispose()
    {
        Factory.Dispose();
        Pki.Dispose();
    }
}
