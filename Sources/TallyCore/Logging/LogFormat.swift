/// Log line encodings (`LOG_FORMAT`): text or JSON lines on stderr.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json
}
