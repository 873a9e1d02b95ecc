using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Application.Inbox;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.Infrastructure.Inbox;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Stripe;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Stripe;

/// <summary>
/// The real service (in-process, real HTTP pipeline, real PostgreSQL) pointed at a <see cref="StripeFake"/> on loopback.
/// Background workers are off by default: tests drive the inbox deterministically with <see cref="ProcessInboxAsync"/>.
/// </summary>
public sealed class StripeTestHost : IAsyncDisposable
{
    public const string SuccessUrl = "https://app.timepoint.test/billing/success";
    public const string CancelUrl = "https://app.timepoint.test/billing/cancel";

    private StripeTestHost(BillingDatabase database, StripeFake stripe, BillingApiFactory factory)
    {
        Database = database;
        Stripe = stripe;
        Factory = factory;
    }

    public BillingDatabase Database { get; }

    public StripeFake Stripe { get; }

    public BillingApiFactory Factory { get; }

    public static async Task<StripeTestHost> StartAsync(BillingDatabase database, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var stripe = await StripeFake.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["STRIPE_SECRET_KEY"] = stripe.SecretKey,
            ["STRIPE_WEBHOOK_SECRET"] = stripe.WebhookSecret,
            ["STRIPE_API_BASE"] = stripe.BaseUrl.ToString(),
            ["STRIPE_MAX_RETRIES"] = "1",
            ["STRIPE_TIMEOUT_SECONDS"] = "2",
            ["SUCCESS_URL"] = SuccessUrl,
            ["CANCEL_URL"] = CancelUrl,
            ["BACKGROUND_WORKERS"] = "false",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var factory = new BillingApiFactory(database.ConnectionString, settings);
        _ = factory.Server; // start the host (and migrate) now
        return new StripeTestHost(database, stripe, factory);
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Stripe.DisposeAsync();
    }

    public static string NewUser() => "user-" + Guid.NewGuid().ToString("N");

    public HttpClient Client(string? userId = null, string? email = null)
    {
        var client = Factory.CreateServiceClient(userId);
        if (email is not null)
        {
            client.DefaultRequestHeaders.Add("X-User-Email", email);
        }

        return client;
    }

    /// <summary>POST /internal/billing/stripe/checkout and the parsed answer (asserting 200).</summary>
    public async Task<(string SessionId, string CheckoutUrl)> CheckoutAsync(string userId, string productId, string? email = null)
    {
        var response = await Client(userId, email).PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = productId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"checkout answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("session_id").GetString()!, json.RootElement.GetProperty("checkout_url").GetString()!);
    }

    public async Task<HttpResponseMessage> PostWebhookAsync(byte[] payload, string? signatureHeader)
    {
        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = content };
        if (signatureHeader is not null)
        {
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signatureHeader);
        }

        return await Factory.CreateClient().SendAsync(request);
    }

    /// <summary>Builds an event carrying the fake's current state of <paramref name="objectId"/>, signs it, posts it (asserting 200); returns the event id.</summary>
    public async Task<string> DeliverAsync(string type, string objectId, DateTimeOffset? created = null, string? eventId = null)
    {
        var payload = Stripe.BuildEventForObject(type, objectId, eventId, created);
        return await DeliverPayloadAsync(payload);
    }

    public async Task<string> DeliverPayloadAsync(byte[] payload)
    {
        var response = await PostWebhookAsync(payload, Stripe.SignatureHeader(payload));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"webhook answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Delivers and processes one event; returns its inbox status.</summary>
    public async Task<InboxStatus> DeliverAndProcessAsync(string type, string objectId, DateTimeOffset? created = null)
    {
        var eventId = await DeliverAsync(type, objectId, created);
        await ProcessInboxAsync();
        return (await InboxRowAsync(eventId)).Status;
    }

    /// <summary>Processes every due Stripe inbox row once, oldest first, the way the background service does (failures recorded for retry).</summary>
    public async Task ProcessInboxAsync()
    {
        var processor = ActivatorUtilities.CreateInstance<InboxProcessorService>(Factory.Services);
        foreach (var (id, traceParent) in await DueInboxRowsAsync())
        {
            await processor.ProcessOne(id, CancellationToken.None, traceParent);
        }
    }

    /// <summary>Processes the given rows all at once (as several instances would).</summary>
    public async Task ProcessConcurrentlyAsync(IEnumerable<long> inboxIds)
    {
        var processor = ActivatorUtilities.CreateInstance<InboxProcessorService>(Factory.Services);
        await Task.WhenAll(inboxIds.Select(id => Task.Run(() => processor.ProcessOne(id, CancellationToken.None))));
    }

    /// <summary>Makes rows waiting for a retry due now (skips the backoff).</summary>
    public async Task MakeRetriesDueAsync()
    {
        await using var command = Database.DataSource.CreateCommand("UPDATE inbox_events SET next_attempt_at = now() - interval '1 second' WHERE status = 'received'");
        await command.ExecuteNonQueryAsync();
    }

    public async Task<InboxEvent> InboxRowAsync(string eventId)
    {
        await using var db = Database.CreateContext();
        return await db.InboxEvents.AsNoTracking().SingleAsync(e => e.Provider == InboxProviders.Stripe && e.EventId == eventId);
    }

    public async Task<long> InboxIdAsync(string eventId) => (await InboxRowAsync(eventId)).Id;

    public async Task<List<CreditGrant>> GrantsAsync(string userId)
    {
        await using var db = Database.CreateContext();
        var user = UserId.From(userId);
        return await db.CreditGrants.AsNoTracking().Where(g => g.UserId == user).OrderBy(g => g.CreatedAt).ThenBy(g => g.Amount).ToListAsync();
    }

    private async Task<List<(long Id, string? TraceParent)>> DueInboxRowsAsync()
    {
        await using var command = Database.DataSource.CreateCommand("SELECT id, trace_parent FROM inbox_events WHERE provider = 'stripe' AND status = 'received' AND next_attempt_at <= now() ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, string?)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        return rows;
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

}
