import Tensors

/// A partition of a user's likes into groups of similar movies, the unit
/// `LikeContributions` removes together. One like rarely decides a
/// recommendation of a user with many likes (a mean over 100 neighbours
/// barely moves without one), but a taste does: the likes that resemble the
/// movie, removed together, move it far more than the rest.
public struct LikeGroups: Sendable, Equatable {
    /// Positions in the user's likes, each group ascending, groups ordered by their first position.
    public let groups: [[Int]]

    /// The user's `likes` clustered by the direction of their rows in
    /// `vectors` (movies x d, the model's own movie vectors), at most `count`
    /// groups: spherical k-means (cosine) on the rows centred on the mean of
    /// every movie, so that the direction all movies share (in a trained GNN
    /// most pairs have cosine near 1) does not hide their differences.
    /// Seeded k-means++ start, a fixed number of rounds, empty groups dropped:
    /// the same likes and vectors always give the same groups.
    public static func clustering(likes: [Int], vectors: Matrix, count: Int, seed: UInt64 = 0) -> LikeGroups {
        let n = likes.count
        guard n > 0, count > 1, vectors.cols > 0, likes.allSatisfy({ $0 >= 0 && $0 < vectors.rows }) else {
            return LikeGroups(groups: n > 0 ? [Array(0..<n)] : [])
        }
        let k = min(count, n), d = vectors.cols
        let centre = vectors.columnSums().storage.map { $0 / Float(vectors.rows) }
        var x = vectors.gatherRows(likes)
        for r in 0..<n {
            var norm: Float = 0
            for c in 0..<d { x[r, c] -= centre[c]; norm += x[r, c] * x[r, c] }
            let scale = norm > 0 ? 1 / norm.squareRoot() : 0
            for c in 0..<d { x[r, c] *= scale }
        }
        // k-means++: each next centre drawn with probability proportional to its distance to the nearest centre.
        var generator = SeededGenerator(seed: seed, stream: "like-groups")
        var centres = Matrix(rows: k, cols: d)
        func copy(row r: Int, to g: Int) { for c in 0..<d { centres[g, c] = x[r, c] } }
        copy(row: generator.nextInt(below: n), to: 0)
        var nearest = [Float](repeating: .infinity, count: n)
        for g in 1..<k {
            let similarity = BLAS.matmul(x, centres.gatherRows([g - 1]), transposeB: true)
            for r in 0..<n { nearest[r] = min(nearest[r], max(0, 1 - similarity[r, 0])) }
            let total = nearest.reduce(0, +)
            var pick = 0
            if total > 0 {
                var target = generator.nextFloat() * total
                while pick < n - 1 && target >= nearest[pick] { target -= nearest[pick]; pick += 1 }
            } else {
                pick = generator.nextInt(below: n)
            }
            copy(row: pick, to: g)
        }
        var assignment = [Int](repeating: 0, count: n)
        for _ in 0..<25 {
            let similarity = BLAS.matmul(x, centres, transposeB: true)     // n x k cosines
            var changed = false
            for r in 0..<n {
                var best = 0
                for g in 1..<k where similarity[r, g] > similarity[r, best] { best = g }
                if best != assignment[r] { assignment[r] = best; changed = true }
            }
            centres = Matrix(rows: k, cols: d)
            for r in 0..<n { for c in 0..<d { centres[assignment[r], c] += x[r, c] } }
            for g in 0..<k {
                var norm: Float = 0
                for c in 0..<d { norm += centres[g, c] * centres[g, c] }
                let scale = norm > 0 ? 1 / norm.squareRoot() : 0
                for c in 0..<d { centres[g, c] *= scale }
            }
            if !changed { break }
        }
        return LikeGroups(assignment: assignment)
    }

    /// One group per genre among the likes, genres in alphabetical order (a
    /// like with several genres is in several groups); `genres[m]` are movie
    /// m's genres. A genre every like has is left out: removing it removes
    /// every like, which tells no taste from another.
    public static func byGenre(likes: [Int], genres: [[String]]) -> (groups: LikeGroups, names: [String]) {
        let of = { (m: Int) in genres.indices.contains(m) ? genres[m] : [] }
        var groups: [[Int]] = [], names: [String] = []
        for genre in Set(likes.flatMap(of)).sorted() {
            let members = likes.indices.filter { of(likes[$0]).contains(genre) }
            if members.count < likes.count { groups.append(members); names.append(genre) }
        }
        return (LikeGroups(groups: groups), names)
    }

    /// How many groups `clustering` makes of `n` likes: about one per four
    /// likes, at least 2 and at most 10.
    public static func count(likes n: Int) -> Int { min(10, max(2, n / 4)) }

    /// The groups of a per-like assignment, empty ones dropped.
    init(assignment: [Int]) {
        var byLabel: [Int: [Int]] = [:]
        for (l, g) in assignment.enumerated() { byLabel[g, default: []].append(l) }
        groups = byLabel.values.sorted { $0[0] < $1[0] }
    }

    public init(groups: [[Int]]) { self.groups = groups }
}
