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

    /// `Mon, 30 Nov 2026 16:07:25 +0000`, as `DateFormatter` (en_US_POSIX, UTC) writes it, computed directly:
    /// a formatter built per email cost more than the rest of the message at tens of thousands of emails.
    static func rfc5322Date(_ date: Date) -> String {
        // Whole milliseconds first, as the formatter rounds them, then the second they fall in.
        var seconds = time_t(((date.timeIntervalSince1970 * 1_000).rounded() / 1_000).rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(weekdays[Int(parts.tm_wday)]), \(padded(parts.tm_mday, 2)) \(months[Int(parts.tm_mon)]) \(padded(parts.tm_year + 1900, 4)) "
            + "\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2)) +0000"
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

/// Quoted-printable (RFC 2045) for text parts: readable in a raw `.eml`, safe for any byte.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false).map { encodeLine(Substring($0)) }.joined(separator: "\r\n")
    }

    /// One line, soft-broken (`=` CRLF) so no encoded line passes 76 characters; works on bytes, since the
    /// encoded text is ASCII (a `String`'s count walks every character, per byte of every email).
    private static func encodeLine(_ line: Substring) -> String {
        let bytes = Array(line.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 4 + 8)
        var width = 0
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal = (byte >= 33 && byte <= 126 && byte != 61) || (byte == 32 && !isLast) || (byte == 9 && !isLast)
            let tokenWidth = literal ? 1 : 3
            if width + tokenWidth > 75 {
                output += [UInt8(ascii: "="), 13, 10]
                width = 0
            }
            if literal {
                output.append(byte)
            } else {
                output += [UInt8(ascii: "="), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]]
            }
            width += tokenWidth
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
