import Logging

/// Buffers call records and hands them to the recorder in batches, so logging every attempt costs one
/// write per batch rather than one per call.
actor APICallLog {
    private let recorder: (any APICallRecorder)?
    private let batchSize: Int
    private let logger: Logger
    private var buffer: [APICallRecord] = []
    /// Beyond this many unflushed records (a recorder that keeps failing), the oldest are dropped.
    private let maximumBuffered = 10_000

    init(recorder: (any APICallRecorder)?, batchSize: Int, logger: Logger) {
        self.recorder = recorder
        self.batchSize = max(1, batchSize)
        self.logger = logger
    }

    func append(_ record: APICallRecord) async {
        guard recorder != nil else { return }
        buffer.append(record)
        if buffer.count > maximumBuffered {
            buffer.removeFirst(buffer.count - maximumBuffered)
        }
        if buffer.count >= batchSize {
            try? await flush()
        }
    }

    /// Writes everything buffered; on failure the records stay buffered for the next flush.
    func flush() async throws {
        guard let recorder, !buffer.isEmpty else { return }
        let batch = buffer
        buffer.removeAll()
        do {
            try await recorder.record(batch)
        } catch {
            buffer.insert(contentsOf: batch, at: 0)
            logger.warning("could not store the Stripe call log; will retry at the next flush",
                           metadata: ["records": "\(batch.count)", "error": "\(error)"])
            throw error
        }
    }
}
