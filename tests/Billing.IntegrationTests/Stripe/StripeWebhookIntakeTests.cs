using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Stripe;

namespace Billing.IntegrationTests.Stripe;

public sealed class StripeWebhookIntakeTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private StripeTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StripeTestHost.StartAsync(database);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ASignedEvent_IsStoredAndAcknowledged_AndARedeliveryIsADuplicate()
    {
        var payload = _host.Stripe.BuildEvent("customer.created", """{"id":"cus_x","object":"customer"}""");
        var eventId = JsonDocument.Parse(payload).RootElement.GetProperty("id").GetString()!;

        var first = await _host.PostWebhookAsync(payload, _host.Stripe.SignatureHeader(payload));
        var again = await _host.PostWebhookAsync(payload, _host.Stripe.SignatureHeader(payload, _host.Stripe.Now.AddSeconds(5)));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("received").GetBoolean());
        Assert.False(body.GetProperty("duplicate").GetBoolean());
        Assert.True((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean());
        var row = await _host.InboxRowAsync(eventId);
        Assert.Equal("customer.created", row.EventType);
        Assert.Equal(Encoding.UTF8.GetString(payload), row.Payload);
        Assert.Equal(InboxStatus.Received, row.Status);
    }

    public static TheoryData<string> Refusals() => ["tampered body", "wrong secret", "stale timestamp", "future timestamp", "missing header", "v0 only", "garbage header"];

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task AnEventThatDoesNotVerify_Answers400_AndStoresNothing(string refusal)
    {
        var marker = "cs_test_refused_" + Guid.NewGuid().ToString("N");
        var payload = _host.Stripe.BuildEvent("checkout.session.completed", $$"""{"id":"{{marker}}","object":"checkout.session"}""");
        var now = _host.Stripe.Now;
        var (body, header) = refusal switch
        {
            "tampered body" => (Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(payload).Replace(marker, marker + "0", StringComparison.Ordinal)), _host.Stripe.SignatureHeader(payload)),
            "wrong secret" => (payload, StripeFake.SignatureHeader(payload, "whsec_someone_else", now)),
            "stale timestamp" => (payload, _host.Stripe.SignatureHeader(payload, now.AddSeconds(-301))),
            "future timestamp" => (payload, _host.Stripe.SignatureHeader(payload, now.AddSeconds(305))), // t is whole seconds: keep clear of the edge
            "missing header" => (payload, (string?)null),
            "v0 only" => (payload, _host.Stripe.SignatureHeader(payload).Replace("v1=", "v0=", StringComparison.Ordinal)),
            _ => (payload, "this is not a signature"),
        };

        var response = await _host.PostWebhookAsync(body, header);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("stripe.signature_invalid", (await StripeTestHost.ProblemAsync(response)).GetProperty("code").GetString());
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM inbox_events WHERE payload LIKE '%{marker}%'"));
    }

    [Fact]
    public async Task ASignedBodyThatIsNotAStripeEvent_Answers400_AndStoresNothing()
    {
        var payload = Encoding.UTF8.GetBytes("""{"object":"event","id":"evt_no_type_here"}""");
        var response = await _host.PostWebhookAsync(payload, _host.Stripe.SignatureHeader(payload));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("stripe.event_malformed", (await StripeTestHost.ProblemAsync(response)).GetProperty("code").GetString());
        Assert.Equal(0, await database.ScalarAsync("SELECT count(*) FROM inbox_events WHERE event_id = 'evt_no_type_here'"));
    }

    [Fact]
    public async Task ABodyOverTheLimit_Answers413()
    {
        var payload = Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 300 * 1024) + "\"}");
        var response = await _host.PostWebhookAsync(payload, _host.Stripe.SignatureHeader(payload));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task AnUnknownEventType_IsAcknowledged_AndRecordedAsIgnored()
    {
        var eventId = await _host.DeliverPayloadAsync(_host.Stripe.BuildEvent("radar.early_fraud_warning.created", """{"id":"issfr_1","object":"radar.early_fraud_warning"}"""));
        await _host.ProcessInboxAsync();

        var row = await _host.InboxRowAsync(eventId);
        Assert.Equal(InboxStatus.Ignored, row.Status);
        Assert.Contains("not handled", row.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALiveModeEvent_ReachingATestModeService_IsRecordedAsIgnored()
    {
        var json = Encoding.UTF8.GetString(_host.Stripe.BuildEvent("invoice.paid", """{"id":"in_live","object":"invoice"}""")).Replace("\"livemode\":false", "\"livemode\":true", StringComparison.Ordinal);
        var eventId = await _host.DeliverPayloadAsync(Encoding.UTF8.GetBytes(json));
        await _host.ProcessInboxAsync();

        var row = await _host.InboxRowAsync(eventId);
        Assert.Equal(InboxStatus.Ignored, row.Status);
        Assert.Contains("live-mode event", row.LastError, StringComparison.Ordinal);
        Assert.Empty(_host.Stripe.RequestsTo("GET", "/v1/invoices/in_live"));
    }

    [Fact]
    public async Task FiftyConcurrentDeliveriesOfOnePaidCheckoutEvent_StoreOneEvent_AndGrantOnce()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Creator.Id);
        _host.Stripe.MarkSessionPaid(sessionId);
        var payload = _host.Stripe.BuildEventForObject("checkout.session.completed", sessionId);

        // Each delivery freshly signed, as Stripe does for every attempt.
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _host.PostWebhookAsync(payload, _host.Stripe.SignatureHeader(payload))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var duplicates = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean()));
        Assert.Equal(49, duplicates.Count(d => d));
        var eventId = JsonDocument.Parse(payload).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM inbox_events WHERE event_id = '{eventId}'"));

        // Several processors racing for the one row: one processes it.
        var id = await _host.InboxIdAsync(eventId);
        await _host.ProcessConcurrentlyAsync(Enumerable.Repeat(id, 8));

        var grant = Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal(150, grant.Amount);
        Assert.Equal(GrantKey.ForStripeCheckoutSession(sessionId), grant.GrantKey);
        Assert.Equal(TransactionType.StripePurchase, grant.TransactionType);
        Assert.Equal(InboxStatus.Processed, (await _host.InboxRowAsync(eventId)).Status);
    }
}
