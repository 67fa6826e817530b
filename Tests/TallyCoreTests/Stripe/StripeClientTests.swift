import Foundation
import Logging
import Synchronization
import Testing
import TallyTestKit
@testable import TallyCore

/// The client's rules (retries, errors, idempotency keys, the breaker, secrecy) against a scripted transport;
/// `StripeClientLoopbackTests` exercises the same client over real HTTP.
@Suite("Stripe client rules")
struct StripeClientTests {
    static let key = Secret("sk_test_51SuperSecretKeyDoNotLeak0123456789")

    final class MemoryRecorder: APICallRecorder {
        let records = Mutex<[APICallRecord]>([])
        func record(_ calls: [APICallRecord]) async throws { records.withLock { $0.append(contentsOf: calls) } }
        var all: [APICallRecord] { records.withLock { $0 } }
    }

    func client(_ transport: ScriptedTransport, clock: ManualClock = ManualClock(), threshold: Int = 5,
                recorder: MemoryRecorder? = nil, logger: Logger? = nil) -> StripeClient {
        StripeClient(
            configuration: StripeClientConfiguration(apiKey: Self.key, apiBase: "http://stripe.test",
                                                     maxRequestsPerSecond: 0, circuitBreakerThreshold: threshold),
            transport: transport, clock: clock, recorder: recorder,
            logger: logger ?? InMemoryLogHandler.logger().0, runID: 7
        )
    }

    static let meterJSON = #"{"id": "mtr_1", "object": "billing.meter", "event_name": "tokens", "status": "active"}"#

