namespace Billing.Application.Abstractions.Inbox;

/// <summary>
/// Masks a stored provider payload for an operator's eyes (emails, tokens, secrets, signed blobs). The payload is a
/// provider's wire format, so it is read in Infrastructure.
/// </summary>
public interface IStoredPayloadMasker
{
    string Mask(string payload);
}
