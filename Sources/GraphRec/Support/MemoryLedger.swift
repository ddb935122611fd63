import Tensors

/// The bytes a session holds, by part (data set, graph, split, each model).
///
/// Arrays are counted by their storage, each buffer once, under the first
/// part that adds it: copy-on-write lets a model share the graph's incidence
/// matrix or a matrix of its own parameters, and shared storage is memory
/// held once. Figures cover the large arrays (ratings, edges, CSR, weights,
/// embeddings, features) plus the per-user and per-movie records at their
/// inline size; strings' and dictionaries' heap use is not counted.
public struct MemoryLedger: Sendable {
    public private(set) var parts: [(name: String, bytes: Int)] = []
    private var seen: Set<UInt> = []

    public init() {}

    public var total: Int { parts.reduce(0) { $0 + $1.bytes } }

    /// Starts a part; what is added next is counted under it.
    public mutating func begin(_ name: String) { parts.append((name, 0)) }

    public mutating func add<T>(_ array: [T]) {
        let (address, bytes) = array.withUnsafeBytes { ($0.baseAddress.map { UInt(bitPattern: $0) }, $0.count) }
        guard let address, bytes > 0, !parts.isEmpty, seen.insert(address).inserted else { return }
        parts[parts.count - 1].bytes += bytes
    }

    public mutating func add(_ m: Matrix?) { if let m { add(m.storage) } }

    public mutating func add(_ c: CSRMatrix) {
        add(c.rowStart)
        add(c.colIndex)
        add(c.values)
    }

    public mutating func add(_ d: Dataset) {
        add(d.ratings)
        add(d.users)
        add(d.movies)
        add(d.userFeatures)
        add(d.movieFeatures)
    }

    public mutating func add(_ g: InteractionGraph) {
        add(g.edges)
        add(g.userItems)
        add(g.itemUsers)
        add(g.userFeatures)
        add(g.movieFeatures)
    }

    public mutating func add(_ s: Split) {
        add(s.train)
        add(s.validation)
        add(s.test)
    }

    /// A trained model: what it keeps to score (its stored weights and its scorer's state).
    public mutating func add(_ model: TrainedModel) {
        if let r = model.recommender as? any ResidentStorage {
            r.addStorage(to: &self)
        } else {
            for key in model.recommender.parameters.keys.sorted() { add(model.recommender.parameters[key]) }
        }
        if let e = model.scorer as? Embeddings {
            add(e.users)
            add(e.items)
        } else if let s = model.scorer as? ItemItemScorer {
            add(s.likes)
            s.weights.addStorage(to: &self)
        }
    }
}

/// A model whose `parameters` are built on demand (a transposed or padded
/// copy for saving): it names the storage it really keeps.
public protocol ResidentStorage {
    func addStorage(to ledger: inout MemoryLedger)
}

extension ItemItemScorer.Weights {
    func addStorage(to ledger: inout MemoryLedger) {
        switch self {
        case .dense(let m): ledger.add(m)
        case .sparse(let c): ledger.add(c)
        }
    }
}

extension ItemKNN: ResidentStorage {
    public func addStorage(to ledger: inout MemoryLedger) {
        ledger.add(neighbours)
        ledger.add(contributions)
    }
}

extension EASE: ResidentStorage {
    public func addStorage(to ledger: inout MemoryLedger) { ledger.add(weights) }
}
