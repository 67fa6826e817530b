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

    static func isValidAddress(_ text: String) -> Bool {
        text.range(of: #"^[^\s@<>,;"\\()\[\]]+@[^\s@<>,;"\\()\[\]]+$"#, options: .regularExpression) != nil
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
