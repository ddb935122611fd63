/// Partial selection of the K best scores of a row, the hot loop of exact
/// evaluation and retrieval.
///
/// The K best so far live in two caller-owned buffers, best first, ordered by
/// descending score and, on ties, ascending index. Items must be offered in
/// increasing index order (one row, or consecutive tiles of it): then a new
/// item enters a full buffer only if it beats the current K-th score
/// strictly, which is the tie rule "lower index first" for free. A row of n
/// items costs n compares against that threshold plus one insertion per
/// entry (about K ln(n/K) of them for random scores); it allocates nothing.
/// NaN scores never enter.
public enum TopK {
    /// Offers `row[lo...]` until the buffer holds K entries (or the row ends)
    /// and returns the position it stopped at: the start of every scan.
    @inlinable @inline(__always)
    public static func fill(_ row: UnsafePointer<Float>, from lo: Int, to hi: Int, indexBase: Int, k: Int,
                            scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>,
                            count: inout Int) -> Int {
        var j = lo
        while j < hi && count < k {
            let s = row[j]
            if s == s { insert(s, Int32(truncatingIfNeeded: indexBase &+ j), k: k, scores: scores, indices: indices, count: &count) }
            j &+= 1
        }
        return j
    }

    /// Offers `row[lo..<hi]`, whose element `j` is item `indexBase + j`.
    @inlinable
    public static func scan(_ row: UnsafePointer<Float>, from lo: Int, to hi: Int, indexBase: Int, k: Int,
                            scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>,
                            count: inout Int) {
        guard k > 0 else { return }
        var j = fill(row, from: lo, to: hi, indexBase: indexBase, k: k, scores: scores, indices: indices, count: &count)
        guard j < hi else { return }
        var threshold = scores[k &- 1]
        // Plain compares: measured 1.3 ns a score here, 5-20x faster than
        // Swift's SIMD8 compare-and-any on this baseline x86-64 target.
        while j < hi {
            let s = row[j]
            if s > threshold {
                insert(s, Int32(truncatingIfNeeded: indexBase &+ j), k: k, scores: scores, indices: indices, count: &count)
                threshold = scores[k &- 1]
            }
            j &+= 1
        }
    }

    /// Offers the whole row `row[0..<n]` except the items in `excluded`
    /// (ascending; entries outside 0..<n are ignored).
    @inlinable
    public static func scan(_ row: UnsafePointer<Float>, count n: Int, excluding excluded: UnsafeBufferPointer<Int32>,
                            k: Int, scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>,
                            count: inout Int) {
        var lo = 0
        for e in excluded {
            let x = Int(e)
            if x < lo { continue }
            if x >= n { break }
            if x > lo { scan(row, from: lo, to: x, indexBase: 0, k: k, scores: scores, indices: indices, count: &count) }
            lo = x &+ 1
        }
        if lo < n { scan(row, from: lo, to: n, indexBase: 0, k: k, scores: scores, indices: indices, count: &count) }
    }

    /// Puts (s, index) into the buffer; the caller has checked it belongs there
    /// (buffer not full, or s beats the K-th score). `index` exceeds every index present.
    @inlinable @inline(__always)
    static func insert(_ s: Float, _ index: Int32, k: Int, scores: UnsafeMutablePointer<Float>,
                       indices: UnsafeMutablePointer<Int32>, count: inout Int) {
        var p: Int
        if count < k { p = count; count &+= 1 } else { p = k &- 1 }
        while p > 0 && scores[p &- 1] < s {
            scores[p] = scores[p &- 1]
            indices[p] = indices[p &- 1]
            p &-= 1
        }
        scores[p] = s
        indices[p] = index
    }

    /// The K best of one row as (index, score) pairs, best first (convenience; allocates).
    public static func select(_ row: [Float], k: Int, excluding excluded: [Int] = []) -> [(index: Int, score: Float)] {
        guard k > 0 else { return [] }
        let ex = excluded.filter { $0 >= 0 && $0 < row.count }.map { Int32($0) }.sorted()
        var s = [Float](repeating: 0, count: k)
        var ix = [Int32](repeating: 0, count: k)
        var c = 0
        row.withUnsafeBufferPointer { r in
            ex.withUnsafeBufferPointer { e in
                s.withUnsafeMutableBufferPointer { sp in
                    ix.withUnsafeMutableBufferPointer { ip in
                        scan(r.baseAddress!, count: r.count, excluding: e, k: k,
                             scores: sp.baseAddress!, indices: ip.baseAddress!, count: &c)
                    }
                }
            }
        }
        return (0..<c).map { (Int(ix[$0]), s[$0]) }
    }

    /// Rank (1-based) that item `t` holds in the full ranking of `row[0..<n]`
    /// without `excluded`: one plus the items that beat it (higher score, or
    /// equal score and lower index). `excluded` is ascending and must not hold `t`.
    @inlinable
    public static func rank(of t: Int, in row: UnsafePointer<Float>, count n: Int,
                            excluding excluded: UnsafeBufferPointer<Int32>) -> Int {
        let st = row[t]
        var beats = 0
        var j = 0
        // Branch-free counts, so the compiler can vectorise them.
        while j < t { beats &+= row[j] >= st ? 1 : 0; j &+= 1 }
        j = t &+ 1
        while j < n { beats &+= row[j] > st ? 1 : 0; j &+= 1 }
        for e in excluded {
            let x = Int(e)
            guard x >= 0 && x < n else { continue }
            if x < t ? row[x] >= st : row[x] > st { beats &-= 1 }
        }
        return beats &+ 1
    }
}
