import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A stateful, fault-injectable stand-in for api.stripe.com, served over HTTP/1.1 on loopback.
public final class StripeSimulator: Sendable {
    let configuration: SimulatorConfiguration
    /// The simulator's objects, readable and seedable without HTTP.
    public let state: SimulatorState
    let faults: FaultInjector
    let idempotency = IdempotencyStore()
    private let scripted = Mutex<[ScriptedResponse]>([])
    private let recorded = Mutex<[RecordedRequest]>([])
    private let requestIDs = Mutex(IdentifierGenerator())
    private let server = Mutex<RunningServer?>(nil)

    private struct RunningServer: Sendable {
        var group: MultiThreadedEventLoopGroup
        var channel: any Channel
        var host: String
        var port: Int
    }

    public init(configuration: SimulatorConfiguration = .init()) {
        self.configuration = configuration
        let clock = SimulatorClock(start: configuration.startTime)
        state = SimulatorState(configuration: configuration, clock: clock)
        faults = FaultInjector(plan: configuration.faults)
        clock.onChange { [state] date in state.clockMoved(to: date) }
    }

    /// The simulator clock (advance it to bill subscription periods).
    public var clock: SimulatorClock { state.clock }

    /// Base URL of the running server, e.g. "http://127.0.0.1:54321".
    public var baseURL: String {
        server.withLock { running in running.map { "http://\($0.host):\($0.port)" } ?? "http://127.0.0.1:0" }
    }

    /// Every request received so far, oldest first.
    public var requests: [RecordedRequest] { recorded.withLock { $0 } }

    /// Replaces the fault plan at run time.
    public func setFaults(_ faults: FaultPlan) {
        self.faults.replace(with: faults)
        state.setFailedDeliveryRate(faults.failedDeliveryRate)
    }

    /// The next request matching `response`'s method and path prefix gets exactly this answer, once.
    public func enqueueScriptedResponse(_ response: ScriptedResponse) {
        scripted.withLock { $0.append(response) }
    }

    /// Binds (port 0 picks a free port) and serves; returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 512)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(SimulatorHTTPHandler(simulator: self))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            let bound = channel.localAddress?.port ?? port
            server.withLock { $0 = RunningServer(group: group, channel: channel, host: host, port: bound) }
            configuration.logger.info("tally-sandbox listening on http://\(host):\(bound)")
            return bound
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops serving and releases the event loops.
    public func shutdown() async throws {
        guard let running = server.withLock({ current -> RunningServer? in
            defer { current = nil }
            return current
        }) else { return }
        try? await running.channel.close()
        try await running.group.shutdownGracefully()
    }

    // MARK: Request pipeline

    /// A decided answer: nil response means close the connection without answering.
    struct Decision: Sendable {
        var response: SimulatorResponse?
        var delay: Duration
        var idempotency: (key: String, fingerprint: String)?
    }

    /// Decides the answer to a request (faults, auth, idempotency, routing); runs on the event loop, never blocks.
    func decide(_ request: SimulatorRequest) -> Decision {
        if request.path.hasPrefix("/_sandbox/") {
            return Decision(response: control(request), delay: .zero)
        }
        if let canned = scripted.withLock({ queue -> ScriptedResponse? in
            guard let index = queue.firstIndex(where: { $0.matches(method: request.method, path: request.path) }) else {
                return nil
            }
            return queue.remove(at: index)
        }) {
            var headers = canned.headers
            if !headers.contains(where: { $0.0.lowercased() == "request-id" }) {
                headers.append(("Request-Id", request.requestID))
            }
            return Decision(response: SimulatorResponse(status: canned.status, headers: headers, body: canned.body),
                            delay: faults.delay())
        }
        if let failure = Authentication.check(request, keys: configuration.apiKeys) {
            return Decision(response: .error(failure, requestID: request.requestID), delay: .zero)
        }
        let delay = faults.delay()
        let failWith500: Bool
        switch faults.decide(path: request.path) {
        case .dropConnection:
            return Decision(response: nil, delay: .zero)
        case .rateLimited:
            return Decision(response: .error(Self.rateLimited, requestID: request.requestID), delay: delay)
        case .proceed(let fail):
            failWith500 = fail
        }
        var idempotency: (key: String, fingerprint: String)?
        if request.method == "POST", let key = request.header("Idempotency-Key"), !key.isEmpty {
            let fingerprint = "\(request.method) \(request.path)?\(request.parameters.canonical)"
            switch self.idempotency.begin(key: key, fingerprint: fingerprint, now: clock.now()) {
            case .firstUse:
                idempotency = (key, fingerprint)
            case .replay(var response):
                response.headers = response.headers.filter { $0.0 != "Request-Id" } + [
                    ("Request-Id", request.requestID), ("Idempotent-Replayed", "true"),
                    ("Original-Request", response.headers.first { $0.0 == "Request-Id" }?.1 ?? request.requestID),
                ]
                return Decision(response: response, delay: delay)
            case .conflict(let error):
                return Decision(response: .error(error, requestID: request.requestID), delay: delay)
            }
        }
        let response: SimulatorResponse
        if failWith500 {
            response = .error(Self.internalError, requestID: request.requestID)
        } else {
            let now = Int64(clock.now().timeIntervalSince1970.rounded(.down))
            let router = StripeRouter(request: request, now: now)
            do {
                let body = try state.withStorage { storage throws(StripeAPIError) in try router.route(&storage) }
                response = .json(body, requestID: request.requestID)
            } catch {
                response = .error(error, requestID: request.requestID)
            }
        }
        return Decision(response: response, delay: delay, idempotency: idempotency)
    }

    /// Called once the answer is sent (or the connection dropped): stores it for idempotent replay and
    /// records the request.
    func complete(_ request: SimulatorRequest, _ decision: Decision, startedAt: ContinuousClock.Instant) {
        let now = clock.now()
        if let idempotency = decision.idempotency, let response = decision.response {
            self.idempotency.finish(key: idempotency.key, fingerprint: idempotency.fingerprint, response: response,
                                    now: now)
        }
        let status = decision.response?.status ?? 0
        let headers = request.headers.map { name, value in
            name.lowercased() == "authorization" ? (name, Authentication.maskedHeader(value)) : (name, value)
        }
        recorded.withLock {
            $0.append(RecordedRequest(method: request.method, path: request.path, query: request.query,
                                      headers: headers, body: request.body, receivedAt: now, status: status))
        }
        let elapsed = ContinuousClock.now - startedAt
        configuration.logger.info(
            "\(request.method) \(request.path) \(status == 0 ? "dropped" : String(status)) \(elapsed.formatted(.units(allowed: [.milliseconds], width: .narrow))) \(request.requestID)")
    }

    /// A fresh `req_...` id.
    func nextRequestID() -> String { requestIDs.withLock { $0.next("req") } }

    static let rateLimited = StripeAPIError(
        status: 429, type: "invalid_request_error", code: "rate_limit",
        message: "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.")

    static let internalError = StripeAPIError(
        status: 500, type: "api_error",
        message: "An unknown error occurred while processing your request. Please retry or contact support.")
}
