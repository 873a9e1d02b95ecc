using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Inbox.ReceiveProviderEvent;

/// <summary>Store a verified provider event before answering 2xx. A redelivery of a stored event id changes nothing.</summary>
public sealed record ReceiveProviderEventCommand(string Provider, string EventId, string EventType, string Payload, DateTimeOffset? ProviderCreatedAt)
    : ICommand<ReceiveProviderEventResult>;

public sealed record ReceiveProviderEventResult(bool Duplicate);
