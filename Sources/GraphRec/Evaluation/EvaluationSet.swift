import Tensors

/// What one evaluation asks: for each user, the target movies to find and
/// the movies to leave out of the ranking.
///
/// Built once per (split, part) and reused every epoch. Both lists are rows
/// of a users x movies CSR (ascending movie indices). Evaluating `test`
/// excludes the train graph's edges and the validation positives; evaluating
/// `val` excludes the train graph's edges (DESIGN.md). A target that is also
/// excluded cannot be ranked and is dropped from the targets.
public struct EvaluationSet: Sendable {
    public let userCount: Int
    public let itemCount: Int
    /// users x items, one entry per target.
    public let targets: CSRMatrix
    /// users x items, one entry per excluded movie.
    public let exclusions: CSRMatrix
    /// The users with at least one target, ascending: the ones evaluated.
    public let users: [Int]

    /// From explicit per-user lists of movie indices (`targets.count` users).
    public init(itemCount: Int, targets: [[Int]], exclusions: [[Int]]) throws {
        guard targets.count == exclusions.count else {
            throw RecError("evaluation set: \(targets.count) target lists but \(exclusions.count) exclusion lists")
        }
        func triplets(_ lists: [[Int]], _ what: String) throws -> [(row: Int, col: Int, value: Float)] {
            var out: [(row: Int, col: Int, value: Float)] = []
            for (u, list) in lists.enumerated() {
                for m in list {
                    guard m >= 0 && m < itemCount else {
                        throw RecError("evaluation set: \(what) movie index \(m) of user \(u) is outside 0..<\(itemCount)")
                    }
                    out.append((u, m, 1))
                }
            }
            return out
        }
        let ex = CSRMatrix(rows: targets.count, cols: itemCount, triplets: try triplets(exclusions, "excluded"))
        var kept: [(row: Int, col: Int, value: Float)] = []
        for t in try triplets(targets, "target") where !Self.contains(ex, t.row, t.col) { kept.append(t) }
        self.init(targets: CSRMatrix(rows: targets.count, cols: itemCount, triplets: kept), exclusions: ex)
    }

    /// Targets from `part` of `split`; exclusions from the train `graph`, plus
    /// the validation positives when `part` is `.test`.
    public init(split: Split, graph: InteractionGraph, on part: Split.Part) throws {
        guard part != .train else { throw RecError("eval: on= must be val or test, not train") }
        let users = graph.userCount, items = graph.movieCount
        func triplets(_ edges: [Edge], _ what: String) throws -> [(row: Int, col: Int, value: Float)] {
            try edges.map { e in
                guard e.user >= 0 && Int(e.user) < users && e.movie >= 0 && Int(e.movie) < items else {
                    throw RecError("eval: \(what) edge (user \(e.user), movie \(e.movie)) is outside the graph (\(users) users, \(items) movies)")
                }
                return (Int(e.user), Int(e.movie), Float(1))
            }
        }
        var excluded = try triplets(graph.edges, "train")
        if part == .test { excluded += try triplets(split.validation, "validation") }
        let ex = CSRMatrix(rows: users, cols: items, triplets: excluded)
        let kept = try triplets(split.edges(part), part.rawValue).filter { !Self.contains(ex, $0.row, $0.col) }
        self.init(targets: CSRMatrix(rows: users, cols: items, triplets: kept), exclusions: ex)
    }

    private init(targets: CSRMatrix, exclusions: CSRMatrix) {
        self.userCount = targets.rows
        self.itemCount = targets.cols
        self.targets = targets
        self.exclusions = exclusions
        self.users = (0..<targets.rows).filter { targets.rowCount($0) > 0 }
    }

    /// Target movies of user u, ascending.
    public func targets(of u: Int) -> ArraySlice<Int32> { targets.columns(ofRow: u) }
    /// Excluded movies of user u, ascending.
    public func exclusions(of u: Int) -> ArraySlice<Int32> { exclusions.columns(ofRow: u) }

    private static func contains(_ m: CSRMatrix, _ r: Int, _ c: Int) -> Bool {
        let row = m.columns(ofRow: r)
        var lo = row.startIndex, hi = row.endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(row[mid]) < c { lo = mid + 1 } else { hi = mid }
        }
        return lo < row.endIndex && Int(row[lo]) == c
    }
}
