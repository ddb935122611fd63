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
    /// the validation positives when `part` is `.test`. Built straight from
    /// the edge lists by counting sort; for `val` the exclusions are the
    /// graph's own incidence matrix (shared, not copied).
    public init(split: Split, graph: InteractionGraph, on part: Split.Part) throws {
        guard part != .train else { throw RecError("eval: on= must be val or test, not train") }
        let users = graph.userCount, items = graph.movieCount
        func check(_ edges: [Edge], _ what: String) throws {
            if let e = edges.first(where: { $0.user < 0 || Int($0.user) >= users || $0.movie < 0 || Int($0.movie) >= items }) {
                throw RecError("eval: \(what) edge (user \(e.user), movie \(e.movie)) is outside the graph (\(users) users, \(items) movies)")
            }
        }
        try check(split.edges(part), part.rawValue)
        var ex = graph.userItems
        if part == .test {
            try check(split.validation, "validation")
            ex = Self.union(ex, Self.rows(split.validation, users: users, items: items))
        }
        let wanted = Self.rows(split.edges(part), users: users, items: items)
        // Keep the targets that are not excluded: a sorted merge of the two rows.
        var rowStart = [Int](repeating: 0, count: users + 1)
        var columns: [Int32] = []
        columns.reserveCapacity(wanted.nonZeroCount)
        for u in 0..<users {
            let out = ex.columns(ofRow: u)
            var p = out.startIndex
            for m in wanted.columns(ofRow: u) {
                while p < out.endIndex && out[p] < m { p += 1 }
                if p < out.endIndex && out[p] == m { continue }
                columns.append(m)
            }
            rowStart[u + 1] = columns.count
        }
        let kept = CSRMatrix(rows: users, cols: items, rowStart: rowStart, colIndex: columns,
                             values: [Float](repeating: 1, count: columns.count))
        self.init(targets: kept, exclusions: ex)
    }

    /// users x items incidence of `edges` (in range), rows ascending without repeats, by counting sort.
    static func rows(_ edges: [Edge], users: Int, items: Int) -> CSRMatrix {
        var start = [Int](repeating: 0, count: users + 1)
        for e in edges { start[Int(e.user) + 1] += 1 }
        for u in 0..<users { start[u + 1] += start[u] }
        var next = start
        var columns = [Int32](repeating: 0, count: edges.count)
        for e in edges {
            columns[next[Int(e.user)]] = e.movie
            next[Int(e.user)] += 1
        }
        var rowStart = [Int](repeating: 0, count: users + 1)
        var write = 0
        columns.withUnsafeMutableBufferPointer { c in
            for u in 0..<users {
                var row = UnsafeMutableBufferPointer(rebasing: c[start[u]..<start[u + 1]])
                row.sort()
                var last: Int32 = -1
                for m in row where m != last {
                    c[write] = m
                    write += 1
                    last = m
                }
                rowStart[u + 1] = write
            }
        }
        columns.removeLast(columns.count - write)
        return CSRMatrix(rows: users, cols: items, rowStart: rowStart, colIndex: columns,
                         values: [Float](repeating: 1, count: write))
    }

    /// The row-wise union of two incidence matrices of the same shape.
    static func union(_ a: CSRMatrix, _ b: CSRMatrix) -> CSRMatrix {
        var rowStart = [Int](repeating: 0, count: a.rows + 1)
        var columns: [Int32] = []
        columns.reserveCapacity(a.nonZeroCount + b.nonZeroCount)
        for r in 0..<a.rows {
            let x = a.columns(ofRow: r), y = b.columns(ofRow: r)
            var i = x.startIndex, j = y.startIndex
            while i < x.endIndex || j < y.endIndex {
                if j == y.endIndex || (i < x.endIndex && x[i] < y[j]) { columns.append(x[i]); i += 1 }
                else if i == x.endIndex || y[j] < x[i] { columns.append(y[j]); j += 1 }
                else { columns.append(x[i]); i += 1; j += 1 }
            }
            rowStart[r + 1] = columns.count
        }
        return CSRMatrix(rows: a.rows, cols: a.cols, rowStart: rowStart, colIndex: columns,
                         values: [Float](repeating: 1, count: columns.count))
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
