import Foundation
import Logging

/// Pings `HEALTHCHECK_URL` over HTTPS with libcurl: `/start` when a run begins, `/<exit code>` when it ends.
public struct HTTPHealthCheckPinger: HealthCheckPinger {
    private let url: Secret
    private let transport: any HTTPTransport
    private let logger: Logger

    public init(url: Secret, transport: any HTTPTransport, logger: Logger) {
        self.url = url
        self.transport = transport
        self.logger = logger
    }

    public func ping(_ event: HealthCheckEvent) async {
        let base = url.revealed.hasSuffix("/") ? String(url.revealed.dropLast()) : url.revealed
        let request = HTTPRequest(method: .post, url: base + event.pathSuffix, connectTimeout: .seconds(5), totalTimeout: .seconds(10))
        do {
            let response = try await transport.execute(request)
            if !(200..<300).contains(response.status) {
                logger.warning("health-check ping \(event.pathSuffix) answered HTTP \(response.status)")
            }
        } catch {
            // The URL itself is a secret (whoever has it can ping): the reason is said without it.
            let reason = "\(error)".replacingOccurrences(of: base, with: "HEALTHCHECK_URL")
            logger.warning("health-check ping \(event.pathSuffix) failed: \(reason); check HEALTHCHECK_URL and that this host can reach it")
        }
    }
}
