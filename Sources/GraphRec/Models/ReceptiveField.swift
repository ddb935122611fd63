import Tensors

/// One user's what-if edit (movies liked or dropped) read through the
/// unchanged graph: a node's neighbours after the edit are its neighbours
/// before, corrected at the edit's endpoints (the user and the movies), so
/// nothing of size edges is rebuilt.
public struct UserEdit: Sendable {
    public let graph: InteractionGraph
    public let user: Int
    /// The edited movies (movie indices), each either added or removed.
    public let added: Set<Int>
    public let removed: Set<Int>
    /// The user's movies after the edit, ascending.
    public let movies: [Int]

    /// Errors name the movie: adding one the user has, or removing one the user has not.
    public init(graph: InteractionGraph, user: Int, adding: [Int] = [], removing: [Int] = []) throws {
        guard (0..<graph.userCount).contains(user) else { throw RecError("edit: no user \(user) in the graph") }
        let owned = Set(graph.movies(ofUser: user).map(Int.init))
        for m in adding + removing where !(0..<graph.movieCount).contains(m) {
            throw RecError("edit: no movie \(m) in the graph")
        }
        if let m = adding.first(where: owned.contains) { throw RecError("edit: user \(user) already has movie \(m)") }
        if let m = removing.first(where: { !owned.contains($0) }) { throw RecError("edit: user \(user) has no movie \(m)") }
        self.graph = graph
        self.user = user
        added = Set(adding)
        removed = Set(removing)
        movies = owned.subtracting(removed).union(added).sorted()
    }

    /// The user's node and the edited movies' nodes: the rows whose neighbours change.
    public var endpoints: [Int] { [user] + added.union(removed).sorted().map(graph.movieNode) }

    /// Calls `body` with each neighbour of node `v` after the edit, ascending
    /// (the order of the graph's adjacency, so sums add in the same order).
    func forEachNeighbor(_ v: Int, _ body: (Int) -> Void) {
        let users = graph.userCount
        if v == user {
            for m in movies { body(users + m) }
        } else if v < users {
            for m in graph.movies(ofUser: v) { body(users + Int(m)) }
        } else {
            let m = v - users, adds = added.contains(m), drops = removed.contains(m)
            var pending = adds
            for w in graph.users(ofMovie: m) {
                if pending && Int(w) > user { body(user); pending = false }
                if drops && Int(w) == user { continue }
                body(Int(w))
            }
            if pending { body(user) }
        }
    }

    /// Degree of node `v` after the edit.
    public func degree(_ v: Int) -> Int {
        let users = graph.userCount
        if v == user { return movies.count }
        if v < users { return graph.degree(user: v) }
        let m = v - users
        return graph.degree(movie: m) + (added.contains(m) ? 1 : 0) - (removed.contains(m) ? 1 : 0)
    }

    /// Rows `rows` (node ids) of the edited graph's aggregation, rows.count x
    /// nodeCount: mean (1 / deg v) or symmetric (1 / sqrt(deg v deg w)), the
    /// operators `SparseOperator.rowNormalized` and `.symmetricNormalized` build for the whole graph.
    func aggregation(rows: [Int], symmetric: Bool) -> CSRMatrix {
        var start = [0], columns: [Int32] = [], values: [Float] = []
        for v in rows {
            let dv = Float(degree(v))
            forEachNeighbor(v) { w in
                columns.append(Int32(w))
                values.append(symmetric ? 1 / dv.squareRoot() * (1 / Float(degree(w)).squareRoot()) : 1 / dv)
            }
            start.append(columns.count)
        }
        return CSRMatrix(rows: rows.count, cols: graph.nodeCount, rowStart: start, colIndex: columns, values: values)
    }

    /// `aggregation(rows:symmetric:)` times `x` (nodeCount rows); zeros where
    /// the rows have no neighbours at all (a user who dropped every edge).
    func aggregate(rows: [Int], symmetric: Bool, _ x: Matrix) -> Matrix {
        let a = aggregation(rows: rows, symmetric: symmetric)
        return a.nonZeroCount == 0 ? Matrix(rows: rows.count, cols: x.cols) : a.times(x)
    }
}

/// The node states an edit can change, layer by layer, and of those the
/// ones a set of target nodes needs: what a graph model recomputes to answer
/// one user's edit exactly without re-propagating the whole graph.
///
/// Layer k's state of node v reads v's own state and its neighbours' at layer
/// k - 1 through v's row of the aggregation. So, with `inputs` the nodes whose
/// layer-0 state changes and `operatorRows` the rows whose aggregation weights
/// change (the edit's endpoints; under symmetric normalisation also their
/// neighbours, whose weights carry the endpoints' degrees),
///
///     changed(0) = inputs
///     changed(k) = changed(k-1) + operatorRows + neighbours(changed(k-1))
///
/// and every other state is exactly what it was. For the edited user's
/// top-K only the user's final vector and every movie's are needed; walking
/// back from those targets, layer k recomputes `changed(k)` restricted to the
/// nodes the layer above reads (`rows`), and takes every other state from the
/// full forward pass before the edit. With L = 2 mean layers an added edge
/// recomputes the user and the movie at layer 1, and the user, the movie and
/// the user's other movies at layer 2. The other users' vectors are not
/// recomputed (their lists are not what is asked); `changedUsers` counts those the edit reaches.
public struct ReceptiveField: Sendable {
    /// `rows[k - 1]`: the nodes recomputed at layer k, ascending.
    public let rows: [[Int]]
    /// Nodes whose final state the edit reaches (the edited user included).
    public let changedUsers: Int
    public let changedMovies: Int

