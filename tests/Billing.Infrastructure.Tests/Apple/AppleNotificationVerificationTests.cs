using Billing.Application.Abstractions.Apple;
using Billing.Infrastructure.Apple;
using Billing.TestFakes.Apple;

namespace Billing.Infrastructure.Tests.Apple;

public sealed class AppleNotificationVerificationTests : IDisposable
{
    private readonly AppleTestPki _pki = AppleTestPki.Create();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Notification_with_nested_transaction_and_renewal_info_verifies_and_exposes_both()
    {
        var uuid = Guid.NewGuid();
        var token = Guid.NewGuid();
        var expires = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var jws = _pki.SignNotification(new AppleTestNotification
        {
            NotificationType = "SUBSCRIBED",
            Subtype = "INITIAL_BUY",
            NotificationUuid = uuid,
            Status = 1,
            Transaction = new AppleTestTransaction
            {
                TransactionId = "900",
                ProductId = "com.timepoint.flash.sub.explorer",
                Type = "Auto-Renewable Subscription",
                ExpiresDate = expires,
                AppAccountToken = token,
            },
            RenewalInfo = new AppleTestRenewalInfo { OriginalTransactionId = "900" },
        });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(jws);

        Assert.True(result.IsValid, result.ToString());
        var notification = result.Value;
        Assert.Equal("SUBSCRIBED", notification.NotificationType);
        Assert.Equal("INITIAL_BUY", notification.Subtype);
        Assert.Equal(uuid.ToString(), notification.NotificationUuid);
        Assert.Equal("2.0", notification.Version);
        Assert.Equal(AppleTestPki.DefaultAppAppleId, notification.AppAppleId);
        Assert.NotNull(notification.Data);
        Assert.Equal(1, notification.Data.Status);
        Assert.Equal("Production", notification.Data.Environment);
        Assert.NotNull(notification.Data.Transaction);
        Assert.Equal("900", notification.Data.Transaction.TransactionId);
        Assert.Equal(expires, notification.Data.Transaction.ExpiresDate);
        Assert.Equal(token, notification.Data.Transaction.AppAccountToken);
        Assert.NotNull(notification.Data.RenewalInfo);
        Assert.Equal("900", notification.Data.RenewalInfo.OriginalTransactionId);
    }

    [Fact]
    public void Unknown_notification_type_still_decodes()
    {
        var jws = _pki.SignNotification(new AppleTestNotification { NotificationType = "SOMETHING_NEW_IN_2027" });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(jws);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal("SOMETHING_NEW_IN_2027", result.Value.NotificationType);
    }

