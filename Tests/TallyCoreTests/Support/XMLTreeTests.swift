import Foundation
import Testing
import TallyTestKit

/// The test kit's XML reader fails loudly: a workbook part that is not well-formed XML must fail the test
/// that reads it, not read back as a shorter tree.
@Suite("XMLTree")
struct XMLTreeTests {
    @Test("a malformed document is rejected, however libxml2 reports it",
          arguments: ["<a><b></a>", "<a><b>x</b>", "<a>x</a><c/>", "<a>x</a>trailing", "<a>&bogus;</a>", "<a b='1' b='2'/>", ""])
    func malformed(document: String) {
        #expect(throws: XLSXReadError.self, "accepted: \(document)") { try XMLTree.parse(Data(document.utf8)) }
    }

    @Test("a well-formed document reads back with its names, attributes and text")
    func wellFormed() throws {
        let root = try XMLTree.parse(Data(#"<c:chart xmlns:c="urn:c" xmlns:r="urn:r"><c:title r:id="x">T<c:t>itle</c:t></c:title></c:chart>"#.utf8))
        #expect(root.name == "chart")
        #expect(root.child("title")?.attributes["r:id"] == "x")
        #expect(root.child("title")?.allText == "Title")
    }
}
