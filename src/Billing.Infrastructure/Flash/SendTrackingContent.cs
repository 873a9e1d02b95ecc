using System.Net;
using System.Net.Http.Headers;

namespace Billing.Infrastructure.Flash;

/// <summary>
/// JSON request content that records whether the HTTP stack started writing it. The handler only serializes content after a
/// connection is established and the request line and headers are written, and Flash cannot act on a request without its
/// body. So "never started" proves a non-idempotent request was not applied (connection refused, DNS failure, connect timeout),
/// and "started" means it may have been. SocketsHttpHandler's own silent retry on a stale pooled connection also only happens
/// before the body is started, so it cannot duplicate a grant either.
/// </summary>
internal sealed class SendTrackingContent : HttpContent
{
    private readonly byte[] _payload;
    private int _started;

    public SendTrackingContent(byte[] payload)
    {
        _payload = payload;
        Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
    }

    public bool SerializationStarted => Volatile.Read(ref _started) == 1;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _started, 1);
        await stream.WriteAsync(_payload, cancellationToken);
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _started, 1);
        stream.Write(_payload);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _payload.Length;
        return true;
    }
}
