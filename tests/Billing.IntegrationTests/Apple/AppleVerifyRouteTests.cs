using System.Net;
using System.Net.Http.Json;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Apple;
using static Billing.IntegrationTests.Apple.AppleTestHost;

namespace Billing.IntegrationTests.Apple;

/// <summary><c>POST /internal/billing/apple/verify</c> over real HTTP, real PostgreSQL and a throwaway Apple PKI.</summary>
public sealed class AppleVerifyRouteTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IDisposable
{
    private readonly AppleTestHost _host = new(database);

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Verify_Pack_RecordsThePurchaseAndOneAppleIapGrantKeyedByTransactionId()
    {
        var user = NewUser();
        var transactionId = NewTransactionId();

        var body = await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(new AppleTestTransaction { TransactionId = transactionId, AppAccountToken = Guid.Parse(user) }));

        Assert.Equal("granted", body.GetProperty("status").GetString());
        Assert.Equal(StarterPack, body.GetProperty("product_id").GetString());
        Assert.Equal(transactionId, body.GetProperty("transaction_id").GetString());
        Assert.Equal(10, body.GetProperty("credits_granted").GetInt32());
        Assert.False(body.GetProperty("already_processed").GetBoolean());

        var grant = Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal($"apple:transaction:{transactionId}", grant.GrantKey.Value);
        Assert.Equal(10, grant.Amount);
        Assert.Equal(TransactionType.AppleIap, grant.TransactionType);
        var purchase = Assert.Single(await _host.PurchasesAsync(user));
        Assert.Equal(PaymentProvider.Apple, purchase.Provider);
        Assert.Equal(PurchaseStatus.Paid, purchase.Status);
        Assert.Equal(transactionId, purchase.ProviderPurchaseId);
    }

    [Fact]
    public async Task Verify_SameTransactionAgain_AnswersAlreadyProcessedWithTheSameResult_AndGrantsNothing()
    {
        var user = NewUser();
        var jws = _host.Pki.SignTransaction(new AppleTestTransaction { TransactionId = NewTransactionId(), ProductId = "com.timepoint.flash.credits.150" });
        var first = await _host.VerifyOkAsync(user, jws);

        // A fresh copy of the same transaction (StoreKit re-signs it) is the same purchase.
        var again = await _host.VerifyOkAsync(user, jws);

        Assert.False(first.GetProperty("already_processed").GetBoolean());
        Assert.True(again.GetProperty("already_processed").GetBoolean());
        Assert.Equal(first.GetProperty("status").GetString(), again.GetProperty("status").GetString());
        Assert.Equal(150, again.GetProperty("credits_granted").GetInt32());
        Assert.Equal(first.GetProperty("transaction_id").GetString(), again.GetProperty("transaction_id").GetString());
        Assert.Single(await _host.GrantsAsync(user));
        Assert.Single(await _host.PurchasesAsync(user));
    }

    [Fact]
    public async Task Verify_TwentyConcurrentCallsForOneTransaction_RecordOnePurchaseAndOneGrant()
    {
        var user = NewUser();
        var jws = _host.Pki.SignTransaction(new AppleTestTransaction { TransactionId = NewTransactionId(), ProductId = "com.timepoint.flash.credits.500" });
        _host.Factory.CreateClient().Dispose(); // start the host before the race

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _host.VerifyOkAsync(user, jws)));

        Assert.Equal(1, responses.Count(r => !r.GetProperty("already_processed").GetBoolean()));
        Assert.All(responses, r => Assert.Equal(500, r.GetProperty("credits_granted").GetInt32()));
        Assert.Single(await _host.PurchasesAsync(user));
        var grant = Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal(500, grant.Amount);
    }

    [Fact]
    public async Task Verify_TenConcurrentCallsForOneSubscriptionTransaction_StartOneSubscriptionAndGrantOnce()
    {
        var user = NewUser();
        var transactionId = NewTransactionId();
        var jws = _host.Pki.SignTransaction(SubscriptionTransaction(transactionId, transactionId, user));
        _host.Factory.CreateClient().Dispose();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _host.VerifyOkAsync(user, jws)));

        Assert.Equal(1, responses.Count(r => !r.GetProperty("already_processed").GetBoolean()));
        Assert.Equal(1, await _host.Database.ScalarAsync($"SELECT count(*) FROM subscriptions WHERE provider_subscription_id = '{transactionId}'"));
        Assert.Equal(100, Assert.Single(await _host.GrantsAsync(user)).Amount);
    }

    [Fact]
    public async Task Verify_ConsumableWithQuantity_GrantsThePackTimesTheQuantity()
    {
        var user = NewUser();
        var body = await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(new AppleTestTransaction { TransactionId = NewTransactionId(), Quantity = 3 }));

        Assert.Equal(30, body.GetProperty("credits_granted").GetInt32());
        Assert.Equal(30, Assert.Single(await _host.GrantsAsync(user)).Amount);
    }

    [Fact]
    public async Task Verify_Subscription_StartsAnActiveAppleSubscriptionWithThePeriod_AndGrantsThePeriodOnce()
    {
        var user = NewUser();
        var transactionId = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var transaction = SubscriptionTransaction(transactionId, transactionId, user, start);

        var body = await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(transaction));
        var again = await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(transaction));

        Assert.Equal("granted", body.GetProperty("status").GetString());
        Assert.Equal(100, body.GetProperty("credits_granted").GetInt32());
        Assert.True(again.GetProperty("already_processed").GetBoolean());
        var subscription = await _host.SubscriptionAsync(transactionId);
        Assert.NotNull(subscription);
        Assert.Equal(UserId.From(user), subscription.UserId);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.Equal(TierName.Explorer, subscription.Tier);
        Assert.Equal(start.ToUnixTimeMilliseconds(), subscription.CurrentPeriodStart!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(start.AddMonths(1).ToUnixTimeMilliseconds(), subscription.CurrentPeriodEnd!.Value.ToUnixTimeMilliseconds());
        var grant = Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal($"apple:transaction:{transactionId}", grant.GrantKey.Value);
        Assert.Equal(TransactionType.SubscriptionGrant, grant.TransactionType);
        Assert.Equal(100, grant.Amount);
    }

    [Fact]
    public async Task Verify_RenewalOfAKnownSubscription_GrantsTheNewPeriod_AndAnUpgradeTakesTheNewTier()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMonths(-1).AddHours(-1);
        await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(SubscriptionTransaction(original, original, user, start)));

        var renewal = NewTransactionId();
        var body = await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(SubscriptionTransaction(renewal, original, user, start.AddMonths(1), Creator)));

        Assert.Equal(300, body.GetProperty("credits_granted").GetInt32());
        var subscription = await _host.SubscriptionAsync(original);
        Assert.Equal(TierName.Creator, subscription!.Tier);
        Assert.Equal(2, subscription.PaidPeriods.Count);
        Assert.Equal([100, 300], (await _host.GrantsAsync(user)).Select(g => g.Amount).Order());
    }

    [Fact]
    public async Task Verify_UnknownProduct_Is422_AndStoresNothing()
    {
        var user = NewUser();
        using var response = await _host.VerifyAsync(user, _host.Pki.SignTransaction(new AppleTestTransaction { TransactionId = NewTransactionId(), ProductId = "com.timepoint.flash.credits.9999" }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("apple.unknown_product", await ProblemCodeAsync(response));
        Assert.Empty(await _host.PurchasesAsync(user));
        Assert.Empty(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task Verify_ProductSoldAsAnotherType_Is422()
    {
        using var response = await _host.VerifyAsync(NewUser(), _host.Pki.SignTransaction(new AppleTestTransaction { TransactionId = NewTransactionId(), ProductId = Explorer, Type = "Consumable" }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("apple.product_type_mismatch", await ProblemCodeAsync(response));
    }

    [Fact]
    public async Task Verify_FamilySharedTransaction_Is422_AndGrantsNothing()
    {
        var user = NewUser();
        var transactionId = NewTransactionId();
        using var response = await _host.VerifyAsync(user, _host.Pki.SignTransaction(SubscriptionTransaction(transactionId, transactionId, user) with { InAppOwnershipType = "FAMILY_SHARED" }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("apple.family_shared", await ProblemCodeAsync(response));
        Assert.Empty(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task Verify_RevokedTransaction_AnswersRevoked_AndGrantsNothing()
    {
        var user = NewUser();
        var body = await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(new AppleTestTransaction
        {
            TransactionId = NewTransactionId(),
            RevocationDate = DateTimeOffset.UtcNow.AddMinutes(-1),
            RevocationReason = 0,
        }));

        Assert.Equal("revoked", body.GetProperty("status").GetString());
        Assert.Equal(0, body.GetProperty("credits_granted").GetInt32());
        Assert.False(body.GetProperty("already_processed").GetBoolean());
        Assert.Empty(await _host.PurchasesAsync(user));
        Assert.Empty(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task Verify_AppAccountTokenOfAnotherUser_Is409_AndStoresNothing()
    {
        var user = NewUser();
        using var response = await _host.VerifyAsync(user, _host.Pki.SignTransaction(new AppleTestTransaction { TransactionId = NewTransactionId(), AppAccountToken = Guid.NewGuid() }));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("apple.account_token_mismatch", await ProblemCodeAsync(response));
        Assert.Empty(await _host.PurchasesAsync(user));
        Assert.Empty(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task Verify_AppAccountToken_MatchesTheUserIdAsAUuid_WhateverItsCase()
    {
        var token = Guid.NewGuid();
        var user = token.ToString().ToUpperInvariant();

        var body = await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(new AppleTestTransaction { TransactionId = NewTransactionId(), AppAccountToken = token }));

        Assert.Equal("granted", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Verify_TransactionAlreadyRecordedForAnotherUser_Is409_AndGrantsNothingMore()
    {
        var owner = NewUser();
        var thief = NewUser();
        var jws = _host.Pki.SignTransaction(new AppleTestTransaction { TransactionId = NewTransactionId() });
        await _host.VerifyOkAsync(owner, jws);

        using var response = await _host.VerifyAsync(thief, jws);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("apple.transaction_owned_by_another_user", await ProblemCodeAsync(response));
        Assert.Empty(await _host.GrantsAsync(thief));
        Assert.Single(await _host.GrantsAsync(owner));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "wrong-bundle", "apple.wrong_bundle" },
        { "wrong-environment", "apple.wrong_environment" },
        { "tampered", "apple.bad_signature" },
        { "look-alike-root", "apple.untrusted_chain" },
        { "alg-none", "apple.unsupported_algorithm" },
        { "not-a-jws", "apple.malformed" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Verify_RefusedSignedData_Is400WithTheReason_AndStoresNothing(string variant, string expectedCode)
    {
        var user = NewUser();
        var transaction = new AppleTestTransaction { TransactionId = NewTransactionId() };
        using var lookAlike = _host.Pki.CreateLookAlike();
        var jws = variant switch
        {
            "wrong-bundle" => _host.Pki.SignTransaction(transaction with { BundleId = "com.someone.else" }),
            "wrong-environment" => _host.Pki.SignTransaction(transaction with { Environment = "Sandbox" }),
            "tampered" => AppleTestPki.TamperPayload(_host.Pki.SignTransaction(transaction), json => json.Replace("com.timepoint.flash.credits.10", "com.timepoint.flash.credits.500", StringComparison.Ordinal)),
            "look-alike-root" => lookAlike.SignTransaction(transaction),
            "alg-none" => _host.Pki.SignTransaction(transaction, new AppleJwsOptions { Algorithm = "none" }),
            _ => "not.a.jws",
        };

        using var response = await _host.VerifyAsync(user, jws);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expectedCode, await ProblemCodeAsync(response));
        Assert.Empty(await _host.PurchasesAsync(user));
        Assert.Empty(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task Verify_WithoutUser_Is400()
    {
        using var response = await _host.VerifyAsync(null, _host.Pki.SignTransaction(new AppleTestTransaction { TransactionId = NewTransactionId() }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("user_id.missing", await ProblemCodeAsync(response));
    }

    [Fact]
    public async Task Verify_WithoutSignedTransaction_Is400()
    {
        using var client = _host.Factory.CreateServiceClient(NewUser());
        using var response = await client.PostAsJsonAsync("/internal/billing/apple/verify", new { });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Verify_WithoutTheServiceKey_Is401()
    {
        using var client = _host.Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-User-Id", NewUser());
        using var response = await client.PostAsJsonAsync("/internal/billing/apple/verify", new { signed_transaction = _host.Pki.SignTransaction(new AppleTestTransaction()) });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
