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
        didSet { compiled = Self.compile(source) }
    }
    public var escaping: Escaping
    /// `source` parsed once, standalone tag lines collapsed: a night renders a template for every notice,
    /// and re-reading the source each time was a sixth of tally-alerts' time at 25,000 teams.
    private var compiled: Result<[Node], AlertTemplateError>

    /// A piece of a parsed template.
    indirect enum Node: Sendable, Equatable {
        case text(String)
        case value(String)
        /// `{{#name}}` (shown when the value is non-empty) or `{{^name}}` (`inverted`: shown when empty).
        case section(String, inverted: Bool, [Node])
    }

    public init(_ source: String, escaping: Escaping) {
        self.source = source
        self.escaping = escaping
        compiled = Self.compile(source)
    }

    /// Renders with `values`; unknown names render as empty. Throws when a tag or a section is not closed.
    public func render(_ values: [String: String]) throws -> String {
        var output = ""
        render(try compiled.get(), values, into: &output)
        return output
    }

    private func render(_ nodes: [Node], _ values: [String: String], into output: inout String) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .value(let name):
                output += escape(values[name] ?? "")
            case .section(let name, let inverted, let inner):
                if (values[name] ?? "").isEmpty == inverted { render(inner, values, into: &output) }
            }
        }
    }

    static func compile(_ source: String) -> Result<[Node], AlertTemplateError> {
        var rest = Substring(collapsingStandaloneTagLines(source))
        do {
            return .success(try parse(&rest, closing: nil))
        } catch let error as AlertTemplateError {
            return .failure(error)
        } catch {
            return .failure(AlertTemplateError(message: "\(error)"))
        }
    }

    // The standard library's `firstRange(of:)`, not Foundation's `range(of:)`, which bridges through NSString.
    private static func parse(_ rest: inout Substring, closing: String?) throws -> [Node] {
        var nodes: [Node] = []
        while let open = rest.firstRange(of: "{{") {
            if open.lowerBound > rest.startIndex { nodes.append(.text(String(rest[..<open.lowerBound]))) }
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
                nodes.append(.section(name, inverted: sigil == "^", try parse(&rest, closing: name)))
            case "/":
                guard name == closing else { throw AlertTemplateError(message: "{{/\(name)}} closes a section that is not open") }
                return nodes
            default:
                nodes.append(.value(tag))
            }
        }
        if let closing { throw AlertTemplateError(message: "section {{#\(closing)}} is never closed") }
        if !rest.isEmpty { nodes.append(.text(String(rest))) }
        rest = rest[rest.endIndex...]
        return nodes
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
