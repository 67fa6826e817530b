import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A stateful, fault-injectable stand-in for api.stripe.com, served over HTTP/1.1 on loopback.
///
/// Besides Stripe's `/v1/...` routes it serves a control API (no key needed from loopback):
/// `POST /_sandbox/clock/advance?seconds=N`, `POST /_sandbox/clock/set?time=UNIX`,
/// `POST /_sandbox/faults` with a JSON `FaultPlan` (`errorRate`, `latencyMs`, `latencyJitterMs`,
/// `dropConnectionRate`, `rateLimit`, `endpointRateLimits`, `burst429Count`, `failedDeliveryRate`,
/// `errorAfterApplyRate`, `dropAfterApplyRate`, `unreadableSuccessRate`, `lockTimeoutRate`, `repeatListPages`,
/// `oversizedBodyBytes`, `faultyRequests`, `seed`, `rateLimitBurst`, `meterEventRateLimit`, `meterEventBurst`),
/// `POST /_sandbox/reset` and `GET /_sandbox/health`.
public final class StripeSimulator: Sendable {
    let configuration: SimulatorConfiguration
    /// The simulator's objects, readable and seedable without HTTP.
    public let state: SimulatorState
    let faults: FaultInjector
    let idempotency = IdempotencyStore()
    let scripted = Mutex<[ScriptedResponse]>([])
    let recorded = Mutex<[RecordedRequest]>([])
    let requestIDs = Mutex(IdentifierGenerator(salt: 0x5EED_0F_4E9))
    /// Stripe API requests decided so far, and the actions waiting for one of them (`whenRequest`).
    let requestHooks = Mutex<(count: Int, actions: [Int: @Sendable () -> Void])>((0, [:]))
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

    /// Runs `action` once the `number`-th Stripe API request from now (1-based, control routes not
    /// counted) has been processed, before its answer is written: the point where a client killed now has
    /// changed Stripe without learning it.
    public func whenRequest(number: Int, _ action: @escaping @Sendable () -> Void) {
        requestHooks.withLock { hooks in hooks.actions[hooks.count + number] = action }
    }

    /// Forgets every action `whenRequest` registered that has not run yet.
    public func cancelRequestHooks() {
        requestHooks.withLock { $0.actions.removeAll() }
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
}
