import Foundation
import Logging
import Synchronization

/// Writes one line per log event to stderr, as text or JSON, for cron logs and log shippers.
///
/// Every line passes through `SecretScrubber` first: the code never logs a secret on purpose, and this
/// makes sure a secret that slipped into an error message from a library does not reach the file either.
public struct TallyLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let format: LogFormat
    private let scrubber: SecretScrubber
    private let sink: LogSink

    public init(label: String, format: LogFormat, level: Logger.Level, secrets: [String], sink: LogSink = .standardError) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.scrubber = SecretScrubber(secrets: secrets)
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = switch format {
        case .text: textLine(event, merged)
        case .json: jsonLine(event, merged)
        }
        sink.write(scrubber.scrub(line) + "\n")
    }

    private func textLine(_ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        let pairs = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoteIfNeeded("\($0.value)"))" }
        return ([Self.timestamp(), event.level.rawValue, "\(label):", "\(event.message)"] + pairs).joined(separator: " ")
    }

    private func jsonLine(_ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        var object: [String: Any] = ["ts": Self.timestamp(), "level": event.level.rawValue, "job": label, "msg": "\(event.message)"]
        for (key, value) in metadata { object[key] = Self.jsonValue(value) }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(jsonValue)
        case .dictionary(let values): values.mapValues(jsonValue)
        }
    }

    private static func quoteIfNeeded(_ text: String) -> String {
        text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) || text.isEmpty
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : text
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// Where log lines go: stderr in production, a buffer in tests.
public struct LogSink: Sendable {
    private let writeLine: @Sendable (String) -> Void

    public init(_ write: @escaping @Sendable (String) -> Void) { writeLine = write }

    public func write(_ line: String) { writeLine(line) }

    /// Standard error, one `write(2)` per line so concurrent lines never interleave.
    public static let standardError = LogSink { line in
        line.utf8CString.withUnsafeBufferPointer { buffer in
            _ = Foundation.write(2, buffer.baseAddress, buffer.count - 1)
        }
    }
}

/// Replaces every known secret value in a line with `<redacted>`.
public struct SecretScrubber: Sendable {
    private let secrets: [String]

    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    public func scrub(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }
}
