import Foundation

/// Renders an `EmailMessage` as an RFC 5322 message with MIME parts: multipart/mixed holding a
/// multipart/alternative (text, HTML) and the attachments.
///
/// Every header value is either plain printable ASCII or an RFC 2047 encoded-word, and CR/LF never pass
/// through, so a hostile team or customer name cannot add headers or recipients.
public enum MIMEEncoder {
    public static func encode(_ message: EmailMessage) -> Data {
        let mixed = boundary("mixed", message)
        let alternative = boundary("alt", message)
        var lines: [String] = [
            "From: \(mailbox(message.from))",
            "To: \(message.to.map(mailbox).joined(separator: ", "))",
            "Subject: \(headerText(message.subject))",
            "Date: \(rfc5322Date(message.date))",
            "Message-ID: \(sanitized(message.messageID))",
            "MIME-Version: 1.0",
            "X-Mailer: Tally",
            "Content-Type: multipart/mixed; boundary=\"\(mixed)\"",
            "",
            "This is a MIME message.",
            "--\(mixed)",
            "Content-Type: multipart/alternative; boundary=\"\(alternative)\"",
            "",
            "--\(alternative)",
        ]
        lines += textPart(message.textBody, subtype: "plain")
        if let html = message.htmlBody {
            lines.append("--\(alternative)")
            lines += textPart(html, subtype: "html")
        }
        lines.append("--\(alternative)--")
        for attachment in message.attachments {
            let name = sanitizedFilename(attachment.filename)
            lines += [
                "--\(mixed)",
                "Content-Type: \(sanitized(attachment.contentType)); name=\"\(name)\"",
                "Content-Transfer-Encoding: base64",
                "Content-Disposition: attachment; filename=\"\(name)\"",
                "",
            ]
            lines += chunks(attachment.data.base64EncodedString(), of: 76)
        }
        lines.append("--\(mixed)--")
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// `Name <addr>` with the name quoted or encoded; the address itself is validated at parse time.
    static func mailbox(_ address: EmailAddress) -> String {
        let bare = sanitized(address.address)
        guard let name = address.name.map(sanitized), !name.isEmpty else { return bare }
        if name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "." || $0 == "-") }) {
            return "\(name) <\(bare)>"
        }
        return "\(encodedWords(name)) <\(bare)>"
    }

    /// A header value: printable ASCII as is (folded if long), anything else as encoded-words.
    static func headerText(_ text: String) -> String {
        let clean = sanitized(text)
        if clean.allSatisfy({ $0.isASCII && !$0.isNewline }) && !clean.contains("=?") && clean.count <= 900 {
            return clean
        }
        return encodedWords(clean)
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words, split on character boundaries so each stays under 76 characters.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var current = ""
        for character in text {
            let candidate = current + String(character)
            if Data(candidate.utf8).base64EncodedString().count > 60 {
                words.append(current)
                current = String(character)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// Drops CR, LF and other control characters, which have no business in a header.
    static func sanitized(_ text: String) -> String {
        String(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : Character($0) })
    }

    static func sanitizedFilename(_ name: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
        let cleaned = String(name.unicodeScalars.map { $0.isASCII && allowed.contains($0) ? Character($0) : "_" })
        return cleaned.isEmpty ? "attachment" : cleaned
    }

    private static func textPart(_ body: String, subtype: String) -> [String] {
        ["Content-Type: text/\(subtype); charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", QuotedPrintable.encode(body)]
    }

    private static func boundary(_ kind: String, _ message: EmailMessage) -> String {
        "tally-\(kind)-" + String(UInt64(bitPattern: Int64(message.messageID.hashValue)), radix: 36) + UUID().uuidString.prefix(8)
    }

    private static func chunks(_ text: String, of size: Int) -> [String] {
        var result: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let end = text.index(index, offsetBy: size, limitedBy: text.endIndex) ?? text.endIndex
            result.append(String(text[index..<end]))
            index = end
        }
        return result
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

/// Quoted-printable (RFC 2045) for text parts: readable in a raw `.eml`, safe for any byte.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false).map { encodeLine(Substring($0)) }.joined(separator: "\r\n")
    }

    private static func encodeLine(_ line: Substring) -> String {
        var output: [String] = []
        var current = ""
        let bytes = Array(line.utf8)
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let token: String
            if (byte >= 33 && byte <= 126 && byte != 61) || (byte == 32 && !isLast) || (byte == 9 && !isLast) {
                token = String(UnicodeScalar(byte))
            } else {
                token = String(format: "=%02X", byte)
            }
            if current.count + token.count > 75 {
                output.append(current + "=")
                current = ""
            }
            current += token
        }
        output.append(current)
        return output.joined(separator: "\r\n")
    }
}
