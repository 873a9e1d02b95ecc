using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.ApiKeys.CreateApiKey;

/// <summary>Issues a key for the user; <see cref="Mode"/> is "live" or "test".</summary>
public sealed record CreateApiKeyCommand(string UserId, string? Name, string? Mode, DateTimeOffset? ExpiresAt) : ICommand<CreatedApiKeyResponse>;
