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

    /// Parses a whole document and returns its root element.
    public static func parse(_ data: Data) throws -> XMLTree {
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw XLSXReadError(message: "invalid XML: \(parser.parserError.map { "\($0)" } ?? "no root element")")
        }
        return root
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
    private var stack: [XMLTree] = []

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
        stack.removeLast()
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
