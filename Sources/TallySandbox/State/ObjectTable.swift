/// Objects in creation order with lookup by id; lists read it newest first.
struct ObjectTable<Object: Sendable>: Sendable {
    private(set) var ordered: [Object] = []
    private var positions: [String: Int] = [:]
    private let key: @Sendable (Object) -> String

    init(key: @escaping @Sendable (Object) -> String) { self.key = key }

    subscript(id: String) -> Object? {
        get { positions[id].map { ordered[$0] } }
        set {
            guard let newValue else { return }
            if let position = positions[id] {
                ordered[position] = newValue
            } else {
                positions[key(newValue)] = ordered.count
                ordered.append(newValue)
            }
        }
    }

    mutating func insert(_ object: Object) { self[key(object)] = object }

    /// Newest first, as Stripe lists.
    var newestFirst: ReversedCollection<[Object]> { ordered.reversed() }

    var count: Int { ordered.count }
}