    @Test("a 500 is retried after a backoff and the second answer returned")
    func retriesServerError() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport([ScriptedTransport.stripeError(500, type: "api_error", message: "boom"),
                                           ScriptedTransport.json(200, Self.meterJSON)])
        let meter = try await client(transport, clock: clock).meter(id: "mtr_1")
        #expect(meter.eventName == "tokens")
        #expect(transport.requests.count == 2)
        #expect(clock.sleeps.count == 1)
    }

    @Test("Stripe-Should-Retry: true retries even a 400")
    func shouldRetryTrue() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.stripeError(400, type: "invalid_request_error", message: "lock", headers: ["Stripe-Should-Retry": "true"]),
            ScriptedTransport.json(200, Self.meterJSON),
        ])
        _ = try await client(transport).meter(id: "mtr_1")
        #expect(transport.requests.count == 2)
    }

    @Test("Stripe-Should-Retry: false stops even a 503 at once")
    func shouldRetryFalse() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.stripeError(503, type: "api_error", message: "no", headers: ["Stripe-Should-Retry": "false"]),
            ScriptedTransport.json(200, Self.meterJSON),
        ])
        let error = await #expect(throws: StripeError.self) { try await client(transport).meter(id: "mtr_1") }
        #expect(error?.code == .server)
        #expect(error?.exitStatus == .temporaryFailure)
        #expect(transport.requests.count == 1)
    }

    @Test("a 400 is never retried and its error decoded with status, code and Request-Id")
    func noRetryOn400() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.stripeError(400, type: "invalid_request_error", code: "parameter_missing", message: "Missing customer"),
            ScriptedTransport.json(200, Self.meterJSON),
        ])
        let error = try #require(await #expect(throws: StripeError.self) { try await client(transport).meter(id: "mtr_1") })
        #expect(transport.requests.count == 1)
        #expect(error.code == .invalidRequest)
        #expect(error.exitStatus == .dataError)
        #expect(error.httpStatus == 400)
        #expect(error.requestID == "req_test_400")
        #expect(error.stripeError?.code == "parameter_missing")
        #expect(error.description.contains("GET /v1/billing/meters/mtr_1 (400): invalid_request_error/parameter_missing: Missing customer"))
    }

    @Test("a 401 is a configuration error naming STRIPE_SECRET_KEY")
    func authentication() async throws {
        let transport = ScriptedTransport([ScriptedTransport.stripeError(401, type: "invalid_request_error",
                                                                         message: "Invalid API Key provided: sk_test_****6789")])
        let error = try #require(await #expect(throws: StripeError.self) { try await client(transport).meter(id: "mtr_1") })
        #expect(error.exitStatus == .configuration)
        #expect(error.description.hasPrefix("STRIPE_SECRET_KEY was rejected by Stripe (401): "))
        #expect(!error.description.contains("sk_test_"))
    }

    @Test("every POST carries an Idempotency-Key that stays the same across retries")
    func idempotencyKeyStable() async throws {
        let transport = ScriptedTransport([
            .failure(HTTPTransportError(kind: .timeout, message: "Operation timed out", code: 28)),
            ScriptedTransport.stripeError(500, type: "api_error", message: "boom"),
            ScriptedTransport.json(200, #"{"object": "billing.meter_event", "event_name": "tokens", "identifier": "u-1", "payload": {"value": "3"}, "timestamp": 1}"#),
        ])
        let event = MeterEventSubmission(eventName: "tokens", identifier: "u-1", payload: ["value": "3"], timestamp: Date(timeIntervalSince1970: 1))
        try await client(transport).createMeterEvent(event)
        let keys = transport.requests.map { $0.headers["Idempotency-Key"] }
        #expect(keys.count == 3)
        #expect(keys[0] != nil && !keys[0]!.isEmpty)
        #expect(Set(keys).count == 1)
        let body = String(decoding: transport.requests[0].body ?? Data(), as: UTF8.self)
        #expect(body == "event_name=tokens&identifier=u-1&payload%5Bvalue%5D=3&timestamp=1")
    }

    @Test("a caller's idempotency key is used as given")
    func callerKey() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, #"{"object": "billing.meter_event_adjustment", "event_name": "tokens", "type": "cancel", "status": "pending", "cancel": {"identifier": "u-1"}}"#)])
        try await client(transport).cancelMeterEvent(eventName: "tokens", identifier: "u-1", idempotencyKey: "cancel-u-1")
        #expect(transport.requests.first?.headers["Idempotency-Key"] == "cancel-u-1")
        #expect(String(decoding: transport.requests[0].body!, as: UTF8.self) == "cancel%5Bidentifier%5D=u-1&event_name=tokens&type=cancel")
    }

    @Test("the circuit opens after N failed calls with exit 69, and later calls fail without a request")
    func circuitBreaker() async throws {
        let transport = ScriptedTransport([.failure(HTTPTransportError(kind: .connectFailed, message: "Connection refused", code: 7))])
        let stripe = client(transport, threshold: 3)
        for _ in 0..<2 {
            let error = await #expect(throws: StripeError.self) { try await stripe.meter(id: "mtr_1") }
            #expect(error?.code == .network)
            #expect(error?.exitStatus == .unavailable)
        }
        let opened = await #expect(throws: StripeError.self) { try await stripe.meter(id: "mtr_1") }
        #expect(opened?.exitStatus == .unavailable)
        #expect(opened?.description.hasPrefix("Stripe is unavailable: 3 consecutive calls failed (last: Could not reach Stripe") == true)
        let sent = transport.requests.count
        let fastFail = await #expect(throws: StripeError.self) { try await stripe.meter(id: "mtr_1") }
        #expect(fastFail?.code == .circuitOpen)
        #expect(transport.requests.count == sent)
    }

    @Test("no connection at all (refused, unresolvable host, TLS) exits 69 naming STRIPE_API_BASE, not 75", arguments: [
        HTTPTransportError(kind: .connectFailed, message: "Could not resolve host: api.strip.com", code: 6),
        HTTPTransportError(kind: .connectFailed, message: "Connection refused", code: 7),
        HTTPTransportError(kind: .tls, message: "SSL peer certificate was not OK", code: 60),
    ])
    func unreachable(failure: HTTPTransportError) async throws {
        let transport = ScriptedTransport([.failure(failure)])
        let error = await #expect(throws: StripeError.self) { try await client(transport).meter(id: "mtr_1") }
        #expect(error?.exitStatus == .unavailable)
        #expect(error?.description.contains("STRIPE_API_BASE=http://stripe.test") == true, "\(String(describing: error))")
    }

    @Test("an answer that is not Stripe's (a 404 page, \"Unrecognized request URL\") exits 69 naming STRIPE_API_BASE, not 65", arguments: [
        ScriptedTransport.Answer.response(HTTPResponse(status: 404, headers: HTTPHeaderFields(), body: Data("<html>Not Found</html>".utf8))),
        ScriptedTransport.stripeError(404, type: "invalid_request_error", message: "Unrecognized request URL (GET: /api/v1/billing/meters/mtr_1)."),
    ])
    func notStripe(step: ScriptedTransport.Answer) async throws {
        let transport = ScriptedTransport([step])
        let error = await #expect(throws: StripeError.self) { try await client(transport).meter(id: "mtr_1") }
        #expect(error?.exitStatus == .unavailable)
        #expect(error?.description.hasPrefix("STRIPE_API_BASE=http://stripe.test answered GET /v1/billing/meters/mtr_1 with 404") == true,
                "\(String(describing: error))")
    }

    @Test("Stripe's own 404 for an object it does not have stays bad data (65), its message kept")
    func stripeNotFound() async throws {
        let transport = ScriptedTransport([ScriptedTransport.stripeError(404, type: "invalid_request_error", message: "No such billing.meter: 'mtr_1'")])
        let error = await #expect(throws: StripeError.self) { try await client(transport).meter(id: "mtr_1") }
        #expect(error?.exitStatus == .dataError)
        #expect(error?.description.contains("No such billing.meter") == true)
    }

    @Test("a connection dropped mid-exchange or a timeout stays temporary (75): the next run may succeed", arguments: [
        HTTPTransportError(kind: .other, message: "Empty reply from server", code: 52),
        HTTPTransportError(kind: .timeout, message: "Operation timed out", code: 28),
    ])
    func temporary(failure: HTTPTransportError) async throws {
        let transport = ScriptedTransport([.failure(failure)])
        let error = await #expect(throws: StripeError.self) { try await client(transport).meter(id: "mtr_1") }
        #expect(error?.exitStatus == .temporaryFailure)
    }

    @Test("headers: bearer key, pinned version, user agent; GET parameters in the query string")
    func headersAndQuery() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, #"{"object": "list", "data": [], "has_more": false}"#)])
        _ = try await client(transport).events(types: ["invoice.paid", "invoice.payment_failed"],
                                               createdAfter: Date(timeIntervalSince1970: 100), deliverySuccess: false)
        let request = try #require(transport.requests.first)
        #expect(request.headers["authorization"] == "Bearer \(Self.key.revealed)")
        #expect(request.headers["Stripe-Version"] == "2026-07-29.dahlia")
        #expect(request.headers["User-Agent"] == "Tally/\(StripeClientConfiguration.tallyVersion)")
        #expect(request.body == nil)
        #expect(request.url == "http://stripe.test/v1/events?created%5Bgt%5D=100&delivery_success=false&limit=100&types%5B%5D=invoice.paid&types%5B%5D=invoice.payment_failed")
    }

    @Test("every attempt is logged to the call log without query string or secrets")
    func callLog() async throws {
        let recorder = MemoryRecorder()
        let transport = ScriptedTransport([
            ScriptedTransport.stripeError(429, type: "invalid_request_error", code: "lock_timeout", message: "slow down"),
            ScriptedTransport.json(200, #"{"object": "list", "data": [], "has_more": false}"#),
        ])
        let stripe = client(transport, recorder: recorder)
        _ = try await stripe.invoices(customer: "cus_1")
        try await stripe.flushCallLog()
        let records = recorder.all
        #expect(records.map(\.attempt) == [1, 2])
        #expect(records.map(\.status) == [429, 200])
        #expect(records.map(\.rateLimited) == [true, false])
        #expect(records.first?.errorCode == "lock_timeout")
        #expect(records.allSatisfy { $0.path == "/v1/invoices" && $0.runID == 7 && $0.method == "GET" })
    }

    @Test("the API key appears in no error description and no log line")
    func keyNeverLeaks() async throws {
        let (logger, lines) = InMemoryLogHandler.logger()
        let answers: [ScriptedTransport.Answer] = [
            ScriptedTransport.stripeError(401, type: "invalid_request_error", message: "Invalid API Key provided: \(Self.key.revealed)"),
            ScriptedTransport.stripeError(400, type: "invalid_request_error", message: "bad \(Self.key.revealed)"),
            ScriptedTransport.stripeError(503, type: "api_error", message: "down"),
            .failure(HTTPTransportError(kind: .other, message: "header Authorization: Bearer \(Self.key.revealed)", code: 56)),
            .failure(HTTPTransportError(kind: .timeout, message: "timed out", code: 28)),
        ]
        var descriptions: [String] = []
        for answer in answers {
            let stripe = client(ScriptedTransport([answer]), threshold: 2, logger: logger)
            for _ in 0..<3 {
                do { _ = try await stripe.meter(id: "mtr_1") } catch {
                    descriptions.append("\(error)")
                    descriptions.append(String(describing: error))
                    descriptions.append(String(reflecting: error))
                }
            }
        }
        #expect(descriptions.count == 45)
        #expect(!lines.all.isEmpty)
        let secretBytes = Self.key.revealed
        for text in descriptions + lines.all {
            #expect(!text.contains(secretBytes), "leaked in: \(text)")
            #expect(!text.contains("SuperSecretKey"), "partly leaked in: \(text)")
        }
    }

    @Test("a body that is not the expected model is a decoding error (65)")
    func decodingError() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, #"{"unexpected": true}"#)])
        let error = await #expect(throws: StripeError.self) { try await client(transport).meter(id: "mtr_1") }
        #expect(error?.code == .decoding)
        #expect(error?.exitStatus == .dataError)
    }

    @Test("a request or its headers printed into a log show no key and no body")
    func requestDescriptionRedacts() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, #"{"object": "billing.meter_event", "event_name": "tokens", "identifier": "u-1", "payload": {"value": "3"}, "timestamp": 1}"#)])
        try await client(transport).createMeterEvent(MeterEventSubmission(eventName: "tokens", identifier: "u-1",
                                                                          payload: ["value": "3"], timestamp: Date(timeIntervalSince1970: 1)))
        let request = try #require(transport.requests.first)
        for text in ["\(request)", String(reflecting: request), "\(request.headers)"] {
            #expect(!text.contains(Self.key.revealed))
            #expect(!text.contains("identifier=u-1"))
        }
        #expect("\(request.headers)".contains("Authorization: <redacted>"))
    }

    @Test("a call that times out on every attempt is a temporary failure (75) after maxAttempts tries")
    func timeoutIsTemporary() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport([.failure(HTTPTransportError(kind: .timeout, message: "Operation timed out after 60000 ms", code: 28))])
        let error = await #expect(throws: StripeError.self) { try await client(transport, clock: clock).meter(id: "mtr_1") }
        #expect(error?.code == .timeout)
        #expect(error?.exitStatus == .temporaryFailure)
        #expect(transport.requests.count == 4)
        #expect(clock.sleeps.count == 3)
        #expect(error?.description.contains("after 4 attempts") == true)
    }
}
