import Testing
@testable import GraphRec

@Suite struct InteractionGraphTests {
    let graph = InteractionGraph(userCount: 2, movieCount: 3,
                                 edges: [Edge(0, 1), Edge(1, 1), Edge(1, 2), Edge(0, 1)])

    @Test func deduplicatesAndIndexesBothSides() {
        #expect(graph.edgeCount == 3)
        #expect(Array(graph.movies(ofUser: 1)) == [1, 2])
        #expect(Array(graph.users(ofMovie: 1)) == [0, 1])
        #expect(graph.degree(movie: 0) == 0)
    }

    @Test func adjacencyIsSymmetricInNodeSpace() {
        let a = graph.adjacency().dense()
        #expect(a.rows == 5)
        #expect(a == a.transposed())
        #expect(a[0, graph.movieNode(1)] == 1)
        #expect(a[graph.movieNode(2), 1] == 1)
        #expect(a[0, graph.movieNode(2)] == 0)
    }

    @Test func whatIfEditsLeaveTheOriginalUntouched() {
        let more = graph.adding([Edge(0, 0)])
        #expect(more.edgeCount == 4)
        #expect(graph.edgeCount == 3)
        let less = graph.removing([Edge(1, 1)])
        #expect(Array(less.movies(ofUser: 1)) == [2])
        let grown = graph.addingUser(features: nil)
        #expect(grown.userCount == 3 && grown.degree(user: 2) == 0)
    }
    /// The graph's storage: 32-bit indices, one buffer of ones for both
    /// incidence directions, and a split's sorted train edges shared, not copied.
    @Test func layoutIs32BitSharedAndRoundTrips() throws {
        let tiny = TinyGraph.make(users: 30, movies: 40)
        let split = try Split.warm(positives: tiny.edges, ratios: [80, 10, 10], seed: 0)
        let g = InteractionGraph(userCount: 30, movieCount: 40, edges: split.train)
        func address<T>(_ a: [T]) -> UnsafeRawPointer? { a.withUnsafeBytes { $0.baseAddress } }
        #expect(address(g.edges) == address(split.train))
        #expect(address(g.userItems.values) == address(g.itemUsers.values))
        #expect(MemoryLayout<Edge>.size == 8 && MemoryLayout.size(ofValue: g.userItems.colIndex[0]) == 4)
        // Round trip: edges -> both CSRs -> edges.
        var fromRows: [Edge] = [], fromColumns: [Edge] = []
        for u in 0..<g.userCount { for m in g.movies(ofUser: u) { fromRows.append(Edge(user: Int32(u), movie: m)) } }
        for m in 0..<g.movieCount { for u in g.users(ofMovie: m) { fromColumns.append(Edge(user: u, movie: Int32(m))) } }
        #expect(fromRows == split.train && fromColumns.sorted() == split.train)
        var ledger = MemoryLedger()
        ledger.begin("graph")
        ledger.add(g)
        let e = g.edgeCount
        #expect(ledger.total == e * 8 + e * 4 * 3 + (g.userCount + 1 + g.movieCount + 1) * 8)
        // Unsorted input with repeats is still sorted and deduplicated (a copy).
        let shuffled = InteractionGraph(userCount: 30, movieCount: 40, edges: split.train.reversed() + split.train.prefix(5))
        #expect(shuffled.edges == split.train && address(shuffled.edges) != address(split.train))
    }
}
