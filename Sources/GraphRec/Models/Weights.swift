import Tensors

/// A model's weights as a typed struct, one field per tensor, generic over
/// what a tensor is: `Matrix` in the model, `Variable` on a tape. The
/// dictionary view (`named`, `assign`) exists for what needs names: Adam's
/// per-tensor state in the `Trainer` and the saved safetensors file.
public protocol WeightSet: Sendable {
    /// The same weights bound on a tape.
    associatedtype Bound
    /// The weights with each tensor replaced by `transform(name, tensor)`.
    func mapTensors(_ transform: (String, Matrix) -> Matrix) -> Self
    /// The weights on a tape: `variable(name, tensor)` binds each one.
    func bind(_ variable: (String, Matrix) -> Variable) -> Bound
}

extension WeightSet {
    /// Every tensor by its saved name ("layer1.W", "ids.users", ...).
    public var named: [String: Matrix] {
        var out: [String: Matrix] = [:]
        _ = mapTensors { name, m in out[name] = m; return m }
        return out
    }

    /// Replaces the tensors `values` names; the others stay.
    public mutating func assign(_ values: [String: Matrix]) {
        self = mapTensors { name, m in values[name] ?? m }
    }
}

/// Learnable ID vectors, one row per user and per movie ("ids.users", "ids.movies").
public struct IDTables<T> {
    public var users: T
    public var movies: T

    public init(users: T, movies: T) {
        self.users = users
        self.movies = movies
    }

    public func map<U>(_ f: (String, T) -> U) -> IDTables<U> {
        IDTables<U>(users: f("ids.users", users), movies: f("ids.movies", movies))
    }
}

extension IDTables: Sendable where T: Sendable {}
extension IDTables: Equatable where T: Equatable {}

extension IDTables: WeightSet where T == Matrix {
    public func mapTensors(_ transform: (String, Matrix) -> Matrix) -> IDTables<Matrix> { map(transform) }
    public func bind(_ variable: (String, Matrix) -> Variable) -> IDTables<Variable> { map(variable) }
}

extension IDTables where T == Matrix {
    /// Fresh tables, N(0, 0.1²), users drawn first (the order fixes what a seed gives).
    public static func normal(users: Int, movies: Int, width: Int, using rng: inout SeededGenerator) -> IDTables<Matrix> {
        let u = Matrix.normal(rows: users, cols: width, std: 0.1, using: &rng)
        return IDTables(users: u, movies: .normal(rows: movies, cols: width, std: 0.1, using: &rng))
    }
}
