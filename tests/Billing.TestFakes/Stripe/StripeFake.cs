using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.TestFakes.Stripe;

/// <summary>
/// A stateful stand-in for Stripe's REST API on a real loopback Kestrel port. It checks what real Stripe checks
/// (bearer key, form encoding, required and unknown parameters, idempotency-key reuse), keeps customers,
/// sessions, subscriptions, invoices, charges, refunds and disputes, records every request, injects faults, and
/// builds signed webhook events carrying the current object state in the basil+ (pinned-version) shape.
/// </summary>
public sealed partial class StripeFake : IAsyncDisposable
{
    public const string DefaultSecretKey = "sk_test_fake_4eC39HqLyjWDarjtT1zdp7dc";
    public const string DefaultWebhookSecret = "whsec_fake_test_secret";

    /// <summary>Same as Billing's <c>StripeApiVersions.Pinned</c> (TestFakes does not reference the service).</summary>
    public const string DefaultApiVersion = "2026-10-28.endive";

    private const long SecondsPerMonth = 30L * 86_400;

    private readonly object _gate = new();
    private readonly WebApplication _app;
    private readonly StripeFakeOptions _options;
    private readonly List<StripeFakeRequest> _requests = [];
    private readonly List<FaultRule> _faults = [];
    private readonly Dictionary<string, IdempotentResponse> _idempotency = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeCustomer> _customers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeCheckoutSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeInvoice> _invoices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeCharge> _charges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeRefund> _refunds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeDispute> _disputes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _events = new(StringComparer.Ordinal);
    private readonly List<LoggedEvent> _eventLog = [];
    private readonly Dictionary<string, string> _invoiceCharges = new(StringComparer.Ordinal);
    private long _sequence;

    // Ids are unique across fake instances too, so tests that share one database never collide on a provider id.
    private readonly string _idTag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private StripeFake(WebApplication app, StripeFakeOptions options)
    {
        _app = app;
        _options = options;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public string SecretKey => _options.SecretKey;

    public string WebhookSecret => _options.WebhookSecret;

    public string ApiVersion => _options.ApiVersion;

    /// <summary>Snapshot of every request received, oldest first.</summary>
    public IReadOnlyList<StripeFakeRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<StripeFake> StartAsync(
        StripeFakeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new StripeFakeOptions();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new StripeFake(app, options);
        app.Run(fake.HandleAsync);
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public IReadOnlyList<StripeFakeRequest> RequestsTo(string method, string path) =>
        Requests.Where(request => request.Method == method && request.Path == path).ToArray();

    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    // ---------------------------------------------------------------- fault injection

    /// <summary>
    /// The next <paramref name="count"/> requests (optionally only those whose path starts with
    /// <paramref name="pathPrefix"/>) are answered with <paramref name="statusCode"/> and Stripe error JSON, before
    /// any processing. <paramref name="shouldRetry"/> sets <c>Stripe-Should-Retry</c>.
    /// </summary>
    public void FailNext(
        int count,
        int statusCode,
        bool? shouldRetry = null,
        string? pathPrefix = null,
        string? errorType = null,
        string? errorCode = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_gate)
        {
            _faults.Add(new FaultRule(count, pathPrefix, statusCode, shouldRetry, errorType, errorCode, Delay: null));
        }
    }

    /// <summary>The next <paramref name="count"/> matching requests wait <paramref name="delay"/> before normal processing.</summary>
    public void DelayNext(int count, TimeSpan delay, string? pathPrefix = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_gate)
        {
            _faults.Add(new FaultRule(count, pathPrefix, StatusCode: 0, ShouldRetry: null, ErrorType: null, ErrorCode: null, delay));
        }
    }

    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    // ---------------------------------------------------------------- state helpers

    public DateTimeOffset Now => _options.TimeProvider.GetUtcNow();

    public string CreateCustomer(string? email = null, string? name = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        lock (_gate)
        {
            return AddCustomer(email, name, metadata is null ? [] : new Dictionary<string, string>(metadata)).Id;
        }
    }