    public init(edit: UserEdit, layers: Int, inputs: [Int], operatorRows: [Int], targets: [Int]) {
        let n = edit.graph.nodeCount, users = edit.graph.userCount
        var previous = [Bool](repeating: false, count: n)
        for v in inputs { previous[v] = true }
        var changed = [previous]
        for _ in 0..<max(layers, 0) {
            var next = previous
            for v in operatorRows { next[v] = true }
            for w in 0..<n where previous[w] {
                edit.forEachNeighbor(w) { next[$0] = true }
            }
            changed.append(next)
            previous = next
        }
        var need = [Bool](repeating: false, count: n)
        for v in targets { need[v] = true }
        var rows = [[Int]](repeating: [], count: layers)
        for k in stride(from: layers, through: 1, by: -1) {
            let recompute = (0..<n).filter { need[$0] && changed[k][$0] }
            for v in recompute { edit.forEachNeighbor(v) { need[$0] = true } }
            rows[k - 1] = recompute
        }
        self.rows = rows
        changedUsers = (0..<users).reduce(0) { $0 + (previous[$1] ? 1 : 0) }
        changedMovies = (users..<n).reduce(0) { $0 + (previous[$1] ? 1 : 0) }
    }

    /// The states after the edit: `before` (h(0) ... h(L) of every node)
    /// with the changed rows replaced, layer 0's from `input`, layer k's from
    /// `layer(k, rows, new h(k-1))`, one row per node of `rows[k - 1]`.
    func propagate(_ before: [Matrix], inputs: [Int], input: ([Int]) -> Matrix,
                   layer: (Int, [Int], Matrix) -> Matrix) -> [Matrix] {
        var states = before
        if !inputs.isEmpty { states[0].setRows(inputs, input(inputs)) }
        for (i, recompute) in rows.enumerated() where !recompute.isEmpty {
            states[i + 1].setRows(recompute, layer(i + 1, recompute, states[i]))
        }
        return states
    }
}

/// The scores of one edited user against every movie, before and after the edit.
public struct EditedUserScores: Sendable {
    public var before: [Float]
    public var after: [Float]
    public var field: ReceptiveField
}

/// A graph model that answers one user's edit from the edit's receptive
/// field instead of a second full forward pass (`ReceptiveField`).
public protocol ReceptiveFieldModel: Recommender {
    /// h(0) ... h(L) of every node of `graph`, as the forward pass computes them.
    func layerStates(on graph: InteractionGraph) -> [Matrix]
    /// The final embedding rows (what scores are dot products of) of `nodes`, from states h(0) ... h(L).
    func outputRows(_ states: [Matrix], nodes: [Int], userCount: Int) -> Matrix
    /// The states after `edit`, recomputing only what `targets` need, and the field recomputed.
    func editedStates(_ before: [Matrix], edit: UserEdit, targets: [Int]) -> ([Matrix], ReceptiveField)
}

extension ReceptiveFieldModel {
    /// The edited user's scores against every movie before and after `edit`:
    /// one forward pass on the graph, then the edit's receptive field.
    /// Equal (to rounding) to scoring the user on the edited graph's full forward pass.
    public func userScores(_ edit: UserEdit) -> EditedUserScores {
        let graph = edit.graph, users = graph.userCount
        let before = layerStates(on: graph)
        let targets = [edit.user] + (0..<graph.movieCount).map { users + $0 }
        let (after, field) = editedStates(before, edit: edit, targets: targets)
        func scores(_ states: [Matrix]) -> [Float] {
            let rows = outputRows(states, nodes: targets, userCount: users)
            let user = Matrix(rows: 1, cols: rows.cols, storage: rows.row(0))
            let items = rows.sliceRows(1..<rows.rows)
            return BLAS.matmul(user, items, transposeB: true).storage
        }
        return EditedUserScores(before: scores(before), after: scores(after), field: field)
    }
}

extension Matrix {
    /// Rows `indices` replaced by the rows of `values`, in order.
    mutating func setRows(_ indices: [Int], _ values: Matrix) {
        precondition(values.rows == indices.count && values.cols == cols, "setRows: \(values.rows)x\(values.cols) for \(indices.count) rows of width \(cols)")
        let d = cols
        values.storage.withUnsafeBufferPointer { src in
            storage.withUnsafeMutableBufferPointer { dst in
                for (r, v) in indices.enumerated() {
                    (dst.baseAddress! + v * d).update(from: src.baseAddress! + r * d, count: d)
                }
            }
        }
    }

    /// Rows `range` as a new matrix.
    func sliceRows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }
}
