using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Apple;
using static Billing.IntegrationTests.Apple.AppleTestHost;

namespace Billing.IntegrationTests.Apple;

/// <summary>
/// <c>POST /webhooks/apple</c> intake over real HTTP, then the inbox processing of each notification, driven one by one
/// through the service's own mediator (background workers off), on real PostgreSQL.
/// </summary>
public sealed class AppleWebhookTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IDisposable
{
    private readonly AppleTestHost _host = new(database);

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Subscribed_DeliveredTwiceWithOneNotificationUuid_IsStoredOnce_AndGrantsThePeriodOnce()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var notification = Subscribed(user, original);
        var jws = _host.Pki.SignNotification(notification);

        using var first = await _host.PostNotificationAsync(jws);
        using var second = await _host.PostNotificationAsync(jws);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.False((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean());
        Assert.True((await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean());
        Assert.Equal(1, await _host.InboxCountAsync(notification.NotificationUuid));

        Assert.Equal(("processed", null), await _host.ProcessAsync(notification.NotificationUuid));
        var subscription = await _host.SubscriptionAsync(original);
        Assert.NotNull(subscription);
        Assert.Equal(UserId.From(user), subscription.UserId);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        var grant = Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal($"apple:transaction:{original}", grant.GrantKey.Value);
        Assert.Equal(TransactionType.SubscriptionGrant, grant.TransactionType);
        Assert.Equal(100, grant.Amount);
    }

    [Fact]
    public async Task DidRenew_ForAPeriodAlreadyGranted_GrantsNothing_AndTheNextPeriodGrantsOnce()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMonths(-1).AddHours(-2);
        await _host.DeliverAsync(Subscribed(user, original, start));

        // The same transaction reported again in another notification (and the same notification retried): no second grant.
        var sameTransaction = Notification("DID_RENEW", SubscriptionTransaction(original, original, user, start), RenewalInfo(original));
        Assert.Equal("processed", (await _host.DeliverAsync(sameTransaction)).Status);
        using (var retry = await _host.PostNotificationAsync(_host.Pki.SignNotification(sameTransaction)))
        {
            Assert.True((await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean());
        }

        Assert.Single(await _host.GrantsAsync(user));

        var renewal = NewTransactionId();
        Assert.Equal("processed", (await _host.DeliverAsync(Notification("DID_RENEW", SubscriptionTransaction(renewal, original, user, start.AddMonths(1)), RenewalInfo(original)))).Status);

        var grants = await _host.GrantsAsync(user);
        Assert.Equal(2, grants.Count);
        Assert.Contains(grants, g => g.GrantKey.Value == $"apple:transaction:{renewal}" && g.Amount == 100);
        var subscription = await _host.SubscriptionAsync(original);
        Assert.Equal(start.AddMonths(2).ToUnixTimeMilliseconds(), subscription!.CurrentPeriodEnd!.Value.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task DidFailToRenew_MakesItPastDue_EvenInTheGracePeriod_AndARecoveredRenewalMakesItActive()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMonths(-1).AddHours(-2);
        await _host.DeliverAsync(Subscribed(user, original, start, signedDate: DateTimeOffset.UtcNow.AddMinutes(-30)));

        var fail = Notification("DID_FAIL_TO_RENEW", null, RenewalInfo(original) with { IsInBillingRetryPeriod = true, ExpirationIntent = 2 }, DateTimeOffset.UtcNow.AddMinutes(-20));
        Assert.Equal("processed", (await _host.DeliverAsync(fail)).Status);
        Assert.Equal(SubscriptionStatus.PastDue, (await _host.SubscriptionAsync(original))!.Status);

        var grace = Notification("DID_FAIL_TO_RENEW", null, RenewalInfo(original) with { GracePeriodExpiresDate = DateTimeOffset.UtcNow.AddDays(6) }, DateTimeOffset.UtcNow.AddMinutes(-10)) with { Subtype = "GRACE_PERIOD" };
        Assert.Equal("processed", (await _host.DeliverAsync(grace)).Status);
        Assert.Equal(SubscriptionStatus.PastDue, (await _host.SubscriptionAsync(original))!.Status);

        var recovered = Notification("DID_RENEW", SubscriptionTransaction(NewTransactionId(), original, user, start.AddMonths(1)), RenewalInfo(original)) with { Subtype = "BILLING_RECOVERY" };
        Assert.Equal("processed", (await _host.DeliverAsync(recovered)).Status);
        Assert.Equal(SubscriptionStatus.Active, (await _host.SubscriptionAsync(original))!.Status);
        Assert.Equal(2, (await _host.GrantsAsync(user)).Count);
    }

    [Theory]
    [InlineData("EXPIRED", "VOLUNTARY")]
    [InlineData("GRACE_PERIOD_EXPIRED", null)]
    public async Task Expired_EndsTheSubscription(string type, string? subtype)
    {
        var user = NewUser();
        var original = NewTransactionId();
        await _host.DeliverAsync(Subscribed(user, original, signedDate: DateTimeOffset.UtcNow.AddMinutes(-5)));

        Assert.Equal("processed", (await _host.DeliverAsync(Notification(type, SubscriptionTransaction(original, original, user), RenewalInfo(original, autoRenewStatus: 0)) with { Subtype = subtype })).Status);

        Assert.Equal(SubscriptionStatus.Expired, (await _host.SubscriptionAsync(original))!.Status);
    }

    [Fact]
    public async Task DidChangeRenewalStatus_OffCancelsAtPeriodEnd_OnResumes()
    {
        var user = NewUser();
        var original = NewTransactionId();
        await _host.DeliverAsync(Subscribed(user, original, signedDate: DateTimeOffset.UtcNow.AddMinutes(-10)));

        var off = Notification("DID_CHANGE_RENEWAL_STATUS", SubscriptionTransaction(original, original, user), RenewalInfo(original, autoRenewStatus: 0), DateTimeOffset.UtcNow.AddMinutes(-5)) with { Subtype = "AUTO_RENEW_DISABLED" };
        Assert.Equal("processed", (await _host.DeliverAsync(off)).Status);
        var canceled = await _host.SubscriptionAsync(original);
        Assert.Equal(SubscriptionStatus.Canceled, canceled!.Status);
        Assert.True(canceled.CancelAtPeriodEnd);

        var on = Notification("DID_CHANGE_RENEWAL_STATUS", SubscriptionTransaction(original, original, user), RenewalInfo(original, autoRenewStatus: 1)) with { Subtype = "AUTO_RENEW_ENABLED" };
        Assert.Equal("processed", (await _host.DeliverAsync(on)).Status);
        var resumed = await _host.SubscriptionAsync(original);
        Assert.Equal(SubscriptionStatus.Active, resumed!.Status);
        Assert.False(resumed.CancelAtPeriodEnd);
        Assert.Single(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task AnOlderNotificationProcessedAfterANewerOne_DoesNotRegressTheStatus()
    {
        var user = NewUser();
        var original = NewTransactionId();
        await _host.DeliverAsync(Subscribed(user, original, signedDate: DateTimeOffset.UtcNow.AddHours(-3)));
        var olderFailure = Notification("DID_FAIL_TO_RENEW", null, RenewalInfo(original), DateTimeOffset.UtcNow.AddHours(-2));
        var olderEnable = Notification("DID_CHANGE_RENEWAL_STATUS", null, RenewalInfo(original), DateTimeOffset.UtcNow.AddHours(-1)) with { Subtype = "AUTO_RENEW_ENABLED" };
        var newerDisable = Notification("DID_CHANGE_RENEWAL_STATUS", null, RenewalInfo(original, autoRenewStatus: 0)) with { Subtype = "AUTO_RENEW_DISABLED" };

        await _host.DeliverAsync(newerDisable);
        await _host.DeliverAsync(olderFailure);
        await _host.DeliverAsync(olderEnable);

        var subscription = await _host.SubscriptionAsync(original);
        Assert.Equal(SubscriptionStatus.Canceled, subscription!.Status);
        Assert.True(subscription.CancelAtPeriodEnd);
    }

    [Fact]
    public async Task DidChangeRenewalPref_Downgrade_SizesTheNextRenewalsGrant()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMonths(-1).AddHours(-2);
        await _host.DeliverAsync(Subscribed(user, original, start, Creator, DateTimeOffset.UtcNow.AddMinutes(-10)));

        var downgrade = Notification("DID_CHANGE_RENEWAL_PREF", SubscriptionTransaction(original, original, user, start, Creator), RenewalInfo(original, Creator, autoRenewProductId: Explorer), DateTimeOffset.UtcNow.AddMinutes(-5)) with { Subtype = "DOWNGRADE" };
        Assert.Equal("processed", (await _host.DeliverAsync(downgrade)).Status);
        Assert.Equal(TierName.Explorer, (await _host.SubscriptionAsync(original))!.Tier);

        await _host.DeliverAsync(Notification("DID_RENEW", SubscriptionTransaction(NewTransactionId(), original, user, start.AddMonths(1), Explorer), RenewalInfo(original)));

        Assert.Equal([100, 300], (await _host.GrantsAsync(user)).Select(g => g.Amount).Order());
    }

    [Fact]
    public async Task ANotificationABusinessRuleRefuses_IsIgnoredWithTheRulesCode_NotRetried_AndChangesNothing()
    {
        // docs/decisions/0040: the same policy as Stripe's (StripeSubscriptionTests.AnEventABusinessRuleRefuses_...).
        var user = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMonths(-1).AddHours(-2);
        await _host.DeliverAsync(Subscribed(user, original, start, Creator, DateTimeOffset.UtcNow.AddMinutes(-10)));
        Assert.Equal("processed", (await _host.DeliverAsync(Notification("EXPIRED", SubscriptionTransaction(original, original, user, start, Creator), RenewalInfo(original, Creator, autoRenewStatus: 0), DateTimeOffset.UtcNow.AddMinutes(-5)) with { Subtype = "VOLUNTARY" })).Status);

        // A tier change on an expired subscription: the aggregate refuses it (subscription.expired).
        var downgrade = Notification("DID_CHANGE_RENEWAL_PREF", SubscriptionTransaction(original, original, user, start, Creator), RenewalInfo(original, Creator, autoRenewProductId: Explorer)) with { Subtype = "DOWNGRADE" };
        var (status, reason) = await _host.DeliverAsync(downgrade);

        Assert.Equal("ignored", status);
        Assert.Equal("refused by a business rule (subscription.expired): An expired subscription cannot change tier.", reason);
        var subscription = await _host.SubscriptionAsync(original);
        Assert.Equal(SubscriptionStatus.Expired, subscription!.Status);
        Assert.Equal(TierName.Creator, subscription.Tier);
        Assert.Equal([300], (await _host.GrantsAsync(user)).Select(g => g.Amount));
        Assert.Equal(1, await _host.Database.ScalarAsync($"SELECT attempts FROM inbox_events WHERE provider = 'apple' AND event_id = '{downgrade.NotificationUuid}' AND status = 'ignored'"));
    }

    [Fact]
    public async Task Refund_OfAConsumable_ClawsBackItsCredits_ReversalRestoresThem_AndASecondRefundClawsBackAgain()
    {
        var user = NewUser();
        var transactionId = NewTransactionId();
        var transaction = new AppleTestTransaction { TransactionId = transactionId, ProductId = "com.timepoint.flash.credits.50", AppAccountToken = Guid.Parse(user) };
        await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(transaction));
        var revoked = transaction with { RevocationDate = DateTimeOffset.UtcNow.AddMinutes(-1), RevocationReason = 0 };

        var refund = Notification("REFUND", revoked, null, DateTimeOffset.UtcNow.AddMinutes(-3));
        Assert.Equal("processed", (await _host.DeliverAsync(refund)).Status);
        var clawback = Assert.Single(await _host.GrantsAsync(user), g => g.Amount < 0);
        Assert.Equal(-50, clawback.Amount);
        Assert.Equal(TransactionType.Refund, clawback.TransactionType);
        Assert.Equal($"apple:refund:{transactionId}:{refund.NotificationUuid}", clawback.GrantKey.Value);
        Assert.Equal(PurchaseStatus.Refunded, Assert.Single(await _host.PurchasesAsync(user)).Status);

        // Another REFUND notification about the same refund claws back nothing more.
        Assert.Equal("ignored", (await _host.DeliverAsync(Notification("REFUND", revoked, null, DateTimeOffset.UtcNow.AddMinutes(-2)))).Status);
        await MarkDeliveredAsync(clawback.GrantKey.Value); // Flash took the 50: the reversal gives them back

        var reversal = Notification("REFUND_REVERSED", transaction, null, DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal("processed", (await _host.DeliverAsync(reversal)).Status);
        var restore = Assert.Single(await _host.GrantsAsync(user), g => g.GrantKey.Value.StartsWith("apple:refund-reversed:", StringComparison.Ordinal));
        Assert.Equal(50, restore.Amount);
        Assert.Equal($"apple:refund-reversed:{transactionId}:{reversal.NotificationUuid}", restore.GrantKey.Value);
        Assert.Equal(PurchaseStatus.Paid, Assert.Single(await _host.PurchasesAsync(user)).Status);

        Assert.Equal("processed", (await _host.DeliverAsync(Notification("REFUND", revoked, null))).Status);
        var grants = await _host.GrantsAsync(user);
        Assert.Equal(4, grants.Count);
        Assert.Equal(0, grants.Sum(g => g.Amount)); // +50 -50 +50 -50
    }

    [Fact]
    public async Task Revoke_OfASubscriptionPeriod_ClawsBackThatPeriodsGrant_AndEndsTheSubscription_ReversalRestoresTheCredits()
    {
        var user = NewUser();
        var original = NewTransactionId();
        await _host.DeliverAsync(Subscribed(user, original, signedDate: DateTimeOffset.UtcNow.AddMinutes(-10)));
        var refunded = SubscriptionTransaction(original, original, user) with { RevocationDate = DateTimeOffset.UtcNow.AddMinutes(-5), RevocationReason = 1 };

        Assert.Equal("processed", (await _host.DeliverAsync(Notification("REFUND", refunded, RenewalInfo(original, autoRenewStatus: 0), DateTimeOffset.UtcNow.AddMinutes(-4)))).Status);

        var clawback = Assert.Single(await _host.GrantsAsync(user), g => g.Amount < 0);
        Assert.Equal(-100, clawback.Amount);
        Assert.Equal(TransactionType.Refund, clawback.TransactionType);
        Assert.StartsWith($"apple:refund:{original}:", clawback.GrantKey.Value, StringComparison.Ordinal);
        Assert.Equal(SubscriptionStatus.Expired, (await _host.SubscriptionAsync(original))!.Status);
        await MarkDeliveredAsync(clawback.GrantKey.Value); // Flash took the 100: the reversal gives them back

        Assert.Equal("processed", (await _host.DeliverAsync(Notification("REFUND_REVERSED", SubscriptionTransaction(original, original, user), RenewalInfo(original)))).Status);
        var grants = await _host.GrantsAsync(user);
        Assert.Equal(3, grants.Count);
        Assert.Equal(100, grants.Sum(g => g.Amount));
    }

    [Fact]
    public async Task Refund_OfATransactionNeverGranted_IsIgnoredWithTheReason()
    {
        var (status, reason) = await _host.DeliverAsync(Notification("REFUND", new AppleTestTransaction { TransactionId = NewTransactionId(), RevocationDate = DateTimeOffset.UtcNow.AddMinutes(-1) }, null));

        Assert.Equal("ignored", status);
        Assert.Contains("nothing to claw back", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneTimeCharge_WithAnAppAccountToken_GrantsOnce_AndTheVerifyRouteThenFindsItDone()
    {
        var user = NewUser();
        var transaction = new AppleTestTransaction { TransactionId = NewTransactionId(), AppAccountToken = Guid.Parse(user) };

        Assert.Equal("processed", (await _host.DeliverAsync(Notification("ONE_TIME_CHARGE", transaction, null))).Status);
        Assert.Equal("ignored", (await _host.DeliverAsync(Notification("ONE_TIME_CHARGE", transaction, null))).Status);
        var verified = await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(transaction));

        Assert.True(verified.GetProperty("already_processed").GetBoolean());
        var grant = Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal(10, grant.Amount);
        Assert.Equal(TransactionType.AppleIap, grant.TransactionType);
    }

    [Fact]
    public async Task NotificationsForAnUnknownUser_AreIgnoredWithTheReason()
    {
        var original = NewTransactionId();
        var anonymous = new AppleTestTransaction { TransactionId = NewTransactionId() };
        var subscription = SubscriptionTransaction(original, original, NewUser()) with { AppAccountToken = null };

        var charge = await _host.DeliverAsync(Notification("ONE_TIME_CHARGE", anonymous, null));
        var subscribed = await _host.DeliverAsync(Notification("SUBSCRIBED", subscription, RenewalInfo(original)) with { Subtype = "INITIAL_BUY" });
        var failure = await _host.DeliverAsync(Notification("DID_FAIL_TO_RENEW", null, RenewalInfo(original)));

        Assert.Equal("ignored", charge.Status);
        Assert.StartsWith("unknown user", charge.Reason, StringComparison.Ordinal);
        Assert.Equal("ignored", subscribed.Status);
        Assert.StartsWith("unknown user", subscribed.Reason, StringComparison.Ordinal);
        Assert.Equal("ignored", failure.Status);
        Assert.Contains("no subscription is known", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(0, await _host.Database.ScalarAsync($"SELECT count(*) FROM credit_grants WHERE grant_key IN ('apple:transaction:{original}', 'apple:transaction:{anonymous.TransactionId}')"));
    }

    [Fact]
    public async Task RenewalWithoutAToken_FindsTheUserThroughTheSubscriptionTheVerifyRouteRecorded()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMonths(-1).AddHours(-2);
        await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(SubscriptionTransaction(original, original, user, start) with { AppAccountToken = null }));

        var renewal = NewTransactionId();
        var result = await _host.DeliverAsync(Notification("DID_RENEW", SubscriptionTransaction(renewal, original, user, start.AddMonths(1)) with { AppAccountToken = null }, RenewalInfo(original)));

        Assert.Equal("processed", result.Status);
        Assert.Contains(await _host.GrantsAsync(user), g => g.GrantKey.Value == $"apple:transaction:{renewal}");
    }

    [Theory]
    [InlineData("TEST", null, "test notification acknowledged")]
    [InlineData("CONSUMPTION_REQUEST", null, "consumption request recorded")]
    [InlineData("PRICE_INCREASE", "PENDING", "informational")]
    [InlineData("SOMETHING_APPLE_ADDS_LATER", null, "is not handled")]
    public async Task InformationalAndUnknownTypes_Answer200_AndAreRecordedAsIgnored(string type, string? subtype, string reason)
    {
        var notification = new AppleTestNotification { NotificationType = type, Subtype = subtype };

        var (status, lastError) = await _host.DeliverAsync(notification);

        Assert.Equal("ignored", status);
        Assert.Contains(reason, lastError, StringComparison.Ordinal);
        Assert.Equal(subtype is null ? type : $"{type}/{subtype}", await _host.InboxEventTypeAsync(notification.NotificationUuid));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "tampered", "apple.bad_signature" },
        { "tampered-nested-transaction", "apple.bad_signature" },
        { "look-alike-root", "apple.untrusted_chain" },
        { "wrong-bundle", "apple.wrong_bundle" },
        { "wrong-app-apple-id", "apple.wrong_app_apple_id" },
        { "wrong-environment", "apple.wrong_environment" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Webhook_UnverifiableNotification_Is400_AndNothingIsStored(string variant, string expectedCode)
    {
        var user = NewUser();
        var original = NewTransactionId();
        var notification = Subscribed(user, original);
        using var lookAlike = _host.Pki.CreateLookAlike();
        var jws = variant switch
        {
            "tampered" => AppleTestPki.TamperPayload(_host.Pki.SignNotification(notification), json => json.Replace("SUBSCRIBED", "DID_RENEW", StringComparison.Ordinal)),
            "tampered-nested-transaction" => _host.Pki.SignNotification(
                notification,
                AppleTestPki.TamperPayload(_host.Pki.SignTransaction(notification.Transaction!), json => json.Replace(Explorer, "com.timepoint.flash.sub.studio", StringComparison.Ordinal)),
                _host.Pki.SignRenewalInfo(notification.RenewalInfo!)),
            "look-alike-root" => lookAlike.SignNotification(notification),
            "wrong-bundle" => _host.Pki.SignNotification(notification with { BundleId = "com.someone.else" }),
            "wrong-app-apple-id" => _host.Pki.SignNotification(notification with { AppAppleId = 42 }),
            _ => _host.Pki.SignNotification(notification with { Environment = "Sandbox" }),
        };

        using var response = await _host.PostNotificationAsync(jws);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(expectedCode, await ProblemCodeAsync(response));
        Assert.Equal(0, await _host.InboxCountAsync(notification.NotificationUuid));
        Assert.Null(await _host.SubscriptionAsync(original));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"signedPayload\": 42}")]
    [InlineData("{\"signedPayload\": \"a.b.c\"}")]
    public async Task Webhook_MalformedBody_Is400(string body)
    {
        var before = await _host.Database.ScalarAsync("SELECT count(*) FROM inbox_events");
        using var client = _host.Factory.CreateClient();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(new Uri("/webhooks/apple", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await _host.Database.ScalarAsync("SELECT count(*) FROM inbox_events"));
    }

    [Fact]
    public async Task Webhook_OversizedBody_Is400()
    {
        using var response = await _host.PostNotificationAsync(new string('a', 100 * 1024));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("apple.malformed_notification", await ProblemCodeAsync(response));
    }

    [Fact]
    public async Task Processing_VerifiesTheStoredPayloadAgain_AndIgnoresOneAlteredInTheTable()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var notification = Subscribed(user, original);
        using (var response = await _host.PostNotificationAsync(_host.Pki.SignNotification(notification)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Someone with database access swaps the stored body for a forged one under the same event id.
        var forged = AppleTestPki.TamperPayload(_host.Pki.SignNotification(notification), json => json.Replace("\"SUBSCRIBED\"", "\"SUBSCRIBED\" ", StringComparison.Ordinal));
        await using (var command = _host.Database.DataSource.CreateCommand("UPDATE inbox_events SET payload = $1 WHERE event_id = $2"))
        {
            command.Parameters.AddWithValue(JsonSerializer.Serialize(new { signedPayload = forged }));
            command.Parameters.AddWithValue(notification.NotificationUuid.ToString());
            await command.ExecuteNonQueryAsync();
        }

        var (status, reason) = await _host.ProcessAsync(notification.NotificationUuid);

        Assert.Equal("ignored", status);
        Assert.Contains("does not verify (apple.bad_signature)", reason, StringComparison.Ordinal);
        Assert.Null(await _host.SubscriptionAsync(original));
        Assert.Empty(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task RefundReversed_BeforeTheClawbackWasApplied_VoidsIt_AndRestoresNothing()
    {
        var (user, transaction, clawbackKey) = await RefundedPackAsync();

        var reversal = Notification("REFUND_REVERSED", transaction, null, DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal("processed", (await _host.DeliverAsync(reversal)).Status);

        var grants = await _host.GrantsAsync(user);
        Assert.Equal(CreditGrantStatus.Voided, Assert.Single(grants, g => g.GrantKey.Value == clawbackKey).Status);
        Assert.DoesNotContain(grants, g => g.GrantKey.Value.StartsWith("apple:refund-reversed:", StringComparison.Ordinal));
        Assert.Equal(50, grants.Where(g => g.Status != CreditGrantStatus.Voided).Sum(g => g.Amount)); // one payment, one grant
        Assert.Equal(PurchaseStatus.Paid, Assert.Single(await _host.PurchasesAsync(user)).Status);
    }

    [Theory]
    [InlineData("owed_debt", 0, 0)]
    [InlineData("owed_debt", 20, 20)]
    [InlineData("dead", 0, 0)]
    [InlineData("delivered", 0, 50)]
    public async Task RefundReversed_RestoresOnlyWhatTheClawbackReallyDebited(string clawbackStatus, int collectedByNetting, int restored)
    {
        var (user, transaction, clawbackKey) = await RefundedPackAsync();
        await ExecuteAsync($"UPDATE credit_grants SET status = '{clawbackStatus}', debt_collected = {collectedByNetting} WHERE grant_key = '{clawbackKey}'");

        Assert.Equal("processed", (await _host.DeliverAsync(Notification("REFUND_REVERSED", transaction, null))).Status);

        var grants = await _host.GrantsAsync(user);
        var clawback = Assert.Single(grants, g => g.GrantKey.Value == clawbackKey);
        Assert.Equal(clawbackStatus == "delivered" ? CreditGrantStatus.Delivered : CreditGrantStatus.Voided, clawback.Status);
        var restore = grants.Where(g => g.GrantKey.Value.StartsWith("apple:refund-reversed:", StringComparison.Ordinal)).Sum(g => g.Amount);
        Assert.Equal(restored, restore);
    }

    [Theory]
    [InlineData("pending", true, false)]
    [InlineData("pending", false, true)]
    [InlineData("in_doubt", false, true)]
    public async Task RefundReversed_WhileTheClawbackMayBeReachingFlash_WaitsAndGrantsNothing(string clawbackStatus, bool inFlight, bool unconfirmed)
    {
        var (user, transaction, clawbackKey) = await RefundedPackAsync();
        await ExecuteAsync($"UPDATE credit_grants SET status = '{clawbackStatus}', attempt_in_flight = {inFlight}, unconfirmed = {unconfirmed} WHERE grant_key = '{clawbackKey}'");

        var reversal = Notification("REFUND_REVERSED", transaction, null);
        await Assert.ThrowsAsync<Billing.Application.Grants.ClawbackUnsettledException>(() => _host.DeliverAsync(reversal));

        var grants = await _host.GrantsAsync(user);
        Assert.NotEqual(CreditGrantStatus.Voided, Assert.Single(grants, g => g.GrantKey.Value == clawbackKey).Status);
        Assert.DoesNotContain(grants, g => g.GrantKey.Value.StartsWith("apple:refund-reversed:", StringComparison.Ordinal));
        Assert.Equal(PurchaseStatus.Refunded, Assert.Single(await _host.PurchasesAsync(user)).Status);
    }

    [Fact]
    public async Task RefundReversed_OfASubscriptionPeriod_WhoseClawbackIsOwed_VoidsIt_AndRestoresNothing()
    {
        var user = NewUser();
        var original = NewTransactionId();
        await _host.DeliverAsync(Subscribed(user, original, signedDate: DateTimeOffset.UtcNow.AddMinutes(-10)));
        var refunded = SubscriptionTransaction(original, original, user) with { RevocationDate = DateTimeOffset.UtcNow.AddMinutes(-5), RevocationReason = 1 };
        await _host.DeliverAsync(Notification("REFUND", refunded, RenewalInfo(original, autoRenewStatus: 0), DateTimeOffset.UtcNow.AddMinutes(-4)));
        var clawback = Assert.Single(await _host.GrantsAsync(user), g => g.Amount < 0);
        await ExecuteAsync($"UPDATE credit_grants SET status = 'owed_debt' WHERE grant_key = '{clawback.GrantKey.Value}'");

        Assert.Equal("processed", (await _host.DeliverAsync(Notification("REFUND_REVERSED", SubscriptionTransaction(original, original, user), RenewalInfo(original)))).Status);

        var grants = await _host.GrantsAsync(user);
        Assert.Equal(CreditGrantStatus.Voided, Assert.Single(grants, g => g.Amount < 0).Status);
        Assert.Equal(100, grants.Where(g => g.Status != CreditGrantStatus.Voided).Sum(g => g.Amount));
        Assert.Equal(2, grants.Count);
    }

    private async Task<(string User, AppleTestTransaction Transaction, string ClawbackKey)> RefundedPackAsync()
    {
        var user = NewUser();
        var transaction = new AppleTestTransaction { TransactionId = NewTransactionId(), ProductId = "com.timepoint.flash.credits.50", AppAccountToken = Guid.Parse(user) };
        await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(transaction));
        var revoked = transaction with { RevocationDate = DateTimeOffset.UtcNow.AddMinutes(-1), RevocationReason = 0 };
        var refund = Notification("REFUND", revoked, null, DateTimeOffset.UtcNow.AddMinutes(-3));
        Assert.Equal("processed", (await _host.DeliverAsync(refund)).Status);
        return (user, transaction, $"apple:refund:{transaction.TransactionId}:{refund.NotificationUuid}");
    }

    private Task MarkDeliveredAsync(string grantKey) =>
        ExecuteAsync($"UPDATE credit_grants SET status = 'delivered', delivered_at = now() WHERE grant_key = '{grantKey}'");

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _host.Database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static AppleTestNotification Subscribed(string user, string original, DateTimeOffset? start = null, string productId = Explorer, DateTimeOffset? signedDate = null) =>
        Notification("SUBSCRIBED", SubscriptionTransaction(original, original, user, start, productId), RenewalInfo(original, productId), signedDate) with { Subtype = "INITIAL_BUY" };

    private static AppleTestNotification Notification(string type, AppleTestTransaction? transaction, AppleTestRenewalInfo? renewalInfo, DateTimeOffset? signedDate = null) => new()
    {
        NotificationType = type,
        Transaction = transaction,
        RenewalInfo = renewalInfo,
        SignedDate = signedDate,
    };
}
