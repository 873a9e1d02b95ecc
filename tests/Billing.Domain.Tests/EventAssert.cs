using Billing.Domain.Common;

namespace Billing.Domain.Tests;

/// <summary>Asserts which domain events an aggregate raised, in order, and hands them back for further checks.</summary>
internal static class EventAssert
{
    public static IReadOnlyList<IDomainEvent> Raised(AggregateRoot aggregate, params Type[] expected)
    {
        var events = aggregate.DomainEvents.ToList();
        Assert.Equal(expected, events.Select(e => e.GetType()).ToArray());
        return events;
    }

    public static T RaisedSingle<T>(AggregateRoot aggregate)
        where T : IDomainEvent
    {
        var events = Raised(aggregate, typeof(T));
        return Assert.IsType<T>(events[0]);
    }

    public static void None(AggregateRoot aggregate) => Assert.Empty(aggregate.DomainEvents);

    /// <summary>The grants owed by the raised events (grants and clawbacks alike).</summary>
    public static IReadOnlyList<CreditGrantRequest> Grants(AggregateRoot aggregate) =>
        [.. aggregate.DomainEvents.OfType<ICreditsOwedEvent>().Select(e => e.Grant)];
}
