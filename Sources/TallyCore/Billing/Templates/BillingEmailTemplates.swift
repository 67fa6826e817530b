import Foundation

/// The billing emails' templates: built-in defaults (`BillingEmailDefaults`), each replaceable by a file of
/// the same name in `ALERT_TEMPLATES_DIR` (e.g. `payment-failed.html.mustache`), rendered by `AlertTemplate`
/// so every value is escaped.
public struct BillingEmailTemplates: Sendable {
    /// One email's templates; `line*` render each item of a list (`{{lines}}` in the body).
    public struct Set: Sendable {
        public var subject: AlertTemplate
        public var text: AlertTemplate
        public var html: AlertTemplate
        public var lineText: AlertTemplate
        public var lineHTML: AlertTemplate
    }

    public var sets: [BillingEmailKind: Set]

    /// The defaults, overridden by the files found in `directory`.
    public init(directory: URL? = nil) throws {
        func load(_ name: String, _ fallback: String, _ escaping: AlertTemplate.Escaping) throws -> AlertTemplate {
            guard let directory else { return AlertTemplate(fallback, escaping: escaping) }
            let file = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: file.path) else { return AlertTemplate(fallback, escaping: escaping) }
            do {
                return AlertTemplate(try String(contentsOf: file, encoding: .utf8), escaping: escaping)
            } catch {
                throw AlertTemplateError(message: "\(file.path) cannot be read as UTF-8 text")
            }
        }
        var sets: [BillingEmailKind: Set] = [:]
        for kind in BillingEmailKind.allCases {
            let defaults = BillingEmailDefaults.templates(kind)
            sets[kind] = Set(subject: try load("\(kind.rawValue).subject.mustache", defaults.subject, .text),
                             text: try load("\(kind.rawValue).txt.mustache", defaults.text, .text),
                             html: try load("\(kind.rawValue).html.mustache", defaults.html, .html),
                             lineText: try load("\(kind.rawValue).line.txt.mustache", defaults.lineText, .text),
                             lineHTML: try load("\(kind.rawValue).line.html.mustache", defaults.lineHTML, .html))
        }
        self.sets = sets
    }

    /// The email of `kind` with `values`; `lines` fill `{{lines}}`, each rendered (and escaped) on its own.
    public func message(_ kind: BillingEmailKind, values: [String: String], lines: [[String: String]] = [],
                        from: EmailAddress, to: [EmailAddress], date: Date) throws -> EmailMessage {
        let set = sets[kind]!
        // Each line is escaped by its own template; the marker keeps the outer template from flattening or
        // escaping them a second time.
        let marker = "\u{1}lines\u{1}"
        var outer = values
        outer["lines"] = lines.isEmpty ? "" : marker
        let text = try set.text.render(outer)
            .replacingOccurrences(of: marker, with: try lines.map { try set.lineText.render($0) }.joined(separator: "\n"))
        let html = try set.html.render(outer)
            .replacingOccurrences(of: marker, with: try lines.map { try set.lineHTML.render($0) }.joined(separator: "\n"))
        return EmailMessage(from: from, to: to, subject: try set.subject.render(values), textBody: text, htmlBody: html, date: date)
    }
}
