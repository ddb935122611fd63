import Tensors

/// Uniform negative sampling: movies drawn uniformly from those not among
/// the user's train positives, by rejection against a per-user bit set
/// (943 x 1682 bits for ML-100K, 200 KB; a lookup is one shift and mask).
/// Even the most active ML-100K user likes under a third of the movies, so
/// rejection needs few draws.
public struct NegativeSampler: Sendable {
    public let movieCount: Int
    private let wordsPerUser: Int
    private let bits: [UInt64]

    /// Samples against the edges of `graph` (its train positives).
    public init(_ graph: InteractionGraph) throws {
        movieCount = graph.movieCount
        wordsPerUser = (graph.movieCount + 63) / 64
        var b = [UInt64](repeating: 0, count: wordsPerUser * graph.userCount)
        for e in graph.edges {
            let m = Int(e.movie)
            b[Int(e.user) * wordsPerUser + m >> 6] |= 1 << UInt64(m & 63)
        }
        for u in 0..<graph.userCount where graph.degree(user: u) >= graph.movieCount {
            throw RecError("user index \(u) likes every movie, so no negatives can be drawn for them")
        }
        bits = b
    }

    /// True when movie m is one of user u's train positives.
    public func isPositive(user u: Int, movie m: Int) -> Bool {
        bits.withUnsafeBufferPointer { $0[u &* wordsPerUser &+ m >> 6] } & (1 << UInt64(m & 63)) != 0
    }

    /// Fills `out[offset..<offset+count]` with negatives for user u.
    public func sample(user u: Int, count: Int, into out: inout [Int32], at offset: Int, using rng: inout SeededGenerator) {
        bits.withUnsafeBufferPointer { b in
            let row = u &* wordsPerUser
            for k in 0..<count {
                var m: Int
                repeat { m = rng.nextInt(below: movieCount) } while b[row &+ m >> 6] & (1 << UInt64(m & 63)) != 0
                out[offset &+ k] = Int32(m)
            }
        }
    }
}
