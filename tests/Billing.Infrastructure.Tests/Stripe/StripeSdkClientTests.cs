using System.Net;
using Billing.Application.Abstractions.Stripe;

namespace Billing.Infrastructure.Tests.Stripe;

/// <summary>The Stripe port over Stripe.net, against the Stripe fake: what goes on the wire, retries, idempotency keys, errors.</summary>
public sealed class StripeSdkClientTests : StripeFakeTestBase
{
    private static StripeCheckoutSessionCreate PaymentSession() => new()
    {
        Mode = StripeCheckoutModes.Payment,
        ClientReferenceId = "user-42",
        SuccessUrl = "https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}",
        CancelUrl = "https://app.example.com/billing/cancel",
        LineItems =
        [
            new StripeCheckoutLineItem
            {
                Quantity = 1,
                PriceData = new StripeCheckoutPriceData { Currency = "usd", UnitAmount = 999, ProductName = "Explorer: 50 credits" },
            },
        ],
        Metadata = new Dictionary<string, string> { ["user_id"] = "42", ["product_id"] = "com.timepoint.flash.credits.50" },
        PaymentIntentMetadata = new Dictionary<string, string> { ["user_id"] = "42" },
    };

    private StripeCheckoutSessionCreate SubscriptionSession(string customerId) => new()
    {
        Mode = StripeCheckoutModes.Subscription,
        Customer = customerId,
        ClientReferenceId = "user-42",
        SuccessUrl = "https://app.example.com/billing/success",
        CancelUrl = "https://app.example.com/billing/cancel",
        LineItems =
        [
            new StripeCheckoutLineItem
            {
                PriceData = new StripeCheckoutPriceData
                {
                    Currency = "usd",
                    UnitAmount = 1999,
                    ProductName = "Creator",
                    RecurringInterval = "month",
                },
            },
        ],
        Metadata = new Dictionary<string, string> { ["user_id"] = "42", ["product_id"] = "com.timepoint.flash.sub.creator" },
        SubscriptionMetadata = new Dictionary<string, string> { ["user_id"] = "42", ["tier"] = "creator" },
    };

    [Fact]
    public async Task CreateCheckoutSession_PaymentMode_SendsEncodedFields_AndRoundTrips()
    {
        var client = CreateClient();

        var session = await client.CreateCheckoutSessionAsync(PaymentSession(), "checkout-user-42-credits50-a1");

        Assert.StartsWith("cs_test_", session.Id, StringComparison.Ordinal);
        Assert.Equal("payment", session.Mode);
        Assert.Equal("open", session.Status);
        Assert.Equal("unpaid", session.PaymentStatus);
        Assert.False(session.IsPaymentSettled);
        Assert.NotNull(session.Url);
        Assert.Equal(999, session.AmountTotal);
        Assert.Equal("42", session.Metadata["user_id"]);

        var request = Assert.Single(Fake.RequestsTo("POST", "/v1/checkout/sessions"));
        Assert.Equal("checkout-user-42-credits50-a1", request.IdempotencyKey);
        Assert.Equal(StripeApiVersions.Pinned, request.StripeVersion);
        Assert.StartsWith("application/x-www-form-urlencoded", request.ContentType, StringComparison.Ordinal);
        Assert.Equal("payment", request.Field("mode"));
        Assert.Equal("user-42", request.Field("client_reference_id"));
        Assert.Equal("usd", request.Field("line_items[0][price_data][currency]"));
        Assert.Equal("999", request.Field("line_items[0][price_data][unit_amount]"));
        Assert.Equal("Explorer: 50 credits", request.Field("line_items[0][price_data][product_data][name]"));
        Assert.Equal("1", request.Field("line_items[0][quantity]"));
        Assert.Equal("42", request.Field("metadata[user_id]"));
        Assert.Equal("com.timepoint.flash.credits.50", request.Field("metadata[product_id]"));
        Assert.Equal("42", request.Field("payment_intent_data[metadata][user_id]"));
        Assert.Equal("https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}", request.Field("success_url"));
        Assert.False(request.HasField("line_items[0][price_data][recurring][interval]"));
        Assert.Contains("line_items[0][price_data][unit_amount]=999", request.RawBody, StringComparison.Ordinal);

        var paid = Fake.MarkSessionPaid(session.Id);
        var fetched = await client.GetCheckoutSessionAsync(session.Id);
        Assert.Equal("complete", fetched.Status);
        Assert.Equal("paid", fetched.PaymentStatus);
        Assert.True(fetched.IsPaymentSettled);
        Assert.Equal(paid.PaymentIntentId, fetched.PaymentIntentId);
        Assert.Null(fetched.Url);

        var charge = await client.GetChargeAsync(paid.ChargeId!);
        Assert.Equal(999, charge.Amount);
        Assert.Equal("42", charge.Metadata["user_id"]);
    }

