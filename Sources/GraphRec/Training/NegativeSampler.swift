import Tensors

/// Uniform negative sampling: movies drawn uniformly from those not among
/// the user's train positives, by rejection. Even the most active user
/// likes at most half of the catalogue, so rejection needs few draws.
///
/// A draw is checked against a per-user bit set when users x movies bits fit
/// in `bitSetLimit` bytes (943 x 1682 bits for ML-100K, 200 KB: one shift
/// and mask, and the check is most of the sampler's time with ten negatives
/// per positive), else against the user's sorted liked movies (the graph's
/// user-movie CSR, shared, not copied: the bit set would take 1.2 GB at
/// 162k x 59k), each check a binary search of one row. Both answer the same,
/// so the same seed draws the same negatives either way.
public struct NegativeSampler: Sendable {
    public let movieCount: Int
    /// Row u: user u's liked movies, ascending.
    private let liked: CSRMatrix
    /// Bit u * wordsPerUser * 64 + m is set when user u likes movie m; empty when over the limit.
    private let bits: [UInt64]
    private let wordsPerUser: Int

    /// Largest bit set built, in bytes.
    public static let bitSetLimit = 32 << 20

    /// Samples against the edges of `graph` (its train positives); `bitSetLimit`
    /// caps the bit set (0: always search the CSR).
    public init(_ graph: InteractionGraph, bitSetLimit: Int = NegativeSampler.bitSetLimit) throws {
        movieCount = graph.movieCount
        liked = graph.userItems
        for u in 0..<graph.userCount where graph.degree(user: u) >= graph.movieCount {
            throw RecError("user index \(u) likes every movie, so no negatives can be drawn for them")
        }
        let words = (graph.movieCount + 63) / 64
        let (total, overflow) = words.multipliedReportingOverflow(by: graph.userCount)
        if !overflow && total <= bitSetLimit / 8 {
            var b = [UInt64](repeating: 0, count: total)
            for e in graph.edges {
                let m = Int(e.movie)
                b[Int(e.user) * words + m >> 6] |= 1 << UInt64(m & 63)
            }
            bits = b
            wordsPerUser = words
        } else {
            bits = []
            wordsPerUser = 0
        }
    }

    /// True when the bit set answers the checks (else the CSR search does).
    public var usesBitSet: Bool { wordsPerUser > 0 }

    /// True when movie m is one of user u's train positives.
    public func isPositive(user u: Int, movie m: Int) -> Bool {
        if usesBitSet {
            return bits.withUnsafeBufferPointer { $0[u &* wordsPerUser &+ m >> 6] } & (1 << UInt64(m & 63)) != 0
        }
        return liked.rowStart.withUnsafeBufferPointer { start in
            liked.colIndex.withUnsafeBufferPointer { movies in
                Self.contains(movies, start[u], start[u &+ 1], Int32(m))
            }
        }
    }

    /// Fills `out[offset..<offset+count]` with negatives for user u.
    public func sample(user u: Int, count: Int, into out: inout [Int32], at offset: Int, using rng: inout SeededGenerator) {
        if usesBitSet {
            bits.withUnsafeBufferPointer { b in
                let row = u &* wordsPerUser
                for k in 0..<count {
                    var m: Int
                    repeat { m = rng.nextInt(below: movieCount) } while b[row &+ m >> 6] & (1 << UInt64(m & 63)) != 0
                    out[offset &+ k] = Int32(m)
                }
            }
            return
        }
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
