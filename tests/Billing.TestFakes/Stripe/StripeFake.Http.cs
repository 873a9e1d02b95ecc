using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Billing.TestFakes.Stripe;

public sealed partial class StripeFake
{
    private const int MaxIdempotencyKeyLength = 255;

    private static readonly HashSet<string> CustomerCreateShapes =
        ["email", "name", "description", "phone", "metadata", "metadata[*]", "expand[]", "expand[#]"];

    private static readonly HashSet<string> CheckoutCreateShapes =
    [
        "mode", "customer", "customer_email", "client_reference_id", "success_url", "cancel_url", "expires_at",
        "locale", "customer_creation", "allow_promotion_codes", "metadata", "metadata[*]",
        "line_items[#][price]", "line_items[#][quantity]",
        "line_items[#][price_data][currency]", "line_items[#][price_data][unit_amount]",
        "line_items[#][price_data][product]", "line_items[#][price_data][product_data][name]",
        "line_items[#][price_data][product_data][description]", "line_items[#][price_data][product_data][metadata][*]",
        "line_items[#][price_data][recurring][interval]", "line_items[#][price_data][recurring][interval_count]",
        "subscription_data[metadata][*]", "payment_intent_data[metadata][*]", "expand[]", "expand[#]",
    ];

    private static readonly HashSet<string> CheckoutUpdateShapes = ["metadata", "metadata[*]", "expand[]", "expand[#]"];

    private static readonly HashSet<string> PortalCreateShapes =
        ["customer", "return_url", "configuration", "locale", "expand[]", "expand[#]"];

    private static readonly HashSet<string> RetrieveShapes = ["expand[]", "expand[#]"];

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var isPost = HttpMethods.IsPost(request.Method);
        var path = request.Path.Value ?? "/";
        var idempotencyKey = request.Headers["Idempotency-Key"].FirstOrDefault();
        var authenticated = IsAuthorized(request.Headers.Authorization.FirstOrDefault());
        var query = StripeFakeForm.TryParse(request.QueryString.Value?.TrimStart('?') ?? string.Empty, out var queryError);
        StripeFakeForm? form = StripeFakeForm.Empty;
        string? formError = null;
        if (isPost)
        {
            form = IsFormContentType(request.ContentType)
                ? StripeFakeForm.TryParse(body, out formError)
                : null;
            formError ??= form is null ? "Stripe expects application/x-www-form-urlencoded request bodies, not JSON." : null;
        }

        FaultRule? fault;
        lock (_gate)
        {
            _requests.Add(new StripeFakeRequest(
                request.Method,
                path,
                request.QueryString.Value ?? string.Empty,
                idempotencyKey,
                request.Headers["Stripe-Version"].FirstOrDefault(),
                request.ContentType,
                authenticated,
                body,
                form?.Pairs ?? [],
                query?.Pairs ?? [],
                Now));
            fault = TakeFault(path);
        }

        if (fault is { Delay: { } delay })
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        else if (fault is not null)
        {
            if (fault.ShouldRetry is { } shouldRetry)
            {
                context.Response.Headers["Stripe-Should-Retry"] = shouldRetry ? "true" : "false";
            }

            var type = fault.ErrorType ?? (fault.StatusCode >= 500 ? "api_error" : "invalid_request_error");
            var code = fault.ErrorCode ?? (fault.StatusCode == 429 ? "rate_limit" : null);
            await WriteAsync(context, fault.StatusCode, StripeFakeJson.Error(type, "Injected fault.", code).ToJsonString(), replayed: false);
            return;
        }

        int status;
        string json;
        bool replayed;
        lock (_gate)
        {
            (status, json, replayed) = Process(
                request.Method, path, authenticated, isPost, idempotencyKey, form, formError, query, queryError);
        }

