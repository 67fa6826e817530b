import Foundation
import Logging

/// The live Stripe API client: form-encodes requests, sends them over an `HTTPTransport`, and applies
/// Stripe's rules for idempotency, retries, rate limits and errors. Every attempt is logged to the call log.
public final class StripeClient: StripeAPI {
    public let configuration: StripeClientConfiguration
    private let transport: any HTTPTransport
    private let clock: any TallyClock
    private let logger: Logger
    private let runID: Int64?
    private let retryPolicy: RetryPolicy
    /// Every call except meter events; and meter events, which Stripe limits on their own in live mode.
    private let generalBucket: RateLimiter
    private let meterEventBucket: RateLimiter
    private let rateLimits: StripeRateLimits
    private let circuitBreaker: CircuitBreaker
    private let concurrency: ConcurrencyLimit
    private let callLog: APICallLog

    public init(
        configuration: StripeClientConfiguration,
        transport: any HTTPTransport = CurlTransport(),
        clock: any TallyClock = SystemClock(),
        recorder: (any APICallRecorder)? = nil,
        logger: Logger = Logger(label: "tally.stripe"),
        runID: Int64? = nil,
        retryPolicy: RetryPolicy? = nil
    ) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.runID = runID
        self.retryPolicy = retryPolicy ?? RetryPolicy(
            maxAttempts: configuration.maxAttempts,
            baseBackoff: configuration.baseBackoff,
            maxBackoff: configuration.maxBackoff
        )
        rateLimits = configuration.rateLimits
        generalBucket = RateLimiter(ratePerSecond: rateLimits.general.rate, burst: rateLimits.general.burst, clock: clock)
        meterEventBucket = RateLimiter(ratePerSecond: rateLimits.meterEvents.rate, burst: rateLimits.meterEvents.burst,
                                       clock: clock)
        circuitBreaker = CircuitBreaker(threshold: configuration.circuitBreakerThreshold)
        concurrency = ConcurrencyLimit(limit: configuration.maxConcurrentRequests)
        callLog = APICallLog(recorder: recorder, batchSize: 100, logger: logger)
    }

    /// Writes the buffered call log to the recorder; call it before a job ends.
    public func flushCallLog() async throws {
        try await callLog.flush()
    }

    /// The rate the general bucket currently allows (lower for a while after a 429).
    public var currentRateLimit: Double {
        get async { await generalBucket.currentRate }
    }

    /// The rate the meter-event bucket currently allows (lower for a while after a 429 to a meter event).
    public var currentMeterEventRateLimit: Double {
        get async { await meterEventBucket.currentRate }
    }

    /// The buckets a call to `path` draws on: the path alone decides, so no caller has to choose.
    private func buckets(for path: String) -> [RateLimiter] {
        guard StripeRateLimits.isMeterEvent(path: path) else { return [generalBucket] }
        return rateLimits.meterEventsDrawOnGeneral ? [meterEventBucket, generalBucket] : [meterEventBucket]
    }

    public func send(_ request: StripeRequest) async throws -> StripeResponse {
        var request = request
        let endpoint = request.endpoint
        if request.method == .post, request.idempotencyKey == nil {
            // One key for every attempt of this request: Stripe replays the first outcome instead of
            // acting twice.
            request.idempotencyKey = UUID().uuidString
        }
        let buckets = self.buckets(for: request.path)
        var attempt = 0
        while true {
            attempt += 1
            try circuitBreaker.ensureClosed(endpoint: endpoint)
            let httpRequest = makeHTTPRequest(request, attempt: attempt)
            let (outcome, startedAt, latency) = try await perform(httpRequest, buckets: buckets)
            switch outcome {
            case .success(let response) where (200..<300).contains(response.status):
                await log(request, startedAt: startedAt, latency: latency, status: response.status,
                          headers: response.headers, errorCode: nil, attempt: attempt)
                circuitBreaker.recordSuccess()
                return StripeResponse(status: response.status, headers: response.headers, body: response.body,
                                      endpoint: endpoint)

            case .success(let response):
                let detail = redacted(try? StripeDecoding.decoder().decode(StripeErrorBody.self, from: response.body).error)
                await log(request, startedAt: startedAt, latency: latency, status: response.status,
                          headers: response.headers, errorCode: detail.map { $0.code ?? $0.type } ?? "http_\(response.status)",
                          attempt: attempt)
                // A rate limit lowers the rate of the buckets this call drew on; `lock_timeout` is another
                // request holding the same object, which sending slower does not help.
                if response.status == 429, detail?.code != "lock_timeout" {
                    for bucket in buckets { await bucket.recordRateLimited(sentAt: startedAt) }
                }
                if attempt < retryPolicy.maxAttempts, retryPolicy.shouldRetry(status: response.status, headers: response.headers) {
                    let delay = retryPolicy.delay(afterAttempt: attempt, retryAfter: RetryPolicy.retryAfter(in: response.headers))
                    logger.notice("Stripe call will be retried", metadata: [
                        "endpoint": "\(endpoint)", "status": "\(response.status)", "attempt": "\(attempt)",
                        "delay_s": "\(delay.timeInterval)", "request_id": "\(response.headers["Request-Id"] ?? "-")",
                    ])
                    try await clock.sleep(for: delay)
                    continue
                }
                let error = StripeError.response(status: response.status, endpoint: endpoint,
                                                 requestID: response.headers["Request-Id"], detail: detail, attempts: attempt,
                                                 apiBase: configuration.apiBase)
                throw concluded(error)

            case .failure(let transportError):
                let safe = HTTPTransportError(kind: transportError.kind, message: redact(transportError.message),
                                              code: transportError.code)
                await log(request, startedAt: startedAt, latency: latency, status: 0, headers: HTTPHeaderFields(),
                          errorCode: safe.kind.rawValue, attempt: attempt)
                if attempt < retryPolicy.maxAttempts, retryPolicy.shouldRetry(safe) {
                    let delay = retryPolicy.delay(afterAttempt: attempt)
                    logger.notice("Stripe call will be retried", metadata: [
                        "endpoint": "\(endpoint)", "error": "\(safe)", "attempt": "\(attempt)",
                        "delay_s": "\(delay.timeInterval)",
                    ])
                    try await clock.sleep(for: delay)
                    continue
                }
                throw concluded(StripeError.transport(safe, endpoint: endpoint, attempts: attempt, apiBase: configuration.apiBase))
            }
        }
    }

    /// One attempt through the concurrency cap and the rate limiter's buckets.
    private func perform(_ request: HTTPRequest, buckets: [RateLimiter]) async throws
        -> (Result<HTTPResponse, HTTPTransportError>, Date, Double)
    {
        try await concurrency.withSlot {
            for bucket in buckets { try await bucket.acquire() }
            let startedAt = clock.now()
            let start = ContinuousClock.now
            let outcome: Result<HTTPResponse, HTTPTransportError>
            do {
                outcome = .success(try await transport.execute(request))
            } catch let error as HTTPTransportError {
                outcome = .failure(error)
            }
            let latency = (ContinuousClock.now - start).timeInterval * 1000
            return (outcome, startedAt, latency)
        }
    }

    /// Feeds a final failure to the circuit breaker; returns the error to throw (circuit-open when this one opened it).
    private func concluded(_ error: StripeError) -> StripeError {
        if error.countsAsUnavailable {
            if let open = circuitBreaker.recordFailure(error.message, endpoint: error.endpoint) {
                logger.error("Stripe circuit opened", metadata: ["endpoint": "\(error.endpoint)", "error": "\(open)"])
                return open
            }
        } else {
            // Stripe answered and meant it (400, 401, 404…): the service itself is up.
            circuitBreaker.recordSuccess()
        }
        logger.warning("Stripe call failed", metadata: [
            "endpoint": "\(error.endpoint)", "code": "\(error.code.rawValue)", "error": "\(error)",
        ])
        return error
    }

    private func makeHTTPRequest(_ request: StripeRequest, attempt: Int) -> HTTPRequest {
        var headers = HTTPHeaderFields()
        headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey.revealed)")
        headers.add(name: "Stripe-Version", value: configuration.apiVersion)
        headers.add(name: "User-Agent", value: configuration.userAgent)
        headers.add(name: "Accept", value: "application/json")
        var url = configuration.apiBase.trimmingSuffix("/") + request.path
        var body: Data?
        let encoded = FormEncoder.encode(request.parameters)
        switch request.method {
        case .post:
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            if let key = request.idempotencyKey(attempt: attempt) {
                headers.add(name: "Idempotency-Key", value: key)
            }
            body = Data(encoded.utf8)
        case .get, .delete:
            if !encoded.isEmpty { url += "?" + encoded }
        }
        return HTTPRequest(method: request.method, url: url, headers: headers, body: body,
                           connectTimeout: configuration.connectTimeout, totalTimeout: configuration.requestTimeout)
    }

    private func log(_ request: StripeRequest, startedAt: Date, latency: Double, status: Int, headers: HTTPHeaderFields,
                     errorCode: String?, attempt: Int) async {
        let record = APICallRecord(
            startedAt: startedAt, method: request.method.rawValue, path: request.sanitizedPath, status: status,
            latencyMilliseconds: latency, requestID: headers["Request-Id"], rateLimited: status == 429,
            errorCode: errorCode, attempt: attempt, runID: runID
        )
        logger.debug("Stripe call", metadata: [
            "endpoint": "\(request.endpoint)", "status": "\(status)", "attempt": "\(attempt)",
            "latency_ms": "\(Int(latency))", "request_id": "\(record.requestID ?? "-")",
        ])
        await callLog.append(record)
    }

    private func redact(_ text: String) -> String {
        SecretRedactor.redact(text, secret: configuration.apiKey)
    }

    private func redacted(_ detail: StripeErrorBody.Detail?) -> StripeErrorBody.Detail? {
        guard var detail else { return nil }
        detail.message = detail.message.map(redact)
        return detail
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var result = self
        while result.hasSuffix(suffix) { result.removeLast(suffix.count) }
        return result
    }
}
