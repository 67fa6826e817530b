import Foundation

/// An email Tally sends: plain text and HTML alternatives, with attachments.
public struct EmailMessage: Sendable, Equatable {
    public var from: EmailAddress
    public var to: [EmailAddress]
    public var subject: String
    public var textBody: String
    public var htmlBody: String?
    public var attachments: [EmailAttachment]
    public var date: Date
    /// `<unique@host>`; also names the outbox file.
    public var messageID: String

    public init(from: EmailAddress, to: [EmailAddress], subject: String, textBody: String, htmlBody: String? = nil,
                attachments: [EmailAttachment] = [], date: Date = Date(), messageID: String? = nil) {
        self.from = from
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.attachments = attachments
        self.date = date
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "tally.local"
        self.messageID = messageID ?? "<\(UUID().uuidString.lowercased())@\(domain)>"
    }
}

/// A mailbox: an address with an optional display name.
public struct EmailAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// Parses `ops@example.com` or `Billing Ops <ops@example.com>`; `nil` for anything else, including an
    /// address carrying CR or LF (header injection).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.contains("\r"), !trimmed.contains("\n") else { return nil }
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let name = trimmed[..<open].trimmingCharacters(in: CharacterSet(charactersIn: " \""))
            guard Self.isValidAddress(address) else { return nil }
            self.init(name: name.isEmpty ? nil : name, address: address)
        } else {
            guard Self.isValidAddress(trimmed) else { return nil }
            self.init(address: trimmed)
        }
    }

    public var description: String { name.map { "\($0) <\(address)>" } ?? address }

    /// `local@domain`, each part non-empty, with no white space and none of `@<>,;"\()[]` (the pattern
    /// `^[^\s@<>,;"\\()\[\]]+@[^\s@<>,;"\\()\[\]]+$`, checked without a regular expression: every recipient of
    /// every email is parsed). Unlike the pattern's `$`, a line break at the very end is refused too.
    static func isValidAddress(_ text: String) -> Bool {
        var atSigns = 0, localLength = 0, domainLength = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "@":
                atSigns += 1
                guard atSigns == 1 else { return false }
            case "<", ">", ",", ";", "\"", "\\", "(", ")", "[", "]":
                return false
            default:
                guard !scalar.properties.isWhitespace else { return false }
                if atSigns == 0 { localLength += 1 } else { domainLength += 1 }
            }
        }
        return atSigns == 1 && localLength > 0 && domainLength > 0
    }
}

/// A file attached to an email (the report CSV, say).
public struct EmailAttachment: Sendable, Equatable {
    public var filename: String
    public var contentType: String
    public var data: Data

    public init(filename: String, contentType: String, data: Data) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}
