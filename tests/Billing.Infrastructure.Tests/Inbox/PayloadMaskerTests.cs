using Billing.Infrastructure.Inbox;

namespace Billing.Infrastructure.Tests.Inbox;

public sealed class PayloadMaskerTests
{
    private static readonly PayloadMasker Masker = new();

    [Fact]
    public void Emails_KeepTheirFirstLetterAndDomain_AndTokensTheirLengthOnly()
    {
        const string jws = "eyJhbGciOiJFUzI1NiJ9.eyJub3RpZmljYXRpb25UeXBlIjoiU1VCU0NSSUJFRCJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";
        var masked = Masker.Mask($$$"""
            {"id":"evt_1","data":{"object":{"customer_email":"Jane.Doe@example.com","client_secret":"cs_secret_abc",
             "metadata":{"note":"contact jane.doe@example.com"},"card":{"last4":"4242"}},
             "list":["x@y.io"]},"signedPayload":"{{{jws}}}","plain":"{{{jws}}}"}
            """);

        Assert.DoesNotContain("Jane.Doe@example.com", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("jane.doe@example.com", masked, StringComparison.Ordinal);
        Assert.Contains("J•••@example.com", masked, StringComparison.Ordinal);
        Assert.Contains("contact j•••@example.com", masked, StringComparison.Ordinal);
        Assert.Contains("x•••@y.io", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("cs_secret_abc", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("4242", masked, StringComparison.Ordinal);
        Assert.DoesNotContain(jws, masked, StringComparison.Ordinal);
        Assert.Contains($"[masked, {jws.Length} characters]", masked, StringComparison.Ordinal);
        Assert.Contains("\"evt_1\"", masked, StringComparison.Ordinal);
    }

    [Fact]
    public void APayloadThatIsNotJson_IsMaskedAsText()
    {
        Assert.Equal("from a•••@b.example", Masker.Mask("from alice@b.example"));
    }
}