    [Fact]
    public async Task CreateCheckoutSession_SubscriptionMode_SendsRecurringAndSubscriptionMetadata_AndRoundTrips()
    {
        var client = CreateClient();
        var customer = await client.CreateCustomerAsync(
            new StripeCustomerCreate { Email = "a@example.com", Metadata = new Dictionary<string, string> { ["user_id"] = "42" } },
            "customer-create-42");

        var session = await client.CreateCheckoutSessionAsync(SubscriptionSession(customer.Id), "checkout-user-42-creator-a1");

        Assert.Equal("subscription", session.Mode);
        Assert.Equal(customer.Id, session.CustomerId);
        var request = Assert.Single(Fake.RequestsTo("POST", "/v1/checkout/sessions"));
        Assert.Equal("subscription", request.Field("mode"));
        Assert.Equal(customer.Id, request.Field("customer"));
        Assert.Equal("month", request.Field("line_items[0][price_data][recurring][interval]"));
        Assert.Equal("1999", request.Field("line_items[0][price_data][unit_amount]"));
        Assert.Equal("42", request.Field("subscription_data[metadata][user_id]"));
        Assert.Equal("creator", request.Field("subscription_data[metadata][tier]"));
        Assert.False(request.HasField("payment_intent_data[metadata][user_id]"));

        var paid = Fake.MarkSessionPaid(session.Id);
        var fetched = await client.GetCheckoutSessionAsync(session.Id);
        Assert.Equal(paid.SubscriptionId, fetched.SubscriptionId);
        Assert.Equal(paid.InvoiceId, fetched.InvoiceId);

        var subscription = await client.GetSubscriptionAsync(paid.SubscriptionId!);
        Assert.Equal("active", subscription.Status);
        Assert.Equal("creator", subscription.Metadata["tier"]);
        Assert.NotNull(subscription.CurrentPeriodStart);
        Assert.True(subscription.CurrentPeriodEnd > subscription.CurrentPeriodStart);

        var invoice = await client.GetInvoiceAsync(paid.InvoiceId!);
        Assert.Equal("subscription_create", invoice.BillingReason);
        Assert.Equal(paid.SubscriptionId, invoice.SubscriptionId);
        Assert.True(invoice.Paid);
        Assert.Equal(1999, invoice.AmountPaid);
        Assert.Equal(subscription.CurrentPeriodStart, invoice.PeriodStart);
        Assert.Equal("42", invoice.SubscriptionMetadata["user_id"]);
    }

    [Fact]
    public async Task CreateCheckoutSession_InvalidCombinations_FailBeforeTheNetwork()
    {
        var client = CreateClient();
        var recurringInPaymentMode = PaymentSession() with
        {
            LineItems = [new StripeCheckoutLineItem { PriceData = new StripeCheckoutPriceData { Currency = "usd", UnitAmount = 1, ProductName = "x", RecurringInterval = "month" } }],
        };

        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateCheckoutSessionAsync(recurringInPaymentMode, "k1"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateCheckoutSessionAsync(PaymentSession() with { Mode = "setup" }, "k2"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateCheckoutSessionAsync(PaymentSession(), " "));
        Assert.Empty(Fake.Requests);
    }

    [Fact]
    public async Task Post_RetriesWithTheSameIdempotencyKey_OnServerErrors()
    {
        var client = CreateClient(maxRetries: 2);
        Fake.FailNext(2, 500);

        var customer = await client.CreateCustomerAsync(new StripeCustomerCreate { Email = "r@example.com" }, "customer-create-retry");

        var attempts = Fake.RequestsTo("POST", "/v1/customers");
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, attempt => Assert.Equal("customer-create-retry", attempt.IdempotencyKey));
        Assert.All(attempts, attempt => Assert.Equal(attempts[0].RawBody, attempt.RawBody));
        Assert.Equal("r@example.com", customer.Email);
    }

