/// The shape a JSON value must have: the written-down output contract.
/// `OutputSchema` gives one per command; `violations` checks a value
/// against it, and `allows(csvColumn:)` checks a CSV header against it.
public indirect enum Shape: Sendable {
    case string
    /// A whole number written without a point (`10`, not `10.0` or `"10"`).
    case int
    /// Any number (whole numbers included).
    case number
    case bool
    /// The value or null.
    case nullable(Shape)
    case array(Shape)
    /// Exactly these keys (optional ones may be missing); no others.
    case object([Field])
    /// Any keys (a model's options, a user's features), each value of the shape.
    case map(Shape)
    /// Free-form (a chart's series, a data set's options).
    case any

    /// One key of an object.
    public struct Field: Sendable {
        public var name: String
        public var shape: Shape
        public var required: Bool
        public init(_ name: String, _ shape: Shape, required: Bool = true) {
            self.name = name
            self.shape = shape
            self.required = required
        }
    }

    /// Every way `value` breaks the shape, each naming its path (`$.items[3].rank: expected int, got string "3"`).
    public func violations(_ value: Value, at path: String = "$") -> [String] {
        switch (self, value) {
        case (.any, _), (.string, .string), (.int, .int), (.number, .int), (.number, .double), (.bool, .bool):
            return []
        case (.nullable, .null):
            return []
        case (.nullable(let inner), _):
            return inner.violations(value, at: path)
        case (.array(let element), .array(let items)):
            return items.enumerated().flatMap { element.violations($1, at: "\(path)[\($0)]") }
        case (.map(let element), .object(let pairs)):
            return pairs.flatMap { element.violations($1, at: "\(path).\($0)") }
        case (.object(let fields), .object(let pairs)):
            var problems: [String] = []
            var seen: Set<String> = []
            for (key, item) in pairs {
                if !seen.insert(key).inserted { problems.append("\(path).\(key): key given twice") }
                guard let field = fields.first(where: { $0.name == key }) else {
                    problems.append("\(path).\(key): key not in the contract")
                    continue
                }
                problems += field.shape.violations(item, at: "\(path).\(key)")
            }
            for field in fields where field.required && !seen.contains(field.name) {
                problems.append("\(path).\(field.name): required key missing")
            }
            return problems
        default:
            return ["\(path): expected \(name), got \(Shape.describe(value))"]
        }
    }

    /// True when a CSV column named `column` (`rank`, `val.ndcg`) is a key of
    /// this payload shape: a top-level key, a key of a listed record, or a
    /// dotted path into nested objects.
    public func allows(csvColumn column: String) -> Bool {
        allows(path: column.split(separator: ".").map(String.init)[...])
    }

    private func allows(path: ArraySlice<String>) -> Bool {
        guard let head = path.first else { return true }
        switch self {
        case .any, .map: return true
        case .nullable(let inner): return inner.allows(path: path)
        case .array(let element): return element.allows(path: path)
        case .object(let fields):
            if let field = fields.first(where: { $0.name == head }) {
                return field.shape.allows(path: path.dropFirst())
            }
            // A record's keys sit beside the result's own in the CSV table.
            return fields.contains { field in
                if case .array(let element) = field.shape.unwrapped { return element.allows(path: path) }
                return false
            }
        default: return false
        }
    }

    var unwrapped: Shape {
        if case .nullable(let inner) = self { return inner.unwrapped }
        return self
    }

    var name: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .number: "number"
        case .bool: "bool"
        case .nullable(let inner): "\(inner.name) or null"
        case .array: "array"
        case .object, .map: "object"
        case .any: "anything"
        }
    }

    static func describe(_ value: Value) -> String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .int(let i): "int \(i)"
        case .double(let d): "number \(d)"
        case .string(let s): "string \"\(s.prefix(30))\""
        case .array: "array"
        case .object: "object"
        }
    }
}

/// Short spellings for declaring shapes: `req("rank", .int)`, `opt("note", .string)`.
func req(_ name: String, _ shape: Shape) -> Shape.Field { Shape.Field(name, shape) }
func opt(_ name: String, _ shape: Shape) -> Shape.Field { Shape.Field(name, shape, required: false) }
