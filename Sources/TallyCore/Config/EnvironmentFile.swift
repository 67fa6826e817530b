/// An env file (`/etc/tally/tally.env`, `--env-file`) read the way systemd's `EnvironmentFile=` and dotenv
/// read one, so the file a sysadmin already writes for them means the same to Tally.
///
/// - `KEY=value`, `KEY = value`, `export KEY=value`; blank lines and lines starting with `#` or `;` are
///   comments.
/// - `KEY="value"`: double quotes may span lines; `\"`, `\\`, `` \` `` and `\$` stand for the character,
///   a backslash before a line break joins the lines, any other backslash is kept (systemd's rules).
/// - `KEY='value'`: single quotes keep everything verbatim, and may span lines.
/// - Unquoted: surrounding blanks are dropped, and `#` after a blank starts a comment (dotenv's rule;
///   systemd would keep it, so quote a value that contains ` #`). Backslashes are kept as written.
///
/// Lines that are not assignments are collected in `unparsedLines` (never their text, which may hold a
/// secret), so the loader can warn about them by line number.
public struct EnvironmentFile: Sendable, Equatable {
    /// One `KEY=value` line.
    public struct Assignment: Sendable, Equatable {
        public var key: String
        public var value: String
        /// 1-based line the assignment starts on.
        public var line: Int
    }

    /// A line that is not an assignment, and why.
    public struct UnparsedLine: Sendable, Equatable {
        public enum Reason: Sendable, Equatable {
            /// No `=`; `firstWord` helps suggest the key that was meant.
            case noEquals(firstWord: String)
            /// The text before `=` is not a variable name.
            case badName(String)
            /// A quote that is never closed.
            case unclosedQuote
            /// Text after a closing quote (the quoted value is still used).
            case textAfterQuote(key: String)
        }

        public var line: Int
        public var reason: Reason
    }

    public var assignments: [Assignment] = []
    public var unparsedLines: [UnparsedLine] = []

    public init(assignments: [Assignment] = [], unparsedLines: [UnparsedLine] = []) {
        self.assignments = assignments
        self.unparsedLines = unparsedLines
    }

    /// The values by key; a key assigned twice keeps its last value, as in a shell.
    public var values: [String: String] {
        Dictionary(assignments.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Parses the text of an env file.
    public static func parse(_ text: String) -> EnvironmentFile {
        // "\r\n" is one Character in Swift, so it is a separator of its own (files edited on Windows).
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        var file = EnvironmentFile()
        var index = 0
        while index < lines.count {
            let number = index + 1
            var rest = lines[index].drop(while: isBlank)
            index += 1
            guard let first = rest.first, first != "#", first != ";" else { continue }
            if rest.hasPrefix("export"), let after = rest.dropFirst(6).first, isBlank(after) {
                rest = rest.dropFirst(6).drop(while: isBlank)
            }
            guard let equals = rest.firstIndex(of: "=") else {
                let word = rest.prefix { !isBlank($0) }
                file.unparsedLines.append(UnparsedLine(line: number, reason: .noEquals(firstWord: String(word))))
                continue
            }
            let key = String(rest[..<equals].reversed().drop(while: isBlank).reversed())
            guard isName(key) else {
                file.unparsedLines.append(UnparsedLine(line: number, reason: .badName(key)))
                continue
            }
            let value = rest[rest.index(after: equals)...].drop(while: isBlank)
            if let quote = value.first, quote == "\"" || quote == "'" {
                guard let quoted = readQuoted(value.dropFirst(), quote: quote, following: lines[index...]) else {
                    file.unparsedLines.append(UnparsedLine(line: number, reason: .unclosedQuote))
                    continue
                }
                index += quoted.extraLines
                let trailing = quoted.trailing.drop(while: isBlank)
                if let next = trailing.first, next != "#" {
                    file.unparsedLines.append(UnparsedLine(line: number, reason: .textAfterQuote(key: key)))
                }
                file.assignments.append(Assignment(key: key, value: quoted.value, line: number))
            } else {
                file.assignments.append(Assignment(key: key, value: unquoted(value), line: number))
            }
        }
        return file
    }

    /// A quoted value: its text, what follows the closing quote on its last line, and how many lines
    /// after the first it used. `nil` when the quote is never closed.
    private static func readQuoted(
        _ start: Substring, quote: Character, following: ArraySlice<Substring>
    ) -> (value: String, trailing: Substring, extraLines: Int)? {
        var value = ""
        var segment = start
        var extraLines = 0
        var remaining = following.makeIterator()
        while true {
            var position = segment.startIndex
            var joinsNextLine = false
            while position < segment.endIndex {
                let character = segment[position]
                if character == quote {
                    return (value, segment[segment.index(after: position)...], extraLines)
                }
                if quote == "\"", character == "\\" {
                    let next = segment.index(after: position)
                    if next == segment.endIndex {
                        joinsNextLine = true
                        break
                    }
                    let escaped = segment[next]
                    if !"\"\\`$".contains(escaped) { value.append("\\") }
                    value.append(escaped)
                    position = segment.index(after: next)
                    continue
                }
                value.append(character)
                position = segment.index(after: position)
            }
            guard let line = remaining.next() else { return nil }
            if !joinsNextLine { value.append("\n") }
            segment = line
            extraLines += 1
        }
    }

    /// An unquoted value without its comment and surrounding blanks.
    private static func unquoted(_ value: Substring) -> String {
        var end = value.endIndex
        var previous: Character = " "
        for position in value.indices {
            if value[position] == "#", isBlank(previous) {
                end = position
                break
            }
            previous = value[position]
        }
        return String(value[..<end].reversed().drop(while: isBlank).reversed())
    }

    private static func isBlank(_ character: Character) -> Bool {
        character == " " || character == "\t"
    }

    /// A shell variable name: a letter or `_`, then letters, digits or `_`.
    static func isName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func letter(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "_") || (65...90).contains(byte) || (97...122).contains(byte) }
        guard let first = bytes.first, letter(first) else { return false }
        return bytes.allSatisfy { letter($0) || (48...57).contains($0) }
    }
}