        await WriteAsync(context, status, json, replayed);
    }

    private (int Status, string Json, bool Replayed) Process(
        string method,
        string path,
        bool authenticated,
        bool isPost,
        string? idempotencyKey,
        StripeFakeForm? form,
        string? formError,
        StripeFakeForm? query,
        string? queryError)
    {
        if (!authenticated)
        {
            return (401, StripeFakeJson.Error(
                "invalid_request_error",
                "Invalid API Key provided. Pass it as a bearer token: Authorization: Bearer sk_test_…").ToJsonString(), false);
        }

        if (query is null || (isPost && form is null))
        {
            return (400, StripeFakeJson.Error("invalid_request_error", (queryError ?? formError)!).ToJsonString(), false);
        }

        string? fingerprint = null;
        if (isPost)
        {
            if (idempotencyKey is null && _options.RequireIdempotencyKey)
            {
                return (400, StripeFakeJson.Error(
                    "invalid_request_error", "The Stripe fake requires an Idempotency-Key on every POST.").ToJsonString(), false);
            }

            if (idempotencyKey is { Length: 0 or > MaxIdempotencyKeyLength })
            {
                return (400, StripeFakeJson.Error(
                    "invalid_request_error", "Idempotency-Key must be 1 to 255 characters.").ToJsonString(), false);
            }

            if (idempotencyKey is not null)
            {
                fingerprint = Fingerprint(method, path, form!);
                if (_idempotency.TryGetValue(idempotencyKey, out var saved))
                {
                    return saved.Fingerprint == fingerprint
                        ? (saved.StatusCode, saved.Body, true)
                        : (400, StripeFakeJson.Error(
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with the same parameters they were first used with.")
                            .ToJsonString(), false);
                }
            }
        }

        int status;
        string json;
        try
        {
            var result = Route(method, path, form!, query);
            (status, json) = (200, result.ToJsonString());
        }
        catch (StripeFakeError error)
        {
            (status, json) = (error.StatusCode, StripeFakeJson.Error(error.Type, error.Message, error.Code, error.Param).ToJsonString());
        }

        // Like Stripe: results are saved once the endpoint ran; validation failures are not.
        if (fingerprint is not null && status == 200)
        {
            _idempotency[idempotencyKey!] = new IdempotentResponse(fingerprint, status, json);
        }

        return (status, json, false);
    }

    private JsonObject Route(string method, string path, StripeFakeForm form, StripeFakeForm query)
    {
        var isGet = HttpMethods.IsGet(method);
        var isPost = HttpMethods.IsPost(method);
        if (isGet && ListRoute(path, query) is { } list)
        {
            return list;
        }

        if (isGet)
        {
            RequireKnown(query, RetrieveShapes);
        }

        var expand = query.List("expand").Concat(form.List("expand")).ToArray();

        if (isPost && path == "/v1/customers")
        {
            return CreateCustomerRoute(form);
        }

        if (isPost && path == "/v1/checkout/sessions")
        {
            return CreateCheckoutSessionRoute(form, expand);
        }

        if (isPost && path == "/v1/billing_portal/sessions")
        {
            return CreatePortalSessionRoute(form);
        }

        if (TryMatchId(path, "/v1/checkout/sessions/", out var sessionId))
        {
            var session = Lookup(_sessions, sessionId, "checkout.session");
            if (isPost)
            {
                RequireKnown(form, CheckoutUpdateShapes);
                var metadata = form.Map("metadata");
                ValidateMetadata(metadata, "metadata");
                if (form.Get("metadata") == string.Empty)
                {
                    session.Metadata.Clear();
                }

                foreach (var (key, value) in metadata)
                {
                    if (value.Length == 0)
                    {
                        session.Metadata.Remove(key);
                    }
                    else
                    {
                        session.Metadata[key] = value;
                    }
                }
            }

            return session.Render(expand.Contains("line_items"));
        }

        if (!isGet)
        {
            throw UnrecognizedUrl(method, path);
        }

        if (TryMatchId(path, "/v1/customers/", out var customerId))
        {
            return Lookup(_customers, customerId, "customer").Render();
        }

        if (TryMatchId(path, "/v1/subscriptions/", out var subscriptionId))
        {
            return Lookup(_subscriptions, subscriptionId, "subscription").Render();
        }

        if (TryMatchId(path, "/v1/invoices/", out var invoiceId))
        {
            return Lookup(_invoices, invoiceId, "invoice").Render();
        }

        if (TryMatchId(path, "/v1/charges/", out var chargeId))
        {
            return Lookup(_charges, chargeId, "charge").Render(expand.Contains("refunds"));
        }

        if (TryMatchId(path, "/v1/refunds/", out var refundId))
        {
            return Lookup(_refunds, refundId, "refund").Render();
        }

        if (TryMatchId(path, "/v1/disputes/", out var disputeId))
        {
            return Lookup(_disputes, disputeId, "dispute").Render();
        }

        if (TryMatchId(path, "/v1/events/", out var eventId))
        {
            return JsonNode.Parse(Lookup(_events, eventId, "event"))!.AsObject();
        }

        throw UnrecognizedUrl(method, path);
    }

    private JsonObject CreateCustomerRoute(StripeFakeForm form)
    {
        RequireKnown(form, CustomerCreateShapes);
        var metadata = form.Map("metadata");
        ValidateMetadata(metadata, "metadata");
        return AddCustomer(form.Get("email"), form.Get("name"), metadata).Render();
    }

    private JsonObject CreatePortalSessionRoute(StripeFakeForm form)
    {
        RequireKnown(form, PortalCreateShapes);
        var customerId = Required(form, "customer");
        Lookup(_customers, customerId, "customer", param: "customer", status: 400);
        var id = NewId("bps");
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "billing_portal.session",
            ["created"] = NowUnix(),
            ["customer"] = customerId,
            ["livemode"] = false,
            ["return_url"] = form.Get("return_url"),
            ["url"] = $"https://billing.stripe.test/p/session/{id}",
        };
    }

    private JsonObject CreateCheckoutSessionRoute(StripeFakeForm form, IReadOnlyCollection<string> expand)
    {
        RequireKnown(form, CheckoutCreateShapes);
        var mode = Required(form, "mode");
        if (mode is not ("payment" or "subscription"))
        {
            throw Invalid($"Invalid mode '{mode}': the Stripe fake supports payment and subscription.", "mode");
        }

        var successUrl = Required(form, "success_url");
        var cancelUrl = form.Get("cancel_url") ?? string.Empty;
        ValidateUrl(successUrl, "success_url");
        if (cancelUrl.Length > 0)
        {
            ValidateUrl(cancelUrl, "cancel_url");
        }

        var customerId = form.Get("customer");
        if (customerId is not null)
        {
            Lookup(_customers, customerId, "customer", param: "customer", status: 400);
            if (form.Has("customer_email"))
            {
                throw Invalid("You may only specify one of these parameters: customer, customer_email.", "customer_email");
            }
        }

        if (mode == "payment" && form.HasPrefix("subscription_data"))
        {
            throw Invalid("You can not pass `subscription_data` in `payment` mode.", "subscription_data");
        }

        if (mode == "subscription" && form.HasPrefix("payment_intent_data"))
        {
            throw Invalid("You can not pass `payment_intent_data` in `subscription` mode.", "payment_intent_data");
        }

        var lineItems = ParseLineItems(form, mode);
        var metadata = form.Map("metadata");
        ValidateMetadata(metadata, "metadata");
        var subscriptionMetadata = form.Map("subscription_data[metadata]");
        ValidateMetadata(subscriptionMetadata, "subscription_data[metadata]");
        var paymentIntentMetadata = form.Map("payment_intent_data[metadata]");
        ValidateMetadata(paymentIntentMetadata, "payment_intent_data[metadata]");

        var now = NowUnix();
        var expiresAt = now + 86_400;
        if (form.Get("expires_at") is { } expiresText)
        {
            expiresAt = ParseInteger(expiresText, "expires_at");
            if (expiresAt < now + 1800 || expiresAt > now + 86_400)
            {
                throw Invalid("expires_at must be between 30 minutes and 24 hours from now.", "expires_at");
            }
        }

        var session = new FakeCheckoutSession
        {
            Id = NewId("cs_test"),
            Mode = mode,
            CustomerId = customerId,
            CustomerEmail = form.Get("customer_email"),
            ClientReferenceId = form.Get("client_reference_id"),
            Metadata = metadata,
            SubscriptionMetadata = subscriptionMetadata,
            PaymentIntentMetadata = paymentIntentMetadata,
            LineItems = lineItems,
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            Created = now,
            ExpiresAt = expiresAt,
        };
        _sessions[session.Id] = session;
        return session.Render(expand.Contains("line_items"));
    }

    private List<FakeLineItem> ParseLineItems(StripeFakeForm form, string mode)
    {
        var indices = form.Indices("line_items");
        if (indices.Count == 0)
        {
            throw Invalid("Missing required param: line_items.", "line_items", code: "parameter_missing");
        }

        if (indices[0] != 0 || indices[^1] != indices.Count - 1)
        {
            throw Invalid("line_items must be indexed from 0 without gaps.", "line_items");
        }

        var items = new List<FakeLineItem>();
        foreach (var index in indices)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"line_items[{index}]");
            var priceId = form.Get($"{prefix}[price]");
            var hasPriceData = form.HasPrefix($"{prefix}[price_data]");
            if ((priceId is null) == !hasPriceData)
            {
                throw Invalid("Each line item needs exactly one of `price` or `price_data`.", prefix);
            }

            var quantity = ParseInteger(Required(form, $"{prefix}[quantity]"), $"{prefix}[quantity]");
            if (quantity < 1)
            {
                throw Invalid("Quantity must be at least 1.", $"{prefix}[quantity]");
            }

            if (priceId is not null)
            {
                // The fake has no price catalogue: existing prices are treated as free monthly/one-time per mode.
                items.Add(new FakeLineItem
                {
                    PriceId = priceId,
                    ProductId = $"prod_for_{priceId}",
                    ProductName = priceId,
                    Currency = "usd",
                    UnitAmount = 0,
                    Quantity = quantity,
                    RecurringInterval = mode == "subscription" ? "month" : null,
                });
                continue;
            }

            var dataPrefix = $"{prefix}[price_data]";
            var currency = Required(form, $"{dataPrefix}[currency]");
            if (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower))
            {
                throw Invalid($"Invalid currency: {currency}.", $"{dataPrefix}[currency]");
            }

            var unitAmount = ParseInteger(Required(form, $"{dataPrefix}[unit_amount]"), $"{dataPrefix}[unit_amount]");
            if (unitAmount < 0)
            {
                throw Invalid("unit_amount must be non-negative.", $"{dataPrefix}[unit_amount]");
            }

            var productName = form.Get($"{dataPrefix}[product_data][name]");
            var productId = form.Get($"{dataPrefix}[product]");
            if (productName is null == (productId is null))
            {
                throw Invalid("Pass exactly one of `product` or `product_data`.", $"{dataPrefix}[product_data]");
            }

            var interval = form.Get($"{dataPrefix}[recurring][interval]");
            if (interval is not null && interval is not ("day" or "week" or "month" or "year"))
            {
                throw Invalid($"Invalid recurring interval: {interval}.", $"{dataPrefix}[recurring][interval]");
            }

            if (interval is not null && mode == "payment")
            {
                throw Invalid(
                    "You must be in `subscription` mode to use recurring prices.", $"{dataPrefix}[recurring]");
            }

            items.Add(new FakeLineItem
            {
                PriceId = NewId("price"),
                ProductId = productId ?? NewId("prod"),
                ProductName = productName ?? productId!,
                Currency = currency,
                UnitAmount = unitAmount,
                Quantity = quantity,
                RecurringInterval = interval,
            });
        }

        if (mode == "subscription" && items.All(item => item.RecurringInterval is null))
        {
            throw Invalid("You must provide at least one recurring price in `subscription` mode.", "line_items");
        }

        return items;
    }

    private FaultRule? TakeFault(string path)
    {
        var rule = _faults.FirstOrDefault(
            candidate => candidate.Remaining > 0
                && (candidate.PathPrefix is null || path.StartsWith(candidate.PathPrefix, StringComparison.Ordinal)));
        if (rule is null)
        {
            return null;
        }

        rule.Remaining--;
        if (rule.Remaining == 0)
        {
            _faults.Remove(rule);
        }

        return rule;
    }

    private bool IsAuthorized(string? authorization)
    {
        if (authorization is null)
        {
            return false;
        }

        if (authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return FixedTimeEquals(authorization["Bearer ".Length..], _options.SecretKey);
        }

        // Stripe also accepts HTTP Basic with the key as the user name.
        if (authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]));
                return FixedTimeEquals(decoded.Split(':', 2)[0], _options.SecretKey);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return false;
    }

    private static bool FixedTimeEquals(string left, string right) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(left), Encoding.UTF8.GetBytes(right));

    private static bool IsFormContentType(string? contentType) =>
        contentType is not null
        && contentType.Split(';')[0].Trim().Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static string Fingerprint(string method, string path, StripeFakeForm form) =>
        method + " " + path + "\n" + string.Join(
            "&",
            form.Pairs
                .OrderBy(pair => pair.Key, StringComparer.Ordinal)
                .ThenBy(pair => pair.Value, StringComparer.Ordinal)
                .Select(pair => pair.Key + "=" + pair.Value));

    private static async Task WriteAsync(HttpContext context, int status, string json, bool replayed)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers["Request-Id"] = "req_" + Guid.NewGuid().ToString("N")[..14];
        if (replayed)
        {
            response.Headers["Idempotent-Replayed"] = "true";
        }

        await response.WriteAsync(json, context.RequestAborted);
    }

    private static bool TryMatchId(string path, string prefix, out string id)
    {
        id = string.Empty;
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = path[prefix.Length..];
        if (rest.Length == 0 || rest.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        id = Uri.UnescapeDataString(rest);
        return true;
    }

    private static T Lookup<T>(
        Dictionary<string, T> store, string id, string objectName, string param = "id", int status = 404) =>
        store.TryGetValue(id, out var value)
            ? value
            : throw new StripeFakeError(status, "invalid_request_error", $"No such {objectName}: '{id}'", "resource_missing", param);

    private static void RequireKnown(StripeFakeForm form, HashSet<string> allowedShapes)
    {
        foreach (var (key, _) in form.Pairs)
        {
            if (!allowedShapes.Contains(StripeFakeForm.Shape(key)))
            {
                throw Invalid($"Received unknown parameter: {key}", key, code: "parameter_unknown");
            }
        }
    }

    private static string Required(StripeFakeForm form, string key) =>
        form.Get(key) is { Length: > 0 } value
            ? value
            : throw Invalid($"Missing required param: {key}.", key, code: "parameter_missing");

    private static long ParseInteger(string text, string param) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid($"Invalid integer: {text}", param, code: "parameter_invalid_integer");

    private static void ValidateUrl(string url, string param)
    {
        if (!Uri.TryCreate(url.Replace("{CHECKOUT_SESSION_ID}", "x", StringComparison.Ordinal), UriKind.Absolute, out _))
        {
            throw Invalid($"Not a valid URL: {param}.", param, code: "url_invalid");
        }
    }

    private static void ValidateMetadata(Dictionary<string, string> metadata, string param)
    {
        if (metadata.Count > 50)
        {
            throw Invalid("Metadata can have at most 50 keys.", param);
        }

        foreach (var (key, value) in metadata)
        {
            if (key.Length is 0 or > 40 || value.Length > 500)
            {
                throw Invalid("Metadata keys must be 1-40 characters and values at most 500.", $"{param}[{key}]");
            }
        }
    }

    private static StripeFakeError Invalid(string message, string? param, string? code = null) =>
        new(400, "invalid_request_error", message, code, param);

    private static StripeFakeError UnrecognizedUrl(string method, string path) =>
        new(404, "invalid_request_error", $"Unrecognized request URL ({method}: {path}).", null, null);

    private sealed class StripeFakeError : Exception
    {
        public StripeFakeError(int statusCode, string type, string message, string? code, string? param)
            : base(message)
        {
            StatusCode = statusCode;
            Type = type;
            Code = code;
            Param = param;
        }

        public int StatusCode { get; }

        public string Type { get; }

        public string? Code { get; }

        public string? Param { get; }
    }
}
