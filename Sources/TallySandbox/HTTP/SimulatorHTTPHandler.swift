import Foundation
import NIOCore
import NIOHTTP1

/// One per connection: gathers a request, asks the simulator for the answer and writes it after the
/// injected latency, scheduled on the event loop so no thread ever sleeps.
final class SimulatorHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let simulator: StripeSimulator
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(simulator: StripeSimulator) { self.simulator = simulator }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let startedAt = ContinuousClock.now
        let target = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let remote = context.channel.remoteAddress?.ipAddress ?? ""
        let request = SimulatorRequest(
            method: head.method.rawValue, path: String(target[0]), query: target.count > 1 ? String(target[1]) : "",
            headers: head.headers.map { ($0.name, $0.value) }, body: String(buffer: body),
            requestID: simulator.nextRequestID(),
            remoteIsLoopback: remote.hasPrefix("127.") || remote == "::1" || remote.hasPrefix("::ffff:127."),
            receivedAt: simulator.clock.now(), arrivedAt: Date())
        let decision = simulator.decide(request)
        let keepAlive = head.isKeepAlive
        let simulator = self.simulator
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let boundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        let send: @Sendable () -> Void = {
            simulator.complete(request, decision, startedAt: startedAt)
            guard let response = decision.response else {
                boundContext.value.close(promise: nil)
                return
            }
            boundSelf.value.write(response, keepAlive: keepAlive, context: boundContext.value)
        }
        if decision.delay > .zero {
            let (seconds, attoseconds) = decision.delay.components
            context.eventLoop.scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) {
                send()
            }
        } else {
            send()
        }
    }

    private func write(_ response: SimulatorResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headers)
        let buffer = context.channel.allocator.buffer(string: response.body)
        headers.replaceOrAdd(name: "Content-Length", value: String(buffer.readableBytes))
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status),
                                    headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.whenComplete { _ in boundContext.value.close(promise: nil) }
        }
    }
}
