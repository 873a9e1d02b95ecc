namespace Billing.TestFakes.Flash;

/// <summary>How the fake Flash is configured; mirrors Flash's env vars (contract §1.1).</summary>
public sealed class FlashFakeOptions
{
    /// <summary>Flash's <c>FLASH_SERVICE_KEY</c>. Empty/null: no service key (resolve answers 503).</summary>
    public string? ServiceKey { get; init; } = "fake-service-key";

    /// <summary>Flash's <c>ADMIN_API_KEY</c>. Empty/null: admin endpoints disabled (403).</summary>
    public string? AdminKey { get; init; } = "fake-admin-key";

    /// <summary>Flash's <c>GATEWAY_SIGNING_SECRET</c>.</summary>
    public string? GatewaySigningSecret { get; init; }

    /// <summary>Flash's <c>REQUIRE_SIGNED_GATEWAY</c> (only consulted when a service key is set, as in Flash).</summary>
    public bool RequireSignedGateway { get; init; }

    /// <summary>Flash's <c>ALLOW_LEGACY_SERVICE_KEY</c>.</summary>
    public bool AllowLegacyServiceKey { get; init; } = true;

    /// <summary>
    /// Off (default): current Flash, where an unsigned <c>X-User-Id</c> is ignored (anonymous). On: the memo-era contract, where a
    /// valid <c>X-Service-Key</c> vouches for <c>X-User-ID</c>.
    /// </summary>
    public bool TrustLegacyUserHeader { get; init; }

    /// <summary>Flash's <c>SIGNUP_CREDITS</c>: the balance a user created by /users/resolve starts with (no ledger row).</summary>
    public int SignupCredits { get; init; } = 50;

    /// <summary>Pause between SSE events of /generate/stream, so a test can see events arrive before the stream ends.</summary>
    public TimeSpan StreamEventInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Key checked on /internal/credits/*; falls back to <see cref="ServiceKey"/>.</summary>
    public string? CreditsApiServiceKey { get; init; }

    /// <summary>Clock used for the ±300 s signature skew and ledger timestamps.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The cost table served by /credits/costs (Flash's current 18 keys by default).</summary>
    public IReadOnlyDictionary<string, int> Costs { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["generate_balanced"] = 5,
        ["generate_hd"] = 10,
        ["generate_hyper"] = 5,
        ["generate_gemini3"] = 5,
        ["chat"] = 1,
        ["temporal_jump"] = 2,
        ["conductor_base"] = 5,
        ["conductor_generate"] = 5,
        ["conductor_pro_sim"] = 15,
        ["conductor_pro_capitalization_portfolio"] = 5,
        ["conductor_compare"] = 10,
        ["conductor_campaign_sim"] = 15,
        ["conductor_campaign_survey"] = 5,
        ["conductor_compare_campaigns"] = 10,
        ["quick_sim_per_opportunity"] = 2,
        ["meeting_generation"] = 1,
        ["clockchain_ingest"] = 1,
        ["clockchain_index"] = 1,
    };
}

/// <summary>An admin grant the fake applied.</summary>
public sealed record RecordedGrant(string UserId, int Amount, string TransactionType, string? Description, int BalanceAfter, DateTimeOffset At);

/// <summary>Any request the fake received (before fault injection), with its headers as sent.</summary>
public sealed record RecordedRequest(string Method, string Path, string QueryString, IReadOnlyDictionary<string, string> Headers)
{
    public bool HasHeader(string name) => Headers.ContainsKey(name);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>One ledger row as Flash stores it.</summary>
public sealed record FakeLedgerEntry(int Amount, int BalanceAfter, string Type, string? Description, DateTimeOffset CreatedAt);
