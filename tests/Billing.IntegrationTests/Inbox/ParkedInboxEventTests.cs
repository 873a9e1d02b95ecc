using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using Billing.IntegrationTests.Apple;
using Billing.IntegrationTests.Infrastructure;
using Billing.IntegrationTests.Stripe;
using Microsoft.EntityFrameworkCore;

namespace Billing.IntegrationTests.Inbox;

/// <summary>
/// An acknowledged event never dies silently (docs/decisions/0015): a provider's redelivery of a parked event resets it,
/// operators list failed and stale events and requeue them, and /health/ready counts them.
/// </summary>
public sealed class ParkedInboxEventTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private const string AdminKey = "operator-key-for-inbox-tests";

    private StripeTestHost _stripe = null!;

    public async Task InitializeAsync() =>
        _stripe = await StripeTestHost.StartAsync(database, new Dictionary<string, string?> { ["BILLING_ADMIN_KEY"] = AdminKey });

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    [Fact]
    public async Task AStripeRedeliveryOfAFailedEvent_IsAnsweredAsADuplicate_AndResetsItForProcessing()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _stripe.CheckoutAsync(user, ProductCatalog.Studio.Id);
        _stripe.Stripe.MarkSessionPaid(sessionId);
        var payload = _stripe.Stripe.BuildEventForObject("checkout.session.completed", sessionId);
        var eventId = await _stripe.DeliverPayloadAsync(payload);
        var receivedAt = (await _stripe.InboxRowAsync(eventId)).ReceivedAt;
        await Park(eventId, InboxProviders.Stripe);

        using var redelivery = await _stripe.PostWebhookAsync(payload, _stripe.Stripe.SignatureHeader(payload));
        Assert.Equal(HttpStatusCode.OK, redelivery.StatusCode);
        Assert.True((await redelivery.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean());

        var row = await _stripe.InboxRowAsync(eventId);
        Assert.Equal(InboxStatus.Received, row.Status);
        Assert.Equal(0, row.Attempts);
        Assert.Equal(receivedAt, row.ReceivedAt); // received_at keeps meaning "first arrived"
        Assert.NotNull(row.RetriesResetAt);

        await _stripe.ProcessInboxAsync();
        Assert.Equal(InboxStatus.Processed, (await _stripe.InboxRowAsync(eventId)).Status);
        Assert.Equal(500, Assert.Single(await _stripe.GrantsAsync(user)).Amount);

        // A redelivery of a settled event still changes nothing.
        using var again = await _stripe.PostWebhookAsync(payload, _stripe.Stripe.SignatureHeader(payload));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(InboxStatus.Processed, (await _stripe.InboxRowAsync(eventId)).Status);
    }

    [Fact]
    public async Task AnAppleRedeliveryOfAFailedNotification_IsAnsweredAsADuplicate_AndResetsItForProcessing()
    {
        using var apple = new AppleTestHost(database);
        var user = AppleTestHost.NewUser();
        var original = AppleTestHost.NewTransactionId();
        var notification = new Billing.TestFakes.Apple.AppleTestNotification
        {
            NotificationType = "SUBSCRIBED",
            Subtype = "INITIAL_BUY",
            Transaction = AppleTestHost.SubscriptionTransaction(original, original, user),
            RenewalInfo = AppleTestHost.RenewalInfo(original),
        };
        var jws = apple.Pki.SignNotification(notification);
        using (var first = await apple.PostNotificationAsync(jws))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await Park(notification.NotificationUuid.ToString(), InboxProviders.Apple);
        using (var redelivery = await apple.PostNotificationAsync(jws))
        {
            Assert.Equal(HttpStatusCode.OK, redelivery.StatusCode);
            Assert.True((await redelivery.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean());
        }

        Assert.Equal(("processed", null), await apple.ProcessAsync(notification.NotificationUuid));
        Assert.Equal(100, Assert.Single(await apple.GrantsAsync(user)).Amount);
    }

    [Fact]
    public async Task Operators_ListFailedAndStaleEvents_AndRequeueThem_WhileReadyCountsThem()
    {
        var failed = await Insert("invoice.paid", "failed", receivedMinutesAgo: 90);
        var stale = await Insert("customer.subscription.updated", "received", receivedMinutesAgo: 11);
        var fresh = await Insert("customer.subscription.updated", "received", receivedMinutesAgo: 1);
        var processed = await Insert("invoice.paid", "processed", receivedMinutesAgo: 60);
        var client = OperatorClient();

        var all = await client.GetFromJsonAsync<JsonElement>("/internal/billing/admin/inbox");
        var ids = Ids(all);
        Assert.Contains(failed, ids);
        Assert.Contains(stale, ids);
        Assert.DoesNotContain(fresh, ids);
        Assert.DoesNotContain(processed, ids);
        var listed = all.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("id").GetInt64() == failed);
        Assert.Equal("failed", listed.GetProperty("status").GetString());
        Assert.True(listed.GetProperty("paid_money").GetBoolean());
        Assert.Equal($"/internal/billing/admin/inbox/{failed}/requeue", listed.GetProperty("requeue_route").GetString());
        Assert.True(all.GetProperty("counts").GetProperty("failed").GetInt32() >= 1);
        Assert.True(all.GetProperty("counts").GetProperty("stale").GetInt32() >= 1);

        Assert.Equal([failed], Ids(await client.GetFromJsonAsync<JsonElement>("/internal/billing/admin/inbox?status=failed")).Where(id => id == failed || id == stale));
        Assert.Equal([stale], Ids(await client.GetFromJsonAsync<JsonElement>("/internal/billing/admin/inbox?status=stale")).Where(id => id == failed || id == stale));

        using var ready = await _stripe.Factory.CreateClient().GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var details = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("details");
        var failedBefore = details.GetProperty("inbox_failed").GetInt32();
        Assert.True(failedBefore >= 1);
        Assert.True(details.GetProperty("inbox_stale").GetInt32() >= 1);

        using var requeued = await client.PostAsync(new Uri($"/internal/billing/admin/inbox/{failed}/requeue", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, requeued.StatusCode);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM inbox_events WHERE id = {failed} AND status = 'received' AND attempts = 0 AND next_attempt_at <= now() AND retries_reset_at IS NOT NULL"));
        using var readyAfter = await _stripe.Factory.CreateClient().GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(failedBefore - 1, (await readyAfter.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("details").GetProperty("inbox_failed").GetInt32());

        using var staleRequeued = await client.PostAsync(new Uri($"/internal/billing/admin/inbox/{stale}/requeue", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, staleRequeued.StatusCode);

        using var settled = await client.PostAsync(new Uri($"/internal/billing/admin/inbox/{processed}/requeue", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, settled.StatusCode);
        Assert.Equal("inbox.not_requeueable", (await StripeTestHost.ProblemAsync(settled)).GetProperty("code").GetString());
        using var unknown = await client.PostAsync(new Uri("/internal/billing/admin/inbox/987654321/requeue", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task TheInboxRoutes_NeedTheAdminKey_AndRefuseAnUnknownStatus()
    {
        using var withoutAdmin = _stripe.Factory.CreateServiceClient();
        Assert.Equal(HttpStatusCode.Forbidden, (await withoutAdmin.GetAsync(new Uri("/internal/billing/admin/inbox", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await withoutAdmin.PostAsync(new Uri("/internal/billing/admin/inbox/1/requeue", UriKind.Relative), null)).StatusCode);
        using var client = OperatorClient();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(new Uri("/internal/billing/admin/inbox?status=bogus", UriKind.Relative))).StatusCode);
    }

    private HttpClient OperatorClient()
    {
        var client = _stripe.Factory.CreateServiceClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        return client;
    }

    private static List<long> Ids(JsonElement list) => [.. list.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetInt64())];

    /// <summary>What RecordInboxFailure leaves once the budget is used (the row the operator and the redelivery find).</summary>
    private async Task Park(string eventId, string provider)
    {
        await using var command = database.DataSource.CreateCommand(
            $"UPDATE inbox_events SET status = 'failed', attempts = 12, last_error = 'StripeUnavailableException: down' WHERE provider = '{provider}' AND event_id = '{eventId}'");
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private async Task<long> Insert(string eventType, string status, int receivedMinutesAgo)
    {
        await using var command = database.DataSource.CreateCommand(
            $"""
            INSERT INTO inbox_events (provider, event_id, event_type, payload, received_at, status, attempts, next_attempt_at, last_error)
            VALUES ('stripe', 'evt_{Guid.NewGuid():N}', '{eventType}', 'null', now() - interval '{receivedMinutesAgo} minutes', '{status}', 3, now() + interval '1 hour', 'boom')
            RETURNING id
            """);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
