namespace Billing.TestFakes.Stripe;

/// <summary>One request as the fake received it (the Authorization header is reduced to <see cref="Authenticated"/>).</summary>
public sealed record StripeFakeRequest(
    string Method,
    string Path,
    string QueryString,
    string? IdempotencyKey,
    string? StripeVersion,
    string? ContentType,
    bool Authenticated,
    string RawBody,
    IReadOnlyList<KeyValuePair<string, string>> Form,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    DateTimeOffset ReceivedAt)
{
    /// <summary>Last value of a form field (e.g. <c>line_items[0][price_data][unit_amount]</c>), or null.</summary>
    public string? Field(string key) => Form.LastOrDefault(pair => pair.Key == key).Value;

    public string? QueryField(string key) => Query.LastOrDefault(pair => pair.Key == key).Value;

    public bool HasField(string key) => Form.Any(pair => pair.Key == key);
}

/// <summary>What <see cref="StripeFake.MarkSessionPaid"/> created.</summary>
public sealed record StripeFakePaidSession(
    string SessionId,
    string? CustomerId,
    string? PaymentIntentId,
    string? ChargeId,
    string? SubscriptionId,
    string? InvoiceId);

public sealed class StripeFakeOptions
{
    public string SecretKey { get; init; } = StripeFake.DefaultSecretKey;

    public string WebhookSecret { get; init; } = StripeFake.DefaultWebhookSecret;

    /// <summary>Echoed on events; objects are always rendered in the basil+ shape this version implies.</summary>
    public string ApiVersion { get; init; } = StripeFake.DefaultApiVersion;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>When true (default), a POST without <c>Idempotency-Key</c> is rejected: our adapter must always send one.</summary>
    public bool RequireIdempotencyKey { get; init; } = true;
}
