import Tensors
/// The frame both LSH searches run in: queries split into contiguous blocks,
/// one per worker, each worker writing only its own queries' top-K slots and
/// candidate counts, so no locks are needed.
struct QuerySlots: @unchecked Sendable {
    let k: Int
    let counts: SharedBuffer<Int>, indices: SharedBuffer<Int32>, scores: SharedBuffer<Float>
    let candidates: SharedBuffer<Int>

    /// Query q's K score and index slots, for `TopK.offer`.
    func scores(_ q: Int) -> UnsafeMutablePointer<Float> { scores.base + q * k }
    func indices(_ q: Int) -> UnsafeMutablePointer<Int32> { indices.base + q * k }

    /// Records how many of q's slots are filled and how many candidates it ranked.
    func finish(_ q: Int, count: Int, candidates ranked: Int) {
        counts[q] = count
        candidates[q] = ranked
    }

    /// Runs `body(queries, slots)` on `workers` blocks of 0..<queryCount and
    /// returns the filled lists with every query's candidate count.
    static func run(queries queryCount: Int, k: Int, workers: Int,
                    _ body: @Sendable (Range<Int>, QuerySlots) -> Void) -> (lists: TopKLists, candidates: [Int]) {
        var lists = TopKLists(queries: queryCount, k: k)
        var candidates = [Int](repeating: 0, count: queryCount)
        let workerCount = max(1, min(workers, queryCount))
        lists.counts.withUnsafeMutableBufferPointer { cp in
        lists.indices.withUnsafeMutableBufferPointer { ip in
        lists.scores.withUnsafeMutableBufferPointer { sp in
        candidates.withUnsafeMutableBufferPointer { ccp in
            let slots = QuerySlots(k: k, counts: SharedBuffer(cp), indices: SharedBuffer(ip), scores: SharedBuffer(sp),
                                   candidates: SharedBuffer(ccp))
            Parallel.run(workers: workerCount) { w in
                body(queryCount * w / workerCount ..< queryCount * (w + 1) / workerCount, slots)
            }
        }}}}
        return (lists, candidates)
    }
}

/// One worker's "seen or excluded for this query" marks, one stamp per item:
/// starting a query bumps a counter instead of clearing n flags.
final class QueryStamps {
    private let stamp: UnsafeMutablePointer<UInt32>
    private let count: Int
    private var current: UInt32 = 0

    init(items n: Int) {
        count = n
        stamp = .allocate(capacity: max(n, 1))
        stamp.initialize(repeating: 0, count: max(n, 1))
    }

    deinit { stamp.deallocate() }

    /// Starts a new query whose `excluded` items count as already seen.
    func begin(excluding excluded: ArraySlice<Int32>) {
        if current == .max {
            stamp.update(repeating: 0, count: count)
            current = 0
        }
        current &+= 1
        for id in excluded { stamp[Int(id)] = current }
    }

    /// True the first time `id` is offered in this query (and not excluded).
    @inline(__always)
    func insert(_ id: Int32) -> Bool {
        if stamp[Int(id)] == current { return false }
        stamp[Int(id)] = current
        return true
    }
}
