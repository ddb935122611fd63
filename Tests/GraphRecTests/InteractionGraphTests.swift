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
}
