import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: enough of a DOM to read the parts of an XLSX package in tests.
///
/// Names drop their namespace prefix (`c:lineChart` is `lineChart`); attributes keep theirs (`r:id`).
public final class XMLTree {
    public let name: String
    public let attributes: [String: String]
    public private(set) var children: [XMLTree] = []
    public fileprivate(set) var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// Parses a whole document and returns its root element; throws on any error libxml2 reports.
    public static func parse(_ data: Data) throws -> XMLTree {
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        let finished = parser.parse()
        // On Linux, Foundation's XMLParser returns true when libxml2 reports its error at the end of the
        // document (an unclosed element, content after the root: code 5), so success is also no error
        // reported, a root, and every element closed.
        if let error = builder.error ?? parser.parserError {
            throw XLSXReadError(message: "invalid XML: \(Self.describe(error)) near line \(parser.lineNumber)")
        }
        guard finished else { throw XLSXReadError(message: "invalid XML: the parser stopped without naming an error") }
        guard let root = builder.root else { throw XLSXReadError(message: "invalid XML: no root element") }
        guard builder.openElements.isEmpty else {
            throw XLSXReadError(message: "invalid XML: <\(builder.openElements.joined(separator: "><"))> never closed")
        }
        return root
    }

    /// `NSXMLParserErrorDomain code 76`: the libxml2 error code, the only detail Linux's NSError carries.
    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        return "\(ns.domain) code \(ns.code)"
    }

    /// The first direct child named `name`.
    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// All direct children named `name`.
    public func children(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// Every element named `name` below this one, depth first.
    public func descendants(_ name: String) -> [XMLTree] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.descendants(name) }
    }

    /// The text of this element and all its descendants, in document order.
    public var allText: String { text + children.map(\.allText).joined() }

    fileprivate func add(_ child: XMLTree) { children.append(child) }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var root: XMLTree?
    /// The first error libxml2 reported, even one `parse()` then returns true after.
    var error: Error?
    private var stack: [XMLTree] = []

    /// Names of the elements opened and not yet closed, outermost first.
    var openElements: [String] { stack.map(\.name) }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if error == nil { error = parseError }
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        let element = XMLTree(name: local, attributes: attributes)
        if let parent = stack.last { parent.add(element) } else { root = element }
        stack.append(element)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }
}

/// A workbook could not be read back.
public struct XLSXReadError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