    [Fact]
    public void Tampered_nested_transaction_is_refused()
    {
        var nested = _pki.SignTransaction(new AppleTestTransaction { Quantity = 1 });
        var tampered = AppleTestPki.TamperPayload(nested, json => json.Replace("\"quantity\":1", "\"quantity\":9", StringComparison.Ordinal));
        var jws = _pki.SignNotification(new AppleTestNotification(), tampered, null);

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(jws);

        Assert.Equal(AppleVerificationFailure.BadSignature, result.Failure);
        Assert.StartsWith("data.signedTransactionInfo", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Tampered_nested_renewal_info_is_refused()
    {
        var nested = _pki.SignRenewalInfo(new AppleTestRenewalInfo { AutoRenewStatus = 0 });
        var tampered = AppleTestPki.TamperPayload(nested, json => json.Replace("\"autoRenewStatus\":0", "\"autoRenewStatus\":1", StringComparison.Ordinal));
        var jws = _pki.SignNotification(new AppleTestNotification { NotificationType = "DID_CHANGE_RENEWAL_STATUS" }, null, tampered);

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(jws);

        Assert.Equal(AppleVerificationFailure.BadSignature, result.Failure);
        Assert.StartsWith("data.signedRenewalInfo", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_transaction_signed_under_a_look_alike_root_is_refused()
    {
        using var lookAlike = _pki.CreateLookAlike();
        var nested = lookAlike.SignTransaction(new AppleTestTransaction());
        var jws = _pki.SignNotification(new AppleTestNotification(), nested, null);

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(jws);

        Assert.Equal(AppleVerificationFailure.UntrustedChain, result.Failure);
    }

    [Fact]
    public void Nested_transaction_of_another_bundle_is_refused()
    {
        var jws = _pki.SignNotification(new AppleTestNotification
        {
            Transaction = new AppleTestTransaction { BundleId = "com.timepoint.other" },
        });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(jws);

        Assert.Equal(AppleVerificationFailure.WrongBundle, result.Failure);
    }

    [Fact]
    public void Tampered_outer_payload_is_refused()
    {
        var jws = _pki.SignNotification(new AppleTestNotification { NotificationType = "REFUND_DECLINED" });
        var tampered = AppleTestPki.TamperPayload(jws, json => json.Replace("REFUND_DECLINED", "REFUND_REVERSED", StringComparison.Ordinal));

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(tampered);

        Assert.Equal(AppleVerificationFailure.BadSignature, result.Failure);
    }

    [Fact]
    public void Notification_for_another_bundle_is_refused()
    {
        var jws = _pki.SignNotification(new AppleTestNotification { BundleId = "com.timepoint.other" });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(jws);

        Assert.Equal(AppleVerificationFailure.WrongBundle, result.Failure);
    }

    [Fact]
    public void Production_notification_with_another_appAppleId_is_refused()
    {
        var jws = _pki.SignNotification(new AppleTestNotification { AppAppleId = AppleTestPki.DefaultAppAppleId + 1 });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(jws);

        Assert.Equal(AppleVerificationFailure.WrongAppAppleId, result.Failure);
    }

    [Fact]
    public void Production_notification_without_appAppleId_is_refused_when_one_is_configured()
    {
        var jws = _pki.SignNotification(new AppleTestNotification { AppAppleId = null });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(jws);

        Assert.Equal(AppleVerificationFailure.WrongAppAppleId, result.Failure);
    }

    [Fact]
    public void AppAppleId_is_not_checked_when_none_is_configured()
    {
        var jws = _pki.SignNotification(new AppleTestNotification { AppAppleId = 42 });

        var result = AppleVerifierFixtures.ForPki(_pki, appAppleId: null).VerifyNotification(jws);

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Sandbox_notification_without_appAppleId_verifies_only_when_Sandbox_is_allowed()
    {
        var jws = _pki.SignNotification(new AppleTestNotification
        {
            Environment = "Sandbox",
            AppAppleId = null,
            Transaction = new AppleTestTransaction { Environment = "Sandbox" },
        });

        var strict = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(jws);
        var lenient = AppleVerifierFixtures.ForPki(_pki, allowSandbox: true).VerifyNotification(jws);

        Assert.Equal(AppleVerificationFailure.WrongAppAppleId, strict.Failure);
        Assert.True(lenient.IsValid, lenient.ToString());
    }

    [Fact]
    public void Sandbox_notification_is_refused_by_Production_when_Sandbox_is_not_allowed()
    {
        var jws = _pki.SignNotification(new AppleTestNotification { Environment = "Sandbox" });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(jws);

        Assert.Equal(AppleVerificationFailure.WrongEnvironment, result.Failure);
    }

    [Fact]
    public void Sandbox_notification_with_Production_nested_transaction_verifies_only_if_both_environments_are_accepted()
    {
        var jws = _pki.SignNotification(new AppleTestNotification
        {
            Environment = "Sandbox",
            AppAppleId = null,
            Transaction = new AppleTestTransaction { Environment = "Production" },
        });

        var sandboxOnly = AppleVerifierFixtures.ForPki(_pki, environment: AppleOptions.SandboxEnvironment).VerifyNotification(jws);

        Assert.Equal(AppleVerificationFailure.WrongEnvironment, sandboxOnly.Failure);
        Assert.StartsWith("data.signedTransactionInfo", sandboxOnly.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Notification_signed_by_an_expired_leaf_is_refused()
    {
        using var pki = AppleTestPki.Create(AppleTestPkiOptions.ExpiredLeaf);

        var result = AppleVerifierFixtures.ForPki(pki).VerifyNotification(pki.SignNotification(new AppleTestNotification()));

        Assert.Equal(AppleVerificationFailure.CertificateExpiredAtSignedDate, result.Failure);
    }

    [Fact]
    public void Nested_transaction_that_is_not_a_string_is_malformed()
    {
        var json = new AppleTestNotification().ToJson(null, null)
            .Replace("\"data\":{", "\"data\":{\"signedTransactionInfo\":{\"transactionId\":\"1\"},", StringComparison.Ordinal);

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyNotification(_pki.Sign(json));

        Assert.Equal(AppleVerificationFailure.Malformed, result.Failure);
    }
}
