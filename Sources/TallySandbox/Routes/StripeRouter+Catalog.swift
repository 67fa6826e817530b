/// Customers, products and prices.
extension StripeRouter {
    func customers(_ resource: [String], _ storage: inout SimulatorStorage) throws(StripeAPIError) -> JSONValue {
        switch (request.method, resource.count) {
        case ("POST", 1):
            return storage.render(storage.createCustomer(
                email: parameters["email"], name: parameters["name"], description: parameters["description"],
                metadata: parameters.entries(under: "metadata"), now: now, origin: origin))
        case ("GET", 1):
            let email = parameters["email"]
            let created = try parameters.timeRange("created")
            let matching = storage.customers.newestFirst.filter {
                (email == nil || $0.email == email) && created($0.created)
            }
            return try list(matching, id: \.id, url: "/v1/customers", render: storage.render)
        case ("GET", 2):
            guard let customer = storage.customers[resource[1]] else { throw .noSuch("customer", resource[1]) }
            return storage.render(customer)
        case ("POST", 2):
            return storage.render(try storage.updateCustomer(
                resource[1], email: parameters["email"], name: parameters["name"],
                metadata: parameters.entries(under: "metadata"), now: now, origin: origin))
        default: throw unrecognized
        }
    }

    func products(_ resource: [String], _ storage: inout SimulatorStorage) throws(StripeAPIError) -> JSONValue {
        switch (request.method, resource.count) {
        case ("POST", 1):
            return storage.render(storage.createProduct(
                name: try parameters.required("name"), description: parameters["description"],
                unitLabel: parameters["unit_label"], metadata: parameters.entries(under: "metadata"),
                now: now, origin: origin))
        case ("GET", 1):
            return try list(Array(storage.products.newestFirst), id: \.id, url: "/v1/products", render: storage.render)
        case ("GET", 2):
            guard let product = storage.products[resource[1]] else { throw .noSuch("product", resource[1]) }
            return storage.render(product)
        default: throw unrecognized
        }
    }

    func prices(_ resource: [String], _ storage: inout SimulatorStorage) throws(StripeAPIError) -> JSONValue {
        switch (request.method, resource.count) {
        case ("POST", 1):
            let usage = parameters["recurring[usage_type]"] ?? "licensed"
            guard let usageType = PriceUsageType(rawValue: usage) else {
                throw .invalid("Invalid recurring[usage_type]: must be one of licensed or metered",
                               param: "recurring[usage_type]")
            }
            // Whole-number `unit_amount_decimal` is accepted too; fractional minor units are not modelled.
            let decimal = try parameters.integer("unit_amount_decimal")
            guard let amount = try parameters.integer("unit_amount") ?? decimal else {
                throw .missing("unit_amount")
            }
            let price = try storage.createPrice(
                product: try parameters.required("product"), currency: try parameters.required("currency"),
                unitAmount: amount, interval: try parameters.required("recurring[interval]"),
                intervalCount: Int(try parameters.integer("recurring[interval_count]") ?? 1), usageType: usageType,
                meter: parameters["recurring[meter]"], nickname: parameters["nickname"],
                lookupKey: parameters["lookup_key"], metadata: parameters.entries(under: "metadata"),
                now: now, origin: origin)
            return storage.render(price)
        case ("GET", 1):
            let product = parameters["product"]
            let matching = storage.prices.newestFirst.filter { product == nil || $0.product == product }
            return try list(matching, id: \.id, url: "/v1/prices", render: storage.render)
        case ("GET", 2):
            guard let price = storage.prices[resource[1]] else { throw .noSuch("price", resource[1]) }
            return storage.render(price)
        default: throw unrecognized
        }
    }
}
