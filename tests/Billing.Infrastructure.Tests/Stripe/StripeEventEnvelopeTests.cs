using System.Text;
using Billing.Application.Abstractions.Stripe;

namespace Billing.Infrastructure.Tests.Stripe;

public sealed class StripeEventEnvelopeTests
{
    [Fact]
    public void Parse_ReadsEnvelopeFields()
    {
        var envelope = StripeEventEnvelope.Parse(Encoding.UTF8.GetBytes("""
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
        Assert.Equal("past_due", envelope.PreviousAttributes!.Value.GetProperty("status").GetString());
        Assert.Equal("req_1", envelope.RequestId);
        Assert.Equal("key-1", envelope.RequestIdempotencyKey);
        Assert.Equal("active", StripeSubscription.FromJson(envelope.DataObject).Status);
    }

    [Fact]
    public void Parse_ToleratesNullRequestAndLegacyStringRequest()
    {
        var automatic = StripeEventEnvelope.Parse(Encoding.UTF8.GetBytes("""
            {"id":"evt_2","type":"invoice.paid","created":1,"request":{"id":null,"idempotency_key":null},"data":{"object":{"id":"in_1"}}}
            """));
        var legacy = StripeEventEnvelope.Parse(Encoding.UTF8.GetBytes("""
            {"id":"evt_3","type":"invoice.paid","created":1,"request":"req_9","data":{"object":{"id":"in_1"}}}
            """));

        Assert.Null(automatic.RequestId);
        Assert.Null(automatic.PreviousAttributes);
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

        Assert.False(StripeEventEnvelope.TryParse(bytes, out var envelope, out var error));
        Assert.Null(envelope);
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<StripeObjectFormatException>(() => StripeEventEnvelope.Parse(bytes));
    }
}
