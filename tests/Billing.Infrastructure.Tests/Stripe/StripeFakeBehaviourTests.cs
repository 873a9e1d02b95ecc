using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Billing.Application.Abstractions.Stripe;
using Billing.Infrastructure.Stripe;
using Stripe;

namespace Billing.Infrastructure.Tests.Stripe;

/// <summary>The fake must reject what real Stripe rejects, or adapter bugs would pass unnoticed.</summary>
public sealed class StripeFakeBehaviourTests : StripeFakeTestBase
{
    private HttpRequestMessage Post(string path, string body, string? idempotencyKey = "key-1", string contentType = "application/x-www-form-urlencoded")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Fake.BaseUrl, path))
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Fake.SecretKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpRequestMessage request)
    {
        using var client = new HttpClient();
        var response = await client.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, body, response);
    }

    private static string ErrorType(JsonElement body) => body.GetProperty("error").GetProperty("type").GetString()!;

    [Fact]
    public async Task MissingOrWrongBearer_Is401WithStripeErrorJson()
    {
        var request = Post("/v1/customers", "email=a%40b.c");
        request.Headers.Authorization = null;

        var (status, body, _) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_request_error", ErrorType(body));
    }

    [Fact]
    public async Task JsonBody_IsRejected()
    {
        var (status, body, _) = await SendAsync(Post("/v1/customers", """{"email":"a@b.c"}""", contentType: "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request_error", ErrorType(body));
    }

    [Theory]
    [InlineData("metadata[user_id=42")]
    [InlineData("metadata]x[=1")]
    [InlineData("{\"email\":\"x\"}")]
    public async Task MalformedKeys_AreRejected(string body)
    {
        var (status, _, _) = await SendAsync(Post("/v1/customers", body));

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task UnknownParameter_AndMissingRequired_AreRejected()
    {
        var (unknownStatus, unknownBody, _) = await SendAsync(Post("/v1/customers", "emial=a", "k-unknown"));
        var (missingStatus, missingBody, _) = await SendAsync(Post(
            "/v1/checkout/sessions", "mode=payment&success_url=https%3A%2F%2Fx.test%2Fs", "k-missing"));
        var (decimalStatus, decimalBody, _) = await SendAsync(Post(
            "/v1/checkout/sessions",
            "mode=payment&success_url=https%3A%2F%2Fx.test%2Fs&line_items[0][quantity]=1&line_items[0][price_data][currency]=usd"
            + "&line_items[0][price_data][unit_amount]=9,99&line_items[0][price_data][product_data][name]=x",
            "k-decimal"));

        Assert.Equal(HttpStatusCode.BadRequest, unknownStatus);
        Assert.Equal("emial", unknownBody.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, missingStatus);
        Assert.Equal("parameter_missing", missingBody.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, decimalStatus);
        Assert.Equal("parameter_invalid_integer", decimalBody.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task PostWithoutIdempotencyKey_IsRejected()
    {
        var (status, _, _) = await SendAsync(Post("/v1/customers", "email=a", idempotencyKey: null));

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task SameKeySameBody_ReplaysFirstResponse_SameKeyOtherBody_IsIdempotencyError()
    {
        var (_, first, _) = await SendAsync(Post("/v1/customers", "email=a%40b.c", "cust-1"));
        var (replayStatus, replay, replayResponse) = await SendAsync(Post("/v1/customers", "email=a%40b.c", "cust-1"));
        var (conflictStatus, conflict, _) = await SendAsync(Post("/v1/customers", "email=other%40b.c", "cust-1"));

        Assert.Equal(HttpStatusCode.OK, replayStatus);
        Assert.Equal(first.GetProperty("id").GetString(), replay.GetProperty("id").GetString());
        Assert.Equal("true", replayResponse.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(HttpStatusCode.BadRequest, conflictStatus);
        Assert.Equal("idempotency_error", ErrorType(conflict));
    }

    [Fact]
    public async Task FaultsAreScopedByPathPrefix()
    {
        var client = CreateClient(maxRetries: 0);
        Fake.FailNext(1, 500, pathPrefix: "/v1/invoices");

        await client.CreateCustomerAsync(new StripeCustomerCreate(), "c-1");
        await Assert.ThrowsAsync<StripeUnavailableException>(() => client.GetInvoiceAsync("in_x"));
    }

    [Fact]
    public async Task Events_CarryCurrentObjectState_InPinnedShape_AndVerifyWithOurVerifier()
    {
        var client = CreateClient();
        var customer = Fake.CreateCustomer("a@example.com");
        var session = await client.CreateCheckoutSessionAsync(
            new StripeCheckoutSessionCreate
            {
                Mode = StripeCheckoutModes.Subscription,
                Customer = customer,
                SuccessUrl = "https://app.example.com/s",
                CancelUrl = "https://app.example.com/c",
                LineItems = [new StripeCheckoutLineItem { PriceData = new StripeCheckoutPriceData { Currency = "usd", UnitAmount = 799, ProductName = "Explorer", RecurringInterval = "month" } }],
                SubscriptionMetadata = new Dictionary<string, string> { ["user_id"] = "42" },
            },
            "checkout-events");
        var paid = Fake.MarkSessionPaid(session.Id);
        var firstPeriodEnd = (await client.GetSubscriptionAsync(paid.SubscriptionId!)).CurrentPeriodEnd;

        var renewalInvoiceId = Fake.RenewSubscription(paid.SubscriptionId!);
        var payload = Fake.BuildEventForObject("invoice.paid", renewalInvoiceId);
        var header = Fake.SignatureHeader(payload);

        Assert.Equal(
            StripeSignatureVerificationResult.Valid,
            new StripeWebhookVerifier(new StripeOptions { SecretKey = Fake.SecretKey, WebhookSecret = Fake.WebhookSecret }, TimeProvider.System).Verify(payload, header));
        Assert.True(new StripeEventReader().TryRead(payload, out var envelope, out _));
        Assert.Equal("invoice.paid", envelope.Type);
        Assert.Equal(StripeApiVersions.Pinned, envelope.ApiVersion);
        Assert.False(DataObject(payload).TryGetProperty("subscription", out _)); // basil+: under parent only
        Assert.False(DataObject(payload).TryGetProperty("paid", out _));
        var invoice = StripeSdkMapping.Invoice(Sdk<global::Stripe.Invoice>(DataObject(payload)));
        Assert.Equal("subscription_cycle", invoice.BillingReason);
        Assert.Equal(paid.SubscriptionId, invoice.SubscriptionId);
        Assert.True(invoice.Paid);
        Assert.Equal(firstPeriodEnd, invoice.PeriodStart);
        Assert.Equal("42", invoice.SubscriptionMetadata["user_id"]);

        Fake.CancelAtPeriodEnd(paid.SubscriptionId!);
        var updated = StripeSdkMapping.Subscription(Sdk<global::Stripe.Subscription>(DataObject(
            Fake.BuildEventForObject("customer.subscription.updated", paid.SubscriptionId!, previousAttributesJson: """{"cancel_at_period_end":false}"""))));
        Assert.True(updated.CancelAtPeriodEnd);
        Assert.Equal(invoice.PeriodEnd, updated.CurrentPeriodEnd);

        Fake.ExpireSubscription(paid.SubscriptionId!);
        var deleted = StripeSdkMapping.Subscription(Sdk<global::Stripe.Subscription>(DataObject(
            Fake.BuildEventForObject("customer.subscription.deleted", paid.SubscriptionId!))));
        Assert.Equal("canceled", deleted.Status);
        Assert.Equal(updated.CurrentPeriodEnd, deleted.EndedAt);
    }

    [Fact]
    public async Task FailedRenewal_MakesSubscriptionPastDue_AndInvoiceOpen()
    {
        var subscriptionId = await SeedPaidSubscriptionAsync();

        var invoiceId = Fake.RenewSubscription(subscriptionId, paid: false);

        var invoice = StripeSdkMapping.Invoice(StripeEntity.FromJson<global::Stripe.Invoice>(Fake.GetObjectJson(invoiceId)));
        var subscription = StripeSdkMapping.Subscription(StripeEntity.FromJson<global::Stripe.Subscription>(Fake.GetObjectJson(subscriptionId)));
        Assert.False(invoice.Paid);
        Assert.Equal("open", invoice.Status);
        Assert.NotNull(invoice.NextPaymentAttempt);
        Assert.Equal("past_due", subscription.Status);

        Fake.PayInvoice(invoiceId);
        Assert.Equal("active", StripeSdkMapping.Subscription(StripeEntity.FromJson<global::Stripe.Subscription>(Fake.GetObjectJson(subscriptionId))).Status);
    }

    [Fact]
    public void Refunds_AndDisputes_AppearInEvents()
    {
        var chargeId = Fake.CreateCharge(2499);
        Fake.Refund(chargeId, 500);
        var disputeId = Fake.CreateDispute(chargeId);

        var charge = StripeSdkMapping.Charge(Sdk<global::Stripe.Charge>(DataObject(Fake.BuildEventForObject("charge.refunded", chargeId))));
        var dispute = StripeSdkMapping.Dispute(Sdk<global::Stripe.Dispute>(DataObject(Fake.BuildEventForObject("charge.dispute.created", disputeId))));

        Assert.Equal(500, charge.AmountRefunded);
        Assert.Empty(charge.Refunds); // includable: not in webhook payloads
        Assert.True(charge.Disputed);
        Assert.Equal(chargeId, dispute.ChargeId);
        Assert.Equal(2499, dispute.Amount);
        Assert.Throws<InvalidOperationException>(() => Fake.Refund(chargeId, 2000));
    }

    private async Task<string> SeedPaidSubscriptionAsync()
    {
        var session = await CreateClient().CreateCheckoutSessionAsync(
            new StripeCheckoutSessionCreate
            {
                Mode = StripeCheckoutModes.Subscription,
                SuccessUrl = "https://app.example.com/s",
                CancelUrl = "https://app.example.com/c",
                LineItems = [new StripeCheckoutLineItem { PriceData = new StripeCheckoutPriceData { Currency = "usd", UnitAmount = 4999, ProductName = "Studio", RecurringInterval = "month" } }],
            },
            "checkout-seed");
        return Fake.MarkSessionPaid(session.Id).SubscriptionId!;
    }

    private static JsonElement DataObject(byte[] payload) =>
        JsonDocument.Parse(payload).RootElement.GetProperty("data").GetProperty("object").Clone();

    /// <summary>An event's object read by Stripe.net, as the adapter reads API answers.</summary>
    private static T Sdk<T>(JsonElement dataObject)
        where T : IStripeEntity => StripeEntity.FromJson<T>(dataObject.GetRawText());
}
