import Foundation
import Testing
@testable import TallyCore

/// The encoder's exact bytes, pinned: the outbox writes tens of thousands of emails a night, so its
/// quoted-printable and its Date header are computed directly, and must read as they always did.
@Suite("MIME encoding: quoted-printable and the Date header, byte for byte")
struct MIMEEncodingTests {
    @Test("quoted-printable escapes '=', non-ASCII and a trailing space, and soft-breaks lines at 76 characters")
    func quotedPrintable() {
        let text = "Plan = 1,000 tokens \u{e9}t\u{e9} \n\t" + String(repeating: "x", count: 80) + " \u{1F600} end "

        let encoded = QuotedPrintable.encode(text)

        #expect(encoded == "Plan =3D 1,000 tokens =C3=A9t=C3=A9=20\r\n\t" + String(repeating: "x", count: 74) + "=\r\n"
            + "xxxxxx =F0=9F=98=80 end=20")
    }

    @Test("LF and CRLF both end a line; a CR on its own is escaped, even just before a CRLF")
    func lineEnds() {
        #expect(QuotedPrintable.encode("a\nb\r\nc\rd\r\r\ne\n") == "a\r\nb\r\nc=0Dd=0D\r\ne\r\n")
    }

    @Test("the Date header is RFC 5322 in UTC, the second rounded as DateFormatter rounds it")
    func dateHeader() {
        #expect(MIMEEncoder.rfc5322Date(Date(timeIntervalSince1970: 1_795_000_000.25)) == "Wed, 18 Nov 2026 11:06:40 +0000")
        #expect(MIMEEncoder.rfc5322Date(Date(timeIntervalSince1970: 1_795_000_000.9999)) == "Wed, 18 Nov 2026 11:06:41 +0000")
        #expect(MIMEEncoder.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }
}
