/// A small, logic-less Mustache subset for the alert emails, safe by default:
/// `{{name}}` inserts a value (HTML-escaped in HTML templates), `{{#name}}…{{/name}}` keeps its content when
/// the value is non-empty, `{{^name}}…{{/name}}` when it is empty, `{{! comment }}` is dropped.
/// There is no unescaped form (`{{{…}}}`), so a team named `<script>` can never inject markup.
public struct AlertTemplate: Sendable, Equatable {
    /// How values are escaped.
    public enum Escaping: Sendable, Equatable {
        case html
        /// Plain text: values go in as they are, but line breaks are flattened so a value cannot add lines
        /// that look like the message's own.
        case text
    }

    public var source: String
    public var escaping: Escaping

    public init(_ source: String, escaping: Escaping) {
        self.source = source
        self.escaping = escaping
    }

    /// Renders with `values`; unknown names render as empty. Throws when a section is not closed.
    public func render(_ values: [String: String]) throws -> String {
        var output = ""
        var rest = Substring(source)
        try render(&rest, values, into: &output, closing: nil)
        return output
    }

    private func render(_ rest: inout Substring, _ values: [String: String], into output: inout String, closing: String?) throws {
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
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
