using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.ApiKeys.RevokeApiKey;

/// <summary>Revokes one of the user's keys (idempotent); unknown or another user's id → 404.</summary>
public sealed record RevokeApiKeyCommand(string UserId, string KeyId) : ICommand<bool>;
