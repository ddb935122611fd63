import Tensors

/// The bipartite user-movie graph the models see: nodes with features, and
/// the train positives as undirected edges.
///
/// Node space: users are nodes `0..<userCount`, movie m is node
/// `userCount + m`. The graph is a value: what-if questions build a changed
/// copy (`adding(_:)`, `addingUser(features:)`) and re-run the model on it,
/// leaving the session's graph untouched.
public struct InteractionGraph: Sendable {
    public private(set) var userCount: Int
    public let movieCount: Int
    /// users x F_u node features, or nil when the data set has none.
    public private(set) var userFeatures: Matrix?
    /// movies x F_m node features, or nil when the data set has none.
    public let movieFeatures: Matrix?
    /// The edges, sorted by (user, movie), without duplicates.
    public private(set) var edges: [Edge]
    /// userCount x movieCount, 1 at each edge.
    public private(set) var userItems: CSRMatrix
    /// movieCount x userCount, the transpose of `userItems`.
    public private(set) var itemUsers: CSRMatrix

    public init(userCount: Int, movieCount: Int, edges: [Edge],
                userFeatures: Matrix? = nil, movieFeatures: Matrix? = nil) {
        precondition(userFeatures == nil || userFeatures!.rows == userCount, "user features rows != userCount")
        precondition(movieFeatures == nil || movieFeatures!.rows == movieCount, "movie features rows != movieCount")
        self.userCount = userCount
        self.movieCount = movieCount
        self.userFeatures = userFeatures
        self.movieFeatures = movieFeatures
        self.edges = InteractionGraph.sortedUnique(edges, userCount: userCount, movieCount: movieCount)
        self.userItems = CSRMatrix(rows: 0, cols: 0, rowStart: [0], colIndex: [], values: [])
        self.itemUsers = userItems
        rebuildAdjacency()
    }

    /// The edges sorted by (user, movie) without repeats, in O(edges + users):
    /// a counting sort by user, then each user's few movies sorted in place.
    /// Hashing and sorting 25M edges whole took tens of seconds. Edges that
    /// already are (a split's train part) come back as the same array, so
    /// the graph shares the split's storage instead of holding a second copy.
    static func sortedUnique(_ edges: [Edge], userCount: Int, movieCount: Int) -> [Edge] {
        for e in edges {
            precondition(Int(e.user) < userCount && Int(e.movie) < movieCount && e.user >= 0 && e.movie >= 0,
                         "edge out of range")
        }
        if zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) { return edges }
        var start = [Int](repeating: 0, count: userCount + 1)
        for e in edges { start[Int(e.user) + 1] += 1 }
        for u in 0..<userCount { start[u + 1] += start[u] }
        var movies = [Int32](repeating: 0, count: edges.count)
        var next = start
        for e in edges {
            movies[next[Int(e.user)]] = e.movie
            next[Int(e.user)] += 1
        }
        var out: [Edge] = []
        out.reserveCapacity(edges.count)
        movies.withUnsafeMutableBufferPointer { buffer in
            for u in 0..<userCount where start[u + 1] > start[u] {
                var row = UnsafeMutableBufferPointer(rebasing: buffer[start[u]..<start[u + 1]])
                row.sort()
                var last: Int32 = -1
                for m in row where m != last {
                    out.append(Edge(user: Int32(u), movie: m))
                    last = m
                }
            }
        }
        return out
    }

    /// The incidence CSRs of `edges`, which are sorted and unique.
    private mutating func rebuildAdjacency() {
        var rowStart = [Int](repeating: 0, count: userCount + 1)
        var columns = [Int32]()
        columns.reserveCapacity(edges.count)
        for e in edges {
            precondition(Int(e.user) < userCount && Int(e.movie) < movieCount && e.user >= 0 && e.movie >= 0,
                         "edge out of range")
            rowStart[Int(e.user) + 1] += 1
            columns.append(e.movie)
        }
        for u in 0..<userCount { rowStart[u + 1] += rowStart[u] }
        // Every value is 1: both directions share one buffer of ones.
        let ones = [Float](repeating: 1, count: columns.count)
        userItems = CSRMatrix(rows: userCount, cols: movieCount, rowStart: rowStart, colIndex: columns, values: ones)
        itemUsers = userItems.transposed()
        itemUsers.values = ones
    }

    public var nodeCount: Int { userCount + movieCount }
    public var edgeCount: Int { edges.count }

    /// Node id of movie m in the shared node space.
    public func movieNode(_ m: Int) -> Int { userCount + m }

    /// Movies user u is linked to, ascending.
    public func movies(ofUser u: Int) -> ArraySlice<Int32> { userItems.columns(ofRow: u) }
    /// Users linked to movie m, ascending.
    public func users(ofMovie m: Int) -> ArraySlice<Int32> { itemUsers.columns(ofRow: m) }

    public func degree(user u: Int) -> Int { userItems.rowCount(u) }
    public func degree(movie m: Int) -> Int { itemUsers.rowCount(m) }

    /// The symmetric node-space adjacency (nodeCount x nodeCount, 1 per edge
    /// in both directions), the starting point of every aggregation operator.
    /// Built straight from the two sorted incidence matrices (user rows, then
    /// movie rows), in O(edges): the trainer rebuilds it every batch with `holdout=on`.
    public func adjacency() -> CSRMatrix {
        var rowStart = [Int](repeating: 0, count: nodeCount + 1)
        var columns = [Int32]()
        columns.reserveCapacity(edges.count * 2)
        for u in 0..<userCount {
            for m in userItems.columns(ofRow: u) { columns.append(Int32(userCount) + m) }
            rowStart[u + 1] = columns.count
        }
        columns.append(contentsOf: itemUsers.colIndex)
        for m in 0..<movieCount { rowStart[userCount + m + 1] = userItems.nonZeroCount + itemUsers.rowStart[m + 1] }
        return CSRMatrix(rows: nodeCount, cols: nodeCount, rowStart: rowStart, colIndex: columns,
                         values: [Float](repeating: 1, count: columns.count))
    }

    /// The same graph with more edges (what-if: "user likes movie").
    public func adding(_ newEdges: [Edge]) -> InteractionGraph {
        var g = self
        g.edges = InteractionGraph.sortedUnique(edges + newEdges, userCount: userCount, movieCount: movieCount)
        g.rebuildAdjacency()
        return g
    }

    /// The same graph without some edges (what-if: "user drops movie").
    public func removing(_ gone: [Edge]) -> InteractionGraph {
        let drop = Set(gone)
        return removing(edgesAt: edges.indices.filter { drop.contains(edges[$0]) })
    }

    /// The same graph without the edges at `offsets` (positions in `edges`):
    /// the trainer's per-batch message graph, so it avoids hashing edges.
    public func removing(edgesAt offsets: some Sequence<Int>) -> InteractionGraph {
        var gone = [Bool](repeating: false, count: edges.count)
        for k in offsets { gone[k] = true }
        var g = self
        g.edges = edges.indices.compactMap { gone[$0] ? nil : edges[$0] }
        g.rebuildAdjacency()
        return g
    }

    /// The same graph with one more user (index `userCount`), no edges yet.
    /// `features` must match the user feature width when features exist.
    public func addingUser(features: [Float]?) -> InteractionGraph {
        var g = self
        if let uf = userFeatures {
            let row = features ?? [Float](repeating: 0, count: uf.cols)
            precondition(row.count == uf.cols, "new user feature width")
            g.userFeatures = Matrix(rows: uf.rows + 1, cols: uf.cols, storage: uf.storage + row)
        }
        g.userCount += 1
        g.rebuildAdjacency()
        return g
    }
}
