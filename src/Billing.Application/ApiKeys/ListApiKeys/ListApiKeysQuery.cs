using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.ApiKeys.ListApiKeys;

/// <summary>The user's keys, newest first, without secrets.</summary>
public sealed record ListApiKeysQuery(string UserId) : IQuery<ApiKeyListResponse>;
