import Testing
@testable import TallyCore

@Suite("Form encoding in Stripe's bracket syntax")
struct FormEncoderTests {
    @Test("nested dictionaries use brackets and keys come out sorted")
    func nestedDictionaries() {
        let encoded = FormEncoder.encode([
            "payload": ["value": "3", "stripe_customer_id": "cus_1"],
            "created": ["gte": 1],
            "event_name": "api_request",
        ])
        #expect(encoded == "created%5Bgte%5D=1&event_name=api_request&payload%5Bstripe_customer_id%5D=cus_1&payload%5Bvalue%5D=3")
    }

    @Test("scalar lists repeat the key with empty brackets, in order")
    func scalarLists() {
        let pairs = FormEncoder.pairs(["expand": ["b", "a"]])
        #expect(pairs.map { "\($0.key)=\($0.value)" } == ["expand[]=b", "expand[]=a"])
    }

    @Test("lists of objects are indexed so each element's fields stay together")
    func indexedLists() {
        let pairs = FormEncoder.pairs(["items": [["price": "price_1", "quantity": 2], ["price": "price_2"]]])
        #expect(pairs.map { "\($0.key)=\($0.value)" } == ["items[0][price]=price_1", "items[0][quantity]=2", "items[1][price]=price_2"])
    }

    @Test("reserved characters, spaces and non-ASCII are percent-encoded")
    func percentEncoding() {
        #expect(FormEncoder.encode(["q": "a b&c=d+é/~"]) == "q=a%20b%26c%3Dd%2B%C3%A9%2F~")
        #expect(FormEncoder.encode(["flag": true]) == "flag=true")
        #expect(FormEncoder.encode([:]) == "")
    }

    @Test("the same parameters always encode to the same bytes")
    func deterministic() {
        let parameters: [String: FormValue] = ["b": "1", "a": ["z": "1", "y": "2"], "c": ["x", "y"]]
        #expect(Set((0..<20).map { _ in FormEncoder.encode(parameters) }).count == 1)
    }
}
