import Foundation

/// Sends email. `SMTPMailer` delivers through a server; `OutboxMailer` writes `.eml` files when no
/// server is configured, so a demo or a dry environment still leaves every email to look at.
public protocol Mailer: Sendable {
    func send(_ message: EmailMessage) async throws -> MailDelivery

    /// Sends several messages, saying for each (in order) where it went or why it did not; one failure
    /// never holds up the others. `OutboxMailer` flushes the disk once for the whole batch.
    func send(_ messages: [EmailMessage]) async -> [Result<MailDelivery, any Error>]
}

extension Mailer {
    /// One message after the other.
    public func send(_ messages: [EmailMessage]) async -> [Result<MailDelivery, any Error>] {
        var results: [Result<MailDelivery, any Error>] = []
        for message in messages {
            do { results.append(.success(try await send(message))) } catch { results.append(.failure(error)) }
        }
        return results
    }
}

/// Where a message went.
public enum MailDelivery: Sendable, Equatable {
    /// Accepted by the SMTP server at this host.
    case sent(server: String)
    /// Written to the outbox.
    case outbox(URL)
}

/// An email could not be sent.
public struct MailError: TallyFailure, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached or dropped the connection (69).
        case unavailable
        /// The server refused the credentials (78).
        case authentication
        /// The server refused a sender or recipient (65).
        case rejected
        /// The outbox could not be written (73).
        case outbox
    }

    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var exitStatus: ExitStatus {
        switch kind {
        case .unavailable: .unavailable
        case .authentication: .configuration
        case .rejected: .dataError
        case .outbox: .cannotCreateOutput
        }
    }

    public var description: String { message }
}
