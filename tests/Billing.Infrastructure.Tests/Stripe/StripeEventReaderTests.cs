using System.Text;
using Billing.Application.Abstractions.Stripe;
using Billing.Infrastructure.Stripe;

namespace Billing.Infrastructure.Tests.Stripe;

/// <summary>The event envelope, read in Infrastructure: the only Stripe JSON this service parses itself.</summary>
public sealed class StripeEventReaderTests
{
    private static readonly StripeEventReader Reader = new();

    private static StripeEventEnvelope Parse(byte[] body) =>
        Reader.TryRead(body, out var stripeEvent, out var error) ? stripeEvent : throw new InvalidOperationException(error);

    [Fact]
    public void Parse_ReadsEnvelopeFields()
    {
        var envelope = Parse(Encoding.UTF8.GetBytes("""
            {"id":"evt_1","object":"event","api_version":"2026-07-29.dahlia","created":1750000000,"livemode":true,
             "pending_webhooks":1,"type":"customer.subscription.updated",
             "request":{"id":"req_1","idempotency_key":"key-1"},
             "data":{"object":{"id":"sub_1","object":"subscription","status":"active"},
                     "previous_attributes":{"status":"past_due"}}}
            """));

        Assert.Equal("evt_1", envelope.Id);
        Assert.Equal("customer.subscription.updated", envelope.Type);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1750000000), envelope.Created);
        Assert.True(envelope.Livemode);
        Assert.Equal("2026-07-29.dahlia", envelope.ApiVersion);
        Assert.Equal("subscription", envelope.DataObjectType);
        Assert.Equal("sub_1", envelope.DataObjectId);
        Assert.Equal("req_1", envelope.RequestId);
        Assert.Equal("key-1", envelope.RequestIdempotencyKey);
    }

    [Fact]
    public void Parse_ToleratesNullRequestAndLegacyStringRequest()
    {
        var automatic = Parse(Encoding.UTF8.GetBytes("""
            {"id":"evt_2","type":"invoice.paid","created":1,"request":{"id":null,"idempotency_key":null},"data":{"object":{"id":"in_1"}}}
            """));
        var legacy = Parse(Encoding.UTF8.GetBytes("""
            {"id":"evt_3","type":"invoice.paid","created":1,"request":"req_9","data":{"object":{"id":"in_1"}}}
            """));

        Assert.Null(automatic.RequestId);
        Assert.Equal("req_9", legacy.RequestId);
        Assert.Null(legacy.RequestIdempotencyKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"id\":\"evt_1\",")]
    [InlineData("[]")]
    [InlineData("{\"id\":\"evt_1\",\"type\":\"x\",\"created\":1}")]
    [InlineData("{\"id\":\"evt_1\",\"type\":\"x\",\"created\":1,\"data\":{\"object\":\"str\"}}")]
    [InlineData("{\"type\":\"x\",\"created\":1,\"data\":{\"object\":{}}}")]
    [InlineData("{\"id\":\"evt_1\",\"object\":\"invoice\",\"type\":\"x\",\"created\":1,\"data\":{\"object\":{}}}")]
    public void TryParse_FailsCleanly(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);

        Assert.False(Reader.TryRead(bytes, out var envelope, out var error));
        Assert.Null(envelope);
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<InvalidOperationException>(() => Parse(bytes));
    }
}
