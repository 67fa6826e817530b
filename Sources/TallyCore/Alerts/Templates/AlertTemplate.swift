/// A small, logic-less Mustache subset for the alert emails, safe by default:
/// `{{name}}` inserts a value (HTML-escaped in HTML templates), `{{#name}}…{{/name}}` keeps its content when
/// the value is non-empty, `{{^name}}…{{/name}}` when it is empty, `{{! comment }}` is dropped.
/// There is no unescaped form (`{{{…}}}`), so a team named `<script>` can never inject markup.
/// As in Mustache, a line holding nothing but a section, closing or comment tag leaves no line of its own,
/// so an unused section leaves no empty line behind.
public struct AlertTemplate: Sendable, Equatable {
    /// How values are escaped.
    public enum Escaping: Sendable, Equatable {
        case html
        /// Plain text: values go in as they are, but line breaks are flattened so a value cannot add lines
        /// that look like the message's own.
        case text
    }

    public var source: String {
        didSet { prepared = Self.collapsingStandaloneTagLines(source) }
    }
    public var escaping: Escaping
    /// `source` with its standalone tag lines collapsed, once: a night renders a template for every notice.
    private var prepared: String

    public init(_ source: String, escaping: Escaping) {
        self.source = source
        self.escaping = escaping
        prepared = Self.collapsingStandaloneTagLines(source)
    }

    /// Renders with `values`; unknown names render as empty. Throws when a section is not closed.
    public func render(_ values: [String: String]) throws -> String {
        var output = ""
        var rest = Substring(prepared)
        try render(&rest, values, into: &output, closing: nil)
        return output
    }

    // The standard library's `firstRange(of:)`, not Foundation's `range(of:)`: the latter bridges each
    // search through NSString, which was a sixth of tally-alerts' time at 25,000 teams.
    private func render(_ rest: inout Substring, _ values: [String: String], into output: inout String, closing: String?) throws {
        while let open = rest.firstRange(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw AlertTemplateError(message: "a tag opened with {{ is never closed")
            }
            let tag = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[close.upperBound...]
            guard let sigil = tag.first else { continue }
            let name = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces)
            switch sigil {
            case "!":
                continue
            case "#", "^":
                let shown = (values[name] ?? "").isEmpty == (sigil == "^")
                var inner = ""
                try render(&rest, values, into: &inner, closing: name)
                if shown { output += inner }
            case "/":
                guard name == closing else { throw AlertTemplateError(message: "{{/\(name)}} closes a section that is not open") }
                return
            default:
                output += escape(values[tag] ?? "")
            }
        }
        if let closing { throw AlertTemplateError(message: "section {{#\(closing)}} is never closed") }
        output += rest
        rest = rest[rest.endIndex...]
    }

    /// `source` with each line that holds only one `{{#…}}`, `{{^…}}`, `{{/…}}` or `{{!…}}` tag reduced to
    /// the tag: its spaces and its line break go.
    static func collapsingStandaloneTagLines(_ source: String) -> String {
        var output = ""
        var rest = Substring(source)
        while !rest.isEmpty {
            // `\r\n` is one Character in Swift, so look for any line break, not for "\n".
            let end = rest.firstIndex(where: \.isNewline).map { rest.index(after: $0) } ?? rest.endIndex
            let line = rest[..<end]
            rest = rest[end...]
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            output += isStandaloneTag(trimmed) ? trimmed : String(line)
        }
        return output
    }

    private static func isStandaloneTag(_ text: String) -> Bool {
        guard text.hasPrefix("{{"), text.hasSuffix("}}"), text.count > 4 else { return false }
        let inner = text.dropFirst(2).dropLast(2)
        // One tag only: `{{#a}}x{{/a}}` on a line is content.
        guard let sigil = inner.first, "#^/!".contains(sigil) else { return false }
        return !inner.contains("{{") && !inner.contains("}}")
    }

    private func escape(_ value: String) -> String {
        switch escaping {
        case .text:
            return String(value.map { $0.isNewline ? " " : $0 })
        case .html:
            return HTMLText.escape(value)
        }
    }
}

/// A template that cannot be rendered: a user override has a syntax error.
public struct AlertTemplateError: TallyFailure, Equatable {
    public var message: String

    public init(message: String) { self.message = message }

    public var exitStatus: ExitStatus { .configuration }
    public var description: String { "alert template: \(message); fix the template in ALERT_TEMPLATES_DIR or remove it to use the default" }
}
