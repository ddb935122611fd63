import Testing
import Tensors
@testable import GraphRec

/// The groups `recommend ... why` removes together: genres (overlapping, a
/// genre every like has left out) and clusters of the model's movie vectors
/// (a partition, the same every time).
@Suite struct LikeGroupsTests {
    @Test func genreGroupsHoldEveryLikeOfTheirGenreAndLeaveOutAGenreEveryLikeHas() {
        let genres = [["Drama"], ["Drama", "War"], ["Comedy", "Drama"], ["Comedy"], ["Sci-Fi"]]
        let (groups, names) = LikeGroups.byGenre(likes: [0, 1, 2, 3], genres: genres)
        #expect(names == ["Comedy", "Drama", "War"])
        #expect(groups.groups == [[2, 3], [0, 1, 2], [1]])
        // Every like is a drama: removing "Drama" removes them all, so it is no group.
        let dramas = LikeGroups.byGenre(likes: [0, 1, 2], genres: genres)
        #expect(dramas.names == ["Comedy", "War"] && dramas.groups.groups == [[2], [1]])
        #expect(LikeGroups.byGenre(likes: [], genres: genres).names.isEmpty)
    }

    @Test func clustersPartitionTheLikesByDirectionAndRepeat() {
        // Three directions around a shared offset (what a trained GNN's movie vectors look like), four movies each.
        var vectors = Matrix(rows: 16, cols: 3)
        for m in 0..<16 {
            for c in 0..<3 { vectors[m, c] = 10 }
            if m < 12 { vectors[m, m % 3] += 1 + Float(m) * 0.01 }
        }
        let likes = Array(0..<12)
        let a = LikeGroups.clustering(likes: likes, vectors: vectors, count: 3)
        #expect(a.groups.flatMap { $0 }.sorted() == Array(0..<12))
        #expect(Set(a.groups.map { Set($0.map { likes[$0] % 3 }) }) == [[0], [1], [2]])
        #expect(LikeGroups.clustering(likes: likes, vectors: vectors, count: 3) == a)
        // More groups asked than likes: at most one per like; one group asked: every like in it.
        #expect(LikeGroups.clustering(likes: [0, 1], vectors: vectors, count: 5).groups.count <= 2)
        #expect(LikeGroups.clustering(likes: likes, vectors: vectors, count: 1).groups == [Array(0..<12)])
        #expect(LikeGroups.clustering(likes: [], vectors: vectors, count: 3).groups.isEmpty)
    }

    @Test func groupCountGrowsWithTheLikesWithinItsBounds() {
        #expect(LikeGroups.count(likes: 3) == 2)
        #expect(LikeGroups.count(likes: 20) == 5)
        #expect(LikeGroups.count(likes: 175) == 10)
    }
}
