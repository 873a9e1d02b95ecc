using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.ApiKeys.RollApiKey;

/// <summary>Issues a successor of the user's key; the old key keeps working for <see cref="ExpireOldInSeconds"/> (0–604800).</summary>
public sealed record RollApiKeyCommand(string UserId, string KeyId, long? ExpireOldInSeconds) : ICommand<CreatedApiKeyResponse>;
