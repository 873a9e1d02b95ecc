using MediatR;

namespace Billing.Application.Inbox.ReceiveProviderEvent;

/// <summary>
/// Store a verified provider event before answering 2xx. A redelivery of a stored event id is a duplicate (answered 2xx);
/// it changes nothing, except that an event parked as failed is reset for processing.
/// Deliberately not an <c>ICommand</c>: its whole write is one atomic INSERT … ON CONFLICT, so the unit of work's explicit
/// transaction would only add round trips on the hottest path (webhook intake; see docs/benchmarks.md).
/// </summary>
public sealed record ReceiveProviderEventCommand(string Provider, string EventId, string EventType, string Payload, DateTimeOffset? ProviderCreatedAt)
    : IRequest<ReceiveProviderEventResult>;

public sealed record ReceiveProviderEventResult(bool Duplicate);
