import Foundation

/// Renders an `EmailMessage` as an RFC 5322 message with MIME parts: multipart/mixed holding a
/// multipart/alternative (text, HTML) and the attachments.
///
/// Every header value is either plain printable ASCII or an RFC 2047 encoded-word, and CR/LF never pass
/// through, so a hostile team or customer name cannot add headers or recipients.
public enum MIMEEncoder {
    /// The message's bytes, built as bytes: `tally-alerts` encodes tens of thousands of emails a night, and
    /// building each line as a `String` first cost more than the rest of the email.
    public static func encode(_ message: EmailMessage) -> Data {
        let mixed = boundary("mixed", message)
        let alternative = boundary("alt", message)
        var output: [UInt8] = []
        output.reserveCapacity(1_024 + message.textBody.utf8.count * 11 / 10 + (message.htmlBody?.utf8.count ?? 0) * 11 / 10
                               + message.attachments.reduce(0) { $0 + $1.data.count * 4 / 3 * 78 / 76 + 256 })
        func line(_ parts: String...) {
            for part in parts { output.append(contentsOf: part.utf8) }
            output.append(contentsOf: crlf)
        }
        line("From: ", mailbox(message.from))
        line("To: ", message.to.map(mailbox).joined(separator: ", "))
        line("Subject: ", headerText(message.subject))
        line("Date: ", rfc5322Date(message.date))
        line("Message-ID: ", sanitized(message.messageID))
        line("MIME-Version: 1.0")
        line("X-Mailer: Tally")
        line("Content-Type: multipart/mixed; boundary=\"", mixed, "\"")
        line()
        line("This is a MIME message.")
        line("--", mixed)
        line("Content-Type: multipart/alternative; boundary=\"", alternative, "\"")
        line()
        line("--", alternative)
        textPart(message.textBody, subtype: "plain", into: &output)
        if let html = message.htmlBody {
            line("--", alternative)
            textPart(html, subtype: "html", into: &output)
        }
        line("--", alternative, "--")
        for attachment in message.attachments {
            let name = sanitizedFilename(attachment.filename)
            line("--", mixed)
            line("Content-Type: ", sanitized(attachment.contentType), "; name=\"", name, "\"")
            line("Content-Transfer-Encoding: base64")
            line("Content-Disposition: attachment; filename=\"", name, "\"")
            line()
            let encoded = attachment.data.base64EncodedData()
            for start in stride(from: 0, to: encoded.count, by: 76) {
                output.append(contentsOf: encoded[start..<min(start + 76, encoded.count)])
                output.append(contentsOf: crlf)
            }
        }
        line("--", mixed, "--")
        return Data(output)
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
        // After `sanitized`, ASCII holds no line breaks, and its characters are its bytes.
        let bytes = clean.utf8
        if bytes.count <= 900, bytes.allSatisfy({ $0 < 0x80 }), !clean.contains("=?") {
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
        // Printable ASCII, nearly every header, has nothing to drop.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        return String(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : Character($0) })
    }

    /// ASCII letters, digits, `.`, `_` and `-`; every other character becomes `_`.
    static func sanitizedFilename(_ name: String) -> String {
        let cleaned = name.unicodeScalars.map { scalar -> UInt8 in
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2E, 0x5F, 0x2D: UInt8(scalar.value)
            default: UInt8(ascii: "_")
            }
        }
        return cleaned.isEmpty ? "attachment" : String(decoding: cleaned, as: UTF8.self)
    }

    private static func textPart(_ body: String, subtype: String, into output: inout [UInt8]) {
        for header in ["Content-Type: text/\(subtype); charset=utf-8", "Content-Transfer-Encoding: quoted-printable", ""] {
            output.append(contentsOf: header.utf8)
            output.append(contentsOf: crlf)
        }
        QuotedPrintable.encode(body, into: &output)
        output.append(contentsOf: crlf)
    }

    private static let crlf: [UInt8] = [13, 10]

    private static func boundary(_ kind: String, _ message: EmailMessage) -> String {
        "tally-\(kind)-" + String(UInt64(bitPattern: Int64(message.messageID.hashValue)), radix: 36) + UUID().uuidString.prefix(8)
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
        var output: [UInt8] = []
        encode(text, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends `text` encoded, its lines (ended by LF or CRLF) joined by CRLF. Works on the UTF-8 bytes: the
    /// encoded text is ASCII, and a `String`'s character walk cost more than the rest of the email.
    static func encode(_ text: String, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + text.utf8.count + text.utf8.count / 8 + 16)
        var text = text
        text.withUTF8 { bytes in
            var lineStart = 0, index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 10 || (byte == 13 && index + 1 < bytes.count && bytes[index + 1] == 10) {
                    encodeLine(UnsafeBufferPointer(rebasing: bytes[lineStart..<index]), into: &output)
                    output.append(13)
                    output.append(10)
                    index += byte == 10 ? 1 : 2
                    lineStart = index
                } else {
                    index += 1
                }
            }
            encodeLine(UnsafeBufferPointer(rebasing: bytes[lineStart..<bytes.count]), into: &output)
        }
    }

    /// One line, soft-broken (`=` CRLF) so no encoded line passes 76 characters; a space or tab ending the line
    /// is encoded, since transports may strip it.
    private static func encodeLine(_ line: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        var width = 0
        for (index, byte) in line.enumerated() {
            let isLast = index == line.count - 1
            let literal = (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !isLast)
            let tokenWidth = literal ? 1 : 3
            if width + tokenWidth > 75 {
                output.append(UInt8(ascii: "="))
                output.append(13)
                output.append(10)
                width = 0
            }
            if literal {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "="))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 15)])
            }
            width += tokenWidth
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