    [Fact]
    public async Task ASuccessStatusWithAnUnreadableObject_IsUnavailable_AndNotRetried()
    {
        var client = CreateClient(maxRetries: 2);
        Fake.FailNext(1, 200, pathPrefix: "/v1/subscriptions/");

        var failure = await Assert.ThrowsAsync<StripeUnavailableException>(() => client.GetSubscriptionAsync("sub_unreadable"));

        Assert.Equal(1, failure.Attempts);
        Assert.Single(Fake.RequestsTo("GET", "/v1/subscriptions/sub_unreadable"));
    }

    [Fact]
    public async Task Post_429ThenSuccess()
    {
        var client = CreateClient();
        Fake.FailNext(1, 429);

        var portal = await client.CreatePortalSessionAsync(Fake.CreateCustomer(), "https://app.example.com/account", "portal-1");

        Assert.StartsWith("https://", portal.Url, StringComparison.Ordinal);
        var attempts = Fake.RequestsTo("POST", "/v1/billing_portal/sessions");
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, attempt => Assert.Equal("portal-1", attempt.IdempotencyKey));
    }

    [Fact]
    public async Task Post_409IsRetried()
    {
        var client = CreateClient();
        Fake.FailNext(1, 409, errorType: "invalid_request_error", errorCode: "lock_timeout");

        await client.CreateCustomerAsync(new StripeCustomerCreate(), "customer-409");

        Assert.Equal(2, Fake.RequestsTo("POST", "/v1/customers").Count);
    }

    [Fact]
    public async Task Retries_Exhausted_ThrowUnavailable_WithLastStatus()
    {
        var client = CreateClient(maxRetries: 2);
        Fake.FailNext(5, 503);

        var exception = await Assert.ThrowsAsync<StripeUnavailableException>(
            () => client.CreateCustomerAsync(new StripeCustomerCreate(), "customer-503"));

        Assert.Equal(3, exception.Attempts);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, exception.LastStatusCode);
        Assert.Equal(StripeFailureKind.Unavailable, exception.Kind);
        Assert.Equal(3, Fake.RequestsTo("POST", "/v1/customers").Count);
    }

    [Fact]
    public async Task ShouldRetryFalse_StopsRetrying_EvenOn500()
    {
        var client = CreateClient(maxRetries: 2);
        Fake.FailNext(3, 500, shouldRetry: false);

        var exception = await Assert.ThrowsAsync<StripeUnavailableException>(
            () => client.CreateCustomerAsync(new StripeCustomerCreate(), "customer-no-retry"));

        Assert.Equal(1, exception.Attempts);
        Assert.False(((StripeApiException)exception.InnerException!).ShouldRetryHeader);
        Assert.Single(Fake.RequestsTo("POST", "/v1/customers"));
    }

    [Fact]
    public async Task ShouldRetryTrue_RetriesAnOtherwiseFinalStatus()
    {
        var client = CreateClient(maxRetries: 2);
        Fake.FailNext(1, 400, shouldRetry: true);

        await client.CreateCustomerAsync(new StripeCustomerCreate(), "customer-retry-400");

        Assert.Equal(2, Fake.RequestsTo("POST", "/v1/customers").Count);
    }

    [Fact]
    public async Task BadRequest_IsNotRetried_AndCarriesStripeErrorFields()
    {
        var client = CreateClient();
        var invalidCustomer = PaymentSession() with { Customer = "cus_does_not_exist" };

        var exception = await Assert.ThrowsAsync<StripeApiException>(
            () => client.CreateCheckoutSessionAsync(invalidCustomer, "checkout-bad-customer"));

        Assert.Equal(HttpStatusCode.BadRequest, exception.StatusCode);
        Assert.Equal("invalid_request_error", exception.Type);
        Assert.Equal("resource_missing", exception.Code);
        Assert.Equal("customer", exception.Param);
        Assert.Contains("No such customer", exception.StripeMessage, StringComparison.Ordinal);
        Assert.StartsWith("req_", exception.RequestId, StringComparison.Ordinal);
        Assert.Equal(StripeFailureKind.InvalidRequest, exception.Kind);
        Assert.Single(Fake.RequestsTo("POST", "/v1/checkout/sessions"));
    }

    [Fact]
    public async Task NotFound_IsInvalidRequest()
    {
        var client = CreateClient();

        var exception = await Assert.ThrowsAsync<StripeApiException>(() => client.GetSubscriptionAsync("sub_missing"));

        Assert.True(exception.IsNotFound);
        Assert.Equal(StripeFailureKind.InvalidRequest, exception.Kind);
        Assert.Single(Fake.Requests);
    }

    [Fact]
    public async Task WrongKey_IsRejected_NotRetried()
    {
        var client = CreateClient(secretKey: "sk_test_wrong");

        var exception = await Assert.ThrowsAsync<StripeApiException>(() => client.GetInvoiceAsync("in_x"));

        Assert.Equal(HttpStatusCode.Unauthorized, exception.StatusCode);
        Assert.Equal(StripeFailureKind.Rejected, exception.Kind);
        Assert.DoesNotContain("sk_test_wrong", exception.Message, StringComparison.Ordinal);
        Assert.Single(Fake.Requests);
        Assert.False(Fake.Requests[0].Authenticated);
    }

    [Fact]
    public async Task Timeout_IsRetried_ThenUnavailable()
    {
        var client = CreateClient(maxRetries: 1, timeout: TimeSpan.FromMilliseconds(300));
        Fake.DelayNext(2, TimeSpan.FromSeconds(5));

        var exception = await Assert.ThrowsAsync<StripeUnavailableException>(
            () => client.CreateCustomerAsync(new StripeCustomerCreate(), "customer-timeout"));

        Assert.Equal(2, exception.Attempts);
        Assert.IsType<TimeoutException>(exception.InnerException);
        Assert.Null(exception.LastStatusCode);
        var attempts = Fake.RequestsTo("POST", "/v1/customers");
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, attempt => Assert.Equal("customer-timeout", attempt.IdempotencyKey));
    }

    [Fact]
    public async Task Timeout_ThenSuccess()
    {
        var client = CreateClient(maxRetries: 2, timeout: TimeSpan.FromMilliseconds(300));
        Fake.DelayNext(1, TimeSpan.FromSeconds(5));

        var customer = await client.CreateCustomerAsync(new StripeCustomerCreate { Name = "T" }, "customer-timeout-ok");

        Assert.Equal("T", customer.Name);
    }

    [Fact]
    public async Task ConnectionRefused_IsUnavailable()
    {
        var client = CreateClient(maxRetries: 1);
        await Fake.DisposeAsync();

        var exception = await Assert.ThrowsAsync<StripeUnavailableException>(() => client.GetChargeAsync("ch_1"));

        Assert.Equal(2, exception.Attempts);
        Assert.IsType<HttpRequestException>(exception.InnerException);
        await InitializeAsync(); // so the base class can dispose a live fake
    }

    [Fact]
    public async Task CallerCancellation_IsNotTurnedIntoUnavailable()
    {
        var client = CreateClient(timeout: TimeSpan.FromSeconds(10));
        Fake.DelayNext(1, TimeSpan.FromSeconds(5));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.CreateCustomerAsync(new StripeCustomerCreate(), "customer-cancel", cancellation.Token));
        Assert.Single(Fake.RequestsTo("POST", "/v1/customers"));
    }

    [Fact]
    public async Task GetCharge_ExpandsRefunds()
    {
        var client = CreateClient();
        var chargeId = Fake.CreateCharge(2499, metadata: new Dictionary<string, string> { ["user_id"] = "42" });
        var refundId = Fake.Refund(chargeId, 1000);

        var charge = await client.GetChargeAsync(chargeId);

        // Stripe.net indexes arrays (expand[0]=refunds); Stripe accepts that and expand[]= alike.
        Assert.Equal("refunds", Fake.Requests[^1].QueryField("expand[0]"));
        Assert.Equal(1000, charge.AmountRefunded);
        Assert.False(charge.Refunded);
        Assert.Equal(refundId, Assert.Single(charge.Refunds).Id);

        Fake.Refund(chargeId, 1499);
        var fullyRefunded = await client.GetChargeAsync(chargeId);
        Assert.True(fullyRefunded.Refunded);
        Assert.Equal(2, fullyRefunded.Refunds.Count);
    }

    [Fact]
    public async Task Get_SendsNoIdempotencyKey_AndAuthenticates()
    {
        var client = CreateClient();
        var session = await client.CreateCheckoutSessionAsync(PaymentSession(), "checkout-get");

        await client.GetCheckoutSessionAsync(session.Id);

        var get = Assert.Single(Fake.RequestsTo("GET", $"/v1/checkout/sessions/{session.Id}"));
        Assert.Null(get.IdempotencyKey);
        Assert.True(get.Authenticated);
        Assert.Equal(StripeApiVersions.Pinned, get.StripeVersion);
    }
}
