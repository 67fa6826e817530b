import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A strict check of the HTML Tally emails: the document must parse as well-formed markup (libxml2 via
/// `XMLParser`: any error it reports, an unclosed, mis-nested or stray element or a bad entity, fails the
/// check; on Linux `parse()` returns true after libxml2 recovers, so the errors are collected), use only
/// elements a mail client renders, put each where HTML allows it (a row in a table, a cell in a row, an
/// item in a list, no block inside a paragraph or heading), carry no external asset or script, and start
/// no list item with a typed "- ".
enum StrictHTML {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Where each element may appear: the parents allowed.
    static let parents: [String: Set<String>] = [
        "html": [""], "head": ["html"], "body": ["html"], "title": ["head"], "meta": ["head"],
        "h1": ["body", "td"], "h2": ["body", "td"], "h3": ["body", "td"],
        "p": ["body", "td", "li"], "table": ["body", "td"], "ul": ["body", "td", "li"], "ol": ["body", "td", "li"],
        "tr": ["table", "tbody", "thead"], "tbody": ["table"], "thead": ["table"],
        "td": ["tr"], "th": ["tr"], "li": ["ul", "ol"],
        "a": ["p", "td", "th", "li", "strong", "em", "h2", "h3"], "strong": ["p", "td", "th", "li", "a", "h2", "h3"],
        "em": ["p", "td", "th", "li", "a"], "br": ["p", "td", "th", "li"],
    ]

    /// Throws the first problem found in `html`.
    static func check(_ html: String) throws {
        guard html.hasPrefix("<!DOCTYPE html>") else { throw Problem(description: "no <!DOCTYPE html> first") }
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = builder
        let parsed = parser.parse()
        if let error = builder.errors.first ?? parser.parserError {
            throw Problem(description: "not well-formed (line \(parser.lineNumber)): \(error)")
        }
        guard parsed, let root = builder.root else { throw Problem(description: "no root element") }
        try walk(root, parent: "")
    }

    final class Element {
        let name: String
        let attributes: [String: String]
        var children: [Element] = []
        var text = ""

        init(name: String, attributes: [String: String]) {
            self.name = name
            self.attributes = attributes
        }
    }

    final class TreeBuilder: NSObject, XMLParserDelegate {
        var root: Element?
        var stack: [Element] = []
        var errors: [Error] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let element = Element(name: name, attributes: attributes)
            if let parent = stack.last { parent.children.append(element) } else if root == nil { root = element }
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            errors.append(parseError)
        }
    }

    static func walk(_ element: Element, parent: String) throws {
        guard let allowed = parents[element.name] else {
            throw Problem(description: "<\(element.name)> is not an element Tally's emails use")
        }
        guard allowed.contains(parent) else {
            throw Problem(description: "<\(element.name)> inside <\(parent.isEmpty ? "document" : parent)>")
        }
        for (name, value) in element.attributes {
            if name.lowercased().hasPrefix("on") { throw Problem(description: "script attribute \(name)") }
            if ["src", "background"].contains(name.lowercased()) { throw Problem(description: "external asset \(name)=\(value)") }
            if name == "href", !value.hasPrefix("https://") { throw Problem(description: "link to \(value)") }
        }
        if element.name == "li", element.text.trimmingCharacters(in: .whitespaces).hasPrefix("- ") {
            throw Problem(description: "list item starting with \"- \": \(element.text)")
        }
        for child in element.children { try walk(child, parent: element.name) }
    }
}
