using Billing.Application.Abstractions.Persistence;
using Billing.Application.Status.GetBillingStatus;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace Billing.Application.Tests.Status;

public sealed class GetBillingStatusValidationTests
{
    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task Send_WithABlankUserId_IsRefusedByValidationBeforeTheHandlerRuns(string userId)
    {
        var db = Substitute.For<IBillingDbContext>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBillingApplication();
        services.AddSingleton(db);
        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();

        var exception = await Assert.ThrowsAsync<ValidationException>(() => scope.ServiceProvider.GetRequiredService<IMediator>().Send(new GetBillingStatusQuery(userId)));

        Assert.Contains(exception.Errors, e => e.PropertyName == nameof(GetBillingStatusQuery.UserId));
        _ = db.DidNotReceive().Subscriptions;
    }
}
