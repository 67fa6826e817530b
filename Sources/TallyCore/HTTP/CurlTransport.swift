/// The live `HTTPTransport`: libcurl's multi interface on one dedicated thread.
///
/// Requests from any number of tasks run concurrently on that thread and share its connection cache
/// (keep-alive reuse); the awaiting tasks are suspended, not blocked. TLS verification is always on.
/// Cancelling an awaiting task removes its transfer at once.
public final class CurlTransport: HTTPTransport {
    private let loop: CurlMultiLoop
    private let maxResponseBytes: Int

    /// The largest body read: far above any Stripe page (100 objects), far below what would exhaust memory.
    public static let defaultMaxResponseBytes = 64 * 1024 * 1024

    /// Starts the transfer thread. `maxHostConnections` caps the connections open to one host; a body past
    /// `maxResponseBytes` stops its transfer with `HTTPTransportError.Kind.responseTooLarge`.
    public init(maxHostConnections: Int = 64, maxResponseBytes: Int = CurlTransport.defaultMaxResponseBytes) {
        loop = CurlMultiLoop(maxHostConnections: maxHostConnections)
        self.maxResponseBytes = maxResponseBytes
    }

    /// Transfers currently in flight on the transfer thread.
    var activeTransfers: Int { loop.activeTransfers }

    deinit {
        loop.shutdown()
    }

    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let transfer = try CurlTransfer(request: request, maxBodyBytes: maxResponseBytes)
        let loop = self.loop
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.continuation = continuation
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }
}