    public IReadOnlyList<string> CheckoutSessionIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _sessions.Keys];
            }
        }
    }

    /// <summary>
    /// Completes a session as if the customer paid. Payment mode: a PaymentIntent and a Charge. Subscription mode:
    /// a Customer when none was given, an active Subscription (one-month period from now, metadata from
    /// <c>subscription_data[metadata]</c>) and its paid <c>subscription_create</c> Invoice with a Charge.
    /// </summary>
    public StripeFakePaidSession MarkSessionPaid(string sessionId)
    {
        lock (_gate)
        {
            var session = Find(_sessions, sessionId);
            if (session.Status != "open")
            {
                throw new InvalidOperationException($"Session {sessionId} is {session.Status}, not open.");
            }

            session.Status = "complete";
            session.PaymentStatus = "paid";
            var now = NowUnix();

            if (session.Mode == "payment")
            {
                var charge = AddCharge(session.AmountTotal, session.LineItems[0].Currency, session.CustomerId, session.PaymentIntentMetadata);
                session.PaymentIntentId = charge.PaymentIntentId;
                return new StripeFakePaidSession(session.Id, session.CustomerId, charge.PaymentIntentId, charge.Id, null, null);
            }

            session.CustomerId ??= AddCustomer(session.CustomerEmail, null, []).Id;
            var recurring = session.LineItems.FirstOrDefault(item => item.RecurringInterval is not null) ?? session.LineItems[0];
            var subscription = new FakeSubscription
            {
                Id = NewId("sub"),
                ItemId = NewId("si"),
                CustomerId = session.CustomerId,
                Item = recurring,
                Metadata = new Dictionary<string, string>(session.SubscriptionMetadata),
                Created = now,
                CurrentPeriodStart = now,
                CurrentPeriodEnd = now + SecondsPerMonth,
            };
            _subscriptions[subscription.Id] = subscription;
            var invoice = AddInvoice(subscription, "subscription_create", paid: true);
            session.SubscriptionId = subscription.Id;
            session.InvoiceId = invoice.Id;
            return new StripeFakePaidSession(
                session.Id, session.CustomerId, null, ChargeFor(invoice)?.Id, subscription.Id, invoice.Id);
        }
    }

    public void ExpireSession(string sessionId)
    {
        lock (_gate)
        {
            Find(_sessions, sessionId).Status = "expired";
        }
    }

    /// <summary>
    /// Starts the next billing period and invoices it (<c>subscription_cycle</c>). Paid: subscription active, charge
    /// created. Failed: invoice stays open with a retry scheduled, subscription <c>past_due</c>. Returns the invoice id.
    /// </summary>
    public string RenewSubscription(string subscriptionId, bool paid = true)
    {
        lock (_gate)
        {
            var subscription = Find(_subscriptions, subscriptionId);
            subscription.CurrentPeriodStart = subscription.CurrentPeriodEnd;
            subscription.CurrentPeriodEnd = subscription.CurrentPeriodStart + SecondsPerMonth;
            return AddInvoice(subscription, "subscription_cycle", paid).Id;
        }
    }

    /// <summary>Invoices the current period with any <paramref name="billingReason"/> (e.g. <c>subscription_update</c>).</summary>
    public string CreateInvoice(string subscriptionId, string billingReason, bool paid = true)
    {
        lock (_gate)
        {
            return AddInvoice(Find(_subscriptions, subscriptionId), billingReason, paid).Id;
        }
    }

    /// <summary>
    /// A plan change made outside our Checkout (billing portal, dashboard): the subscription moves to <paramref name="priceId"/>
    /// (an existing price, e.g. one configured in STRIPE_PRICE_MAP) at <paramref name="unitAmount"/>; the next invoices bill it.
    /// </summary>
    public void SwitchSubscriptionPrice(string subscriptionId, string priceId, long unitAmount)
    {
        lock (_gate)
        {
            var subscription = Find(_subscriptions, subscriptionId);
            subscription.Item = new FakeLineItem
            {
                PriceId = priceId,
                ProductId = $"prod_for_{priceId}",
                ProductName = priceId,
                Currency = subscription.Item.Currency,
                UnitAmount = unitAmount,
                Quantity = 1,
                RecurringInterval = "month",
            };
        }
    }

    /// <summary>Pays an open invoice (e.g. after a failed renewal); the subscription becomes active again.</summary>
    public void PayInvoice(string invoiceId)
    {
        lock (_gate)
        {
            var invoice = Find(_invoices, invoiceId);
            MarkInvoicePaid(invoice);
            invoice.Subscription.Status = "active";
        }
    }

    public void FailInvoicePayment(string invoiceId)
    {
        lock (_gate)
        {
            var invoice = Find(_invoices, invoiceId);
            invoice.Status = "open";
            invoice.AttemptCount++;
            invoice.NextPaymentAttempt = NowUnix() + (3 * 86_400);
            invoice.Subscription.Status = "past_due";
        }
    }

    public void SetSubscriptionStatus(string subscriptionId, string status)
    {
        lock (_gate)
        {
            Find(_subscriptions, subscriptionId).Status = status;
        }
    }

    /// <summary>Customer cancels in the portal: stays active until the period ends.</summary>
    public void CancelAtPeriodEnd(string subscriptionId)
    {
        lock (_gate)
        {
            var subscription = Find(_subscriptions, subscriptionId);
            subscription.CancelAtPeriodEnd = true;
            subscription.CancelAt = subscription.CurrentPeriodEnd;
            subscription.CanceledAt = NowUnix();
        }
    }

    public void ResumeSubscription(string subscriptionId)
    {
        lock (_gate)
        {
            var subscription = Find(_subscriptions, subscriptionId);
            subscription.CancelAtPeriodEnd = false;
            subscription.CancelAt = null;
            subscription.CanceledAt = null;
        }
    }

    /// <summary>Immediate cancellation: <c>canceled</c>, ended now.</summary>
    public void CancelSubscription(string subscriptionId)
    {
        lock (_gate)
        {
            var subscription = Find(_subscriptions, subscriptionId);
            var now = NowUnix();
            subscription.Status = "canceled";
            subscription.CanceledAt ??= now;
            subscription.EndedAt = now;
        }
    }

    /// <summary>The period ran out after a cancel-at-period-end: <c>canceled</c>, ended at the period end.</summary>
    public void ExpireSubscription(string subscriptionId)
    {
        lock (_gate)
        {
            var subscription = Find(_subscriptions, subscriptionId);
            subscription.Status = "canceled";
            subscription.CanceledAt ??= NowUnix();
            subscription.EndedAt = subscription.CurrentPeriodEnd;
        }
    }

    /// <summary>A standalone succeeded charge (with PaymentIntent); returns the charge id.</summary>
    public string CreateCharge(
        long amount, string currency = "usd", string? customerId = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        lock (_gate)
        {
            return AddCharge(amount, currency, customerId, metadata ?? new Dictionary<string, string>()).Id;
        }
    }

    /// <summary>Refunds part or all of a charge; returns the refund id.</summary>
    public string Refund(string chargeId, long amount, string reason = "requested_by_customer")
    {
        lock (_gate)
        {
            var charge = Find(_charges, chargeId);
            if (amount < 1 || amount > charge.Amount - charge.AmountRefunded)
            {
                throw new InvalidOperationException(
                    $"Cannot refund {amount}: charge {chargeId} has {charge.Amount - charge.AmountRefunded} left.");
            }

            var refund = new FakeRefund
            {
                Id = NewId("re"),
                ChargeId = charge.Id,
                PaymentIntentId = charge.PaymentIntentId,
                Amount = amount,
                Currency = charge.Currency,
                Reason = reason,
                Created = NowUnix(),
            };
            charge.Refunds.Add(refund);
            charge.AmountRefunded += amount;
            _refunds[refund.Id] = refund;
            return refund.Id;
        }
    }

    /// <summary>Opens a dispute on a charge (whole amount unless given); returns the dispute id.</summary>
    public string CreateDispute(string chargeId, long? amount = null, string reason = "fraudulent")
    {
        lock (_gate)
        {
            var charge = Find(_charges, chargeId);
            charge.Disputed = true;
            var dispute = new FakeDispute
            {
                Id = NewId("dp"),
                Charge = charge,
                Amount = amount ?? charge.Amount,
                Reason = reason,
                Created = NowUnix(),
            };
            _disputes[dispute.Id] = dispute;
            return dispute.Id;
        }
    }

    public void SetDisputeStatus(string disputeId, string status)
    {
        lock (_gate)
        {
            Find(_disputes, disputeId).Status = status;
        }
    }

    /// <summary>
    /// Current JSON of any object the fake holds, by id (<c>cus_</c>, <c>cs_</c>, <c>sub_</c>, <c>in_</c>, <c>ch_</c>,
    /// <c>re_</c>, <c>dp_</c>), as the API would return it (charges with refunds expanded, sessions without line items).
    /// </summary>
    public string GetObjectJson(string id)
    {
        lock (_gate)
        {
            return RenderObject(id, expand: ["refunds"]).ToJsonString();
        }
    }

    // ---------------------------------------------------------------- webhook events

    /// <summary>An event envelope around <paramref name="dataObjectJson"/>; also served by <c>GET /v1/events/{id}</c>.</summary>
    public byte[] BuildEvent(
        string type,
        string dataObjectJson,
        string? id = null,
        DateTimeOffset? created = null,
        string? previousAttributesJson = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        var dataObject = JsonNode.Parse(dataObjectJson) as JsonObject
            ?? throw new ArgumentException("data.object must be a JSON object.", nameof(dataObjectJson));
        lock (_gate)
        {
            return BuildEventCore(type, dataObject, id, created, previousAttributesJson);
        }
    }

    /// <summary>An event carrying the fake's current state of <paramref name="objectId"/> (as webhooks do: no expansions).</summary>
    public byte[] BuildEventForObject(
        string type,
        string objectId,
        string? id = null,
        DateTimeOffset? created = null,
        string? previousAttributesJson = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        lock (_gate)
        {
            return BuildEventCore(type, RenderObject(objectId, expand: []), id, created, previousAttributesJson);
        }
    }

    /// <summary>A valid <c>Stripe-Signature</c> value: <c>t={unix},v1={hex HMAC-SHA256(secret, "{t}." + payload)}</c>.</summary>
    public static string SignatureHeader(ReadOnlySpan<byte> payload, string secret, DateTimeOffset timestamp)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var unix = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var message = new byte[Encoding.UTF8.GetByteCount(unix) + 1 + payload.Length];
        var written = Encoding.UTF8.GetBytes(unix, message);
        message[written] = (byte)'.';
        payload.CopyTo(message.AsSpan(written + 1));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        return $"t={unix},v1={Convert.ToHexStringLower(signature)}";
    }

    /// <summary>Signed with this fake's <see cref="WebhookSecret"/> at <paramref name="timestamp"/> (default: now).</summary>
    public string SignatureHeader(byte[] payload, DateTimeOffset? timestamp = null) =>
        SignatureHeader(payload, WebhookSecret, timestamp ?? Now);

    // ---------------------------------------------------------------- internals

    private byte[] BuildEventCore(
        string type, JsonObject dataObject, string? id, DateTimeOffset? created, string? previousAttributesJson)
    {
        var data = new JsonObject { ["object"] = dataObject };
        if (previousAttributesJson is not null)
        {
            data["previous_attributes"] = JsonNode.Parse(previousAttributesJson);
        }

        var eventId = id ?? NewId("evt");
        var envelope = new JsonObject
        {
            ["id"] = eventId,
            ["object"] = "event",
            ["api_version"] = _options.ApiVersion,
            ["created"] = (created ?? Now).ToUnixTimeSeconds(),
            ["data"] = data,
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
        };
        var json = envelope.ToJsonString();
        if (!_events.ContainsKey(eventId))
        {
            _eventLog.Add(new LoggedEvent(eventId, envelope["created"]!.GetValue<long>(), type));
        }

        _events[eventId] = json;
        return Encoding.UTF8.GetBytes(json);
    }

    private JsonObject RenderObject(string id, IReadOnlyCollection<string> expand)
    {
        if (_customers.TryGetValue(id, out var customer))
        {
            return customer.Render();
        }

        if (_sessions.TryGetValue(id, out var session))
        {
            return session.Render(expand.Contains("line_items"));
        }

        if (_subscriptions.TryGetValue(id, out var subscription))
        {
            return subscription.Render();
        }

        if (_invoices.TryGetValue(id, out var invoice))
        {
            return invoice.Render();
        }

        if (_charges.TryGetValue(id, out var charge))
        {
            return charge.Render(expand.Contains("refunds"));
        }

        if (_refunds.TryGetValue(id, out var refund))
        {
            return refund.Render();
        }

        if (_disputes.TryGetValue(id, out var dispute))
        {
            return dispute.Render();
        }

        throw new KeyNotFoundException($"The Stripe fake holds no object '{id}'.");
    }

    private static T Find<T>(Dictionary<string, T> store, string id) =>
        store.TryGetValue(id, out var value) ? value : throw new KeyNotFoundException($"The Stripe fake holds no '{id}'.");

    private long NowUnix() => Now.ToUnixTimeSeconds();

    private string NewId(string prefix)
    {
        var next = ++_sequence;
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}_fake{_idTag}{next:D6}");
    }

    private FakeCustomer AddCustomer(string? email, string? name, Dictionary<string, string> metadata)
    {
        var customer = new FakeCustomer { Id = NewId("cus"), Email = email, Name = name, Metadata = metadata, Created = NowUnix() };
        _customers[customer.Id] = customer;
        return customer;
    }

    private FakeCharge AddCharge(long amount, string currency, string? customerId, IReadOnlyDictionary<string, string> metadata)
    {
        var charge = new FakeCharge
        {
            Id = NewId("ch"),
            PaymentIntentId = NewId("pi"),
            CustomerId = customerId,
            Amount = amount,
            Currency = currency,
            Metadata = new Dictionary<string, string>(metadata),
            Created = NowUnix(),
        };
        _charges[charge.Id] = charge;
        return charge;
    }

    private FakeInvoice AddInvoice(FakeSubscription subscription, string billingReason, bool paid)
    {
        var amount = subscription.Item.UnitAmount * subscription.Item.Quantity;
        var invoice = new FakeInvoice
        {
            Id = NewId("in"),
            CustomerId = subscription.CustomerId,
            Subscription = subscription,
            Line = subscription.Item,
            BillingReason = billingReason,
            AmountDue = amount,
            Currency = subscription.Item.Currency,
            PeriodStart = subscription.CurrentPeriodStart,
            PeriodEnd = subscription.CurrentPeriodEnd,
            SubscriptionMetadata = new Dictionary<string, string>(subscription.Metadata),
            Created = NowUnix(),
        };
        _invoices[invoice.Id] = invoice;
        subscription.LatestInvoiceId = invoice.Id;
        if (paid)
        {
            MarkInvoicePaid(invoice);
            subscription.Status = "active";
        }
        else
        {
            invoice.AttemptCount = 1;
            invoice.NextPaymentAttempt = NowUnix() + (3 * 86_400);
            subscription.Status = billingReason == "subscription_create" ? "incomplete" : "past_due";
        }

        return invoice;
    }

    private void MarkInvoicePaid(FakeInvoice invoice)
    {
        invoice.Status = "paid";
        invoice.AmountPaid = invoice.AmountDue;
        invoice.AttemptCount = Math.Max(1, invoice.AttemptCount);
        invoice.NextPaymentAttempt = null;
        invoice.PaidAt = NowUnix();
        var charge = AddCharge(invoice.AmountDue, invoice.Currency, invoice.CustomerId, new Dictionary<string, string>());
        _invoiceCharges[invoice.Id] = charge.Id;
    }

    private FakeCharge? ChargeFor(FakeInvoice invoice) =>
        _invoiceCharges.TryGetValue(invoice.Id, out var chargeId) ? _charges[chargeId] : null;

    private sealed record FaultRule(
        int Count, string? PathPrefix, int StatusCode, bool? ShouldRetry, string? ErrorType, string? ErrorCode, TimeSpan? Delay)
    {
        public int Remaining { get; set; } = Count;
    }

    private sealed record IdempotentResponse(string Fingerprint, int StatusCode, string Body);
}
