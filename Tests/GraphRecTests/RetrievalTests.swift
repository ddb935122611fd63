import Testing
import Tensors
@testable import GraphRec

@Suite struct RetrievalTests {
    @Test func batchedTilesMatchOneQueryAtATime() {
        var rng = SeededGenerator(seed: 21)
        let items = Matrix(rows: 103, cols: 8, storage: (0..<824).map { _ in Float(rng.nextInt(below: 4)) })
        let queries = Matrix(rows: 11, cols: 8, storage: (0..<88).map { _ in Float(rng.nextInt(below: 4)) })
        let exLists = (0..<11).map { _ in (0..<103).filter { _ in rng.nextInt(below: 6) == 0 } }
        let ex = CSRMatrix(rows: 11, cols: 103, triplets: exLists.enumerated().flatMap { q, l in l.map { (q, $0, Float(1)) } })
        for (block, tile, workers) in [(512, 4096, 1), (3, 7, 2), (4, 32, 2)] {
            let lists = ExactRetriever.topK(queries: queries, items: items, k: 10, exclusions: ex,
                                            queryBlock: block, itemTile: tile, workers: workers)
            for q in 0..<11 {
                let one = ExactRetriever.topK(query: queries.row(q), items: items, k: 10, excluding: exLists[q])
                #expect(lists.items(of: q) == one, "query \(q) block \(block) tile \(tile)")
            }
        }
    }

    @Test func recommendNeverListsExcludedMovies() {
        let e = Embeddings(users: Matrix([[1, 0]]), items: Matrix([[3, 0], [2, 0], [1, 0], [0, 0]]))
        let r = ExactRetriever.recommend(user: 0, embeddings: e, k: 2, excluding: [0])
        #expect(r == [ScoredItem(item: 1, score: 2), ScoredItem(item: 2, score: 1)])
    }

    @Test func similarRanksByCosineAndSkipsTheMovieItself() {
        // Movie 1 is movie 0 scaled (cosine 1); movie 2 is at 45 degrees; movie 3 opposite.
        let items = Matrix([[1, 0], [5, 0], [1, 1], [-1, 0]])
        let s = ExactRetriever.similar(movie: 0, items: items, k: 3)
        #expect(s.map(\.item) == [1, 2, 3])
        #expect(abs(s[0].score - 1) < 1e-6 && abs(s[1].score - 0.70710677) < 1e-6 && abs(s[2].score + 1) < 1e-6)
    }
}
