using Billing.Application.Abstractions.Flash;
using Billing.Infrastructure.Flash;

namespace Billing.Infrastructure.Tests.Flash;

public sealed class FlashErrorParsingTests
{
    [Fact]
    public void Route_error_envelope()
    {
        var error = FlashErrorParser.Parse(404, """{"error":"User not found","detail":null}""");

        Assert.Equal("User not found", error.Error);
        Assert.Null(error.Detail);
        Assert.Equal("User not found", error.Message);
    }

    [Fact]
    public void Middleware_envelope_has_only_error()
    {
        var error = FlashErrorParser.Parse(403, """{"error":"Invalid gateway signature"}""");

        Assert.Equal("Invalid gateway signature", error.Message);
        Assert.Empty(error.ValidationIssues);
    }

    [Fact]
    public void Debug_500_keeps_both_error_and_detail()
    {
        var error = FlashErrorParser.Parse(500, """{"error":"Internal server error","detail":"No credit account for user x"}""");

        Assert.Equal("Internal server error", error.Error);
        Assert.Equal("No credit account for user x", error.Detail);
    }

    [Fact]
    public void FastApi_validation_array()
    {
        var error = FlashErrorParser.Parse(422, """{"detail":[{"type":"greater_than","loc":["body","amount"],"msg":"Input should be greater than 0","input":0,"ctx":{"gt":0}},{"type":"missing","loc":["query","limit",0],"msg":"Field required"}]}""");

        Assert.Null(error.Error);
        Assert.Equal(2, error.ValidationIssues.Count);
        Assert.Equal(new FlashValidationIssue("body.amount", "Input should be greater than 0", "greater_than"), error.ValidationIssues[0]);
        Assert.Equal("query.limit.0", error.ValidationIssues[1].Location);
        Assert.Equal("body.amount: Input should be greater than 0; query.limit.0: Field required", error.Message);
    }

    [Theory]
    [InlineData(404, "Not Found")]
    [InlineData(405, "Method Not Allowed")]
    public void Starlette_detail_string(int status, string detail)
    {
        var error = FlashErrorParser.Parse(status, $$"""{"detail":"{{detail}}"}""");

        Assert.Null(error.Error);
        Assert.Equal(detail, error.Detail);
        Assert.Equal(detail, error.Message);
    }

    [Fact]
    public void Non_json_body_keeps_a_short_excerpt()
    {
        var error = FlashErrorParser.Parse(502, "<html>" + new string('x', 500) + "</html>");

        Assert.Equal(200, error.Detail!.Length);
        Assert.StartsWith("<html>", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("[1,2]")]
    public void Empty_or_odd_bodies_fall_back_to_the_status(string? body)
    {
        var error = FlashErrorParser.Parse(503, body);

        Assert.Null(error.Error);
        Assert.StartsWith(body is null or "" ? "HTTP 503" : "[1,2]", error.Message, StringComparison.Ordinal);
    }
}
