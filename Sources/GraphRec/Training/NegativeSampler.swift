import Tensors

/// Uniform negative sampling: movies drawn uniformly from those not among
/// the user's train positives, by rejection against the user's sorted liked
/// movies (the graph's user-movie CSR, shared, not copied: a bit set per
/// user would take users x movies bits, 1.2 GB at 162k x 59k). Even the most
/// active user likes at most half of the catalogue, so rejection needs few
/// draws, each a binary search of one row.
public struct NegativeSampler: Sendable {
    public let movieCount: Int
    /// Row u: user u's liked movies, ascending.
    private let liked: CSRMatrix

    /// Samples against the edges of `graph` (its train positives).
    public init(_ graph: InteractionGraph) throws {
        movieCount = graph.movieCount
        liked = graph.userItems
        for u in 0..<graph.userCount where graph.degree(user: u) >= graph.movieCount {
            throw RecError("user index \(u) likes every movie, so no negatives can be drawn for them")
        }
    }

    /// True when movie m is one of user u's train positives.
    public func isPositive(user u: Int, movie m: Int) -> Bool {
        liked.rowStart.withUnsafeBufferPointer { start in
            liked.colIndex.withUnsafeBufferPointer { movies in
                Self.contains(movies, start[u], start[u &+ 1], Int32(m))
            }
        }
    }

    /// Fills `out[offset..<offset+count]` with negatives for user u.
    public func sample(user u: Int, count: Int, into out: inout [Int32], at offset: Int, using rng: inout SeededGenerator) {
        liked.rowStart.withUnsafeBufferPointer { start in
            liked.colIndex.withUnsafeBufferPointer { movies in
                let lo = start[u], hi = start[u &+ 1]
                for k in 0..<count {
                    var m: Int
                    repeat { m = rng.nextInt(below: movieCount) } while Self.contains(movies, lo, hi, Int32(truncatingIfNeeded: m))
                    out[offset &+ k] = Int32(m)
                }
            }
        }
    }

    /// Binary search of the ascending `movies[lo..<hi]`.
    @inline(__always)
    static func contains(_ movies: UnsafeBufferPointer<Int32>, _ lo: Int, _ hi: Int, _ m: Int32) -> Bool {
        var lo = lo, hi = hi
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            let v = movies[mid]
            if v == m { return true }
            if v < m { lo = mid &+ 1 } else { hi = mid }
        }
        return false
    }
}
