import Tensors

/// A movie with the score a model gives it.
public struct ScoredItem: Sendable, Equatable {
    public var item: Int
    public var score: Float
}

/// The K best items of each of several queries, flat: query q's list is
/// `indices[q*k ..< q*k + counts[q]]`, best first.
public struct TopKLists: Sendable, Equatable {
    public let k: Int
    public var counts: [Int]
    public var indices: [Int32]
    public var scores: [Float]

    public init(queries: Int, k: Int) {
        self.k = k
        counts = [Int](repeating: 0, count: queries)
        indices = [Int32](repeating: -1, count: queries * k)
        scores = [Float](repeating: -.infinity, count: queries * k)
    }

    public var queryCount: Int { counts.count }

    /// Query q's list as (item, score) pairs.
    public func items(of q: Int) -> [ScoredItem] {
        (0..<counts[q]).map { ScoredItem(item: Int(indices[q * k + $0]), score: scores[q * k + $0]) }
    }
}

/// Exact top-K by inner product (the model's own score) and nearest movies by cosine.
///
/// `topK(queries:...)` is the batched kernel: blocks of queries times tiles
/// of items, one `BLAS.gemm` per (block, tile), each row scanned by `TopK`
/// across tiles in index order. With a catalogue that fits one tile (ML-100K)
/// it is exactly the evaluator's kernel; large catalogues (the LSH benchmark)
/// copy one item tile at a time into a worker's scratch, so the scores stay
/// in cache and nothing of catalogue size is allocated.
public enum ExactRetriever {
    /// Top K movies for one user, never listing `excluding`.
    public static func recommend(user u: Int, embeddings e: Embeddings, k: Int, excluding: [Int] = []) -> [ScoredItem] {
        precondition(u >= 0 && u < e.users.rows, "user index \(u) out of range")
        return topK(query: e.users.row(u), items: e.items, k: k, excluding: excluding)
    }

    /// Top K items by inner product with `query`.
    public static func topK(query: [Float], items: Matrix, k: Int, excluding: [Int] = []) -> [ScoredItem] {
        precondition(query.count == items.cols, "query width \(query.count) != item width \(items.cols)")
        let q = Matrix(rows: 1, cols: query.count, storage: query)
        let row = BLAS.matmul(q, items, transposeB: true).storage
        return TopK.select(row, k: k, excluding: excluding).map { ScoredItem(item: $0.index, score: $0.score) }
    }

    /// The K movies most similar to movie m by cosine of their embeddings (m itself left out).
    public static func similar(movie m: Int, items: Matrix, k: Int) -> [ScoredItem] {
        precondition(m >= 0 && m < items.rows, "movie index \(m) out of range")
        let unit = normalizedRows(items)
        return topK(query: unit.row(m), items: unit, k: k, excluding: [m])
    }

    /// Rows scaled to unit length (zero rows stay zero).
    public static func normalizedRows(_ x: Matrix) -> Matrix {
        var out = x
        let d = x.cols
        out.storage.withUnsafeMutableBufferPointer { p in
            for r in 0..<x.rows {
                let row = p.baseAddress! + r * d
                var s: Float = 0
                for j in 0..<d { s += row[j] * row[j] }
                if s > 0 {
                    let inv = 1 / s.squareRoot()
                    for j in 0..<d { row[j] *= inv }
                }
            }
        }
        return out
    }

    /// Top K items by inner product for every row of `queries`. `exclusions`,
    /// when given, is a queries x items CSR whose row q lists items to skip for query q.
    public static func topK(queries: Matrix, items: Matrix, k: Int, exclusions: CSRMatrix? = nil,
                            queryBlock: Int = 256, itemTile: Int = 2048,
                            workers: Int = Parallel.defaultWorkers) -> TopKLists {
        precondition(queries.cols == items.cols, "query width \(queries.cols) != item width \(items.cols)")
        precondition(exclusions == nil || exclusions!.rows == queries.rows, "one exclusion row per query")
        let nq = queries.rows, n = items.rows, d = items.cols
        var out = TopKLists(queries: nq, k: k)
        guard nq > 0, n > 0, k > 0 else { return out }
        let workerCount = max(1, min(workers, nq))
        // Blocks no larger than an even share, so both workers get work.
        let block = max(1, min(queryBlock, (nq + workerCount - 1) / workerCount))
        let blocks = (nq + block - 1) / block
        let tile = n <= itemTile ? n : itemTile
        let tiles = (n + tile - 1) / tile
        let emptyStart = [Int](repeating: 0, count: nq + 1)
        let xStart = exclusions?.rowStart ?? emptyStart
        let xItems = exclusions?.colIndex ?? []
        out.counts.withUnsafeMutableBufferPointer { cp in
        out.indices.withUnsafeMutableBufferPointer { ip in
        out.scores.withUnsafeMutableBufferPointer { sp in
            let counts = SharedBuffer(cp), indices = SharedBuffer(ip), scores = SharedBuffer(sp)
            Parallel.run(workers: min(workerCount, blocks)) { w in
                let workerCount = min(workerCount, blocks)
                var qb = Matrix(rows: 0, cols: d)
                var tileItems = Matrix(rows: tiles == 1 ? 0 : tile, cols: d)
                var sc = Matrix(rows: 0, cols: 0)
                var b = w
                while b < blocks {
                    let lo = b * block, hi = min(nq, lo + block), m = hi - lo
                    qb = Matrix(rows: m, cols: d, storage: Array(queries.storage[(lo * d)..<(hi * d)]))
                    for t in 0..<tiles {
                        let g0 = t * tile, g1 = min(n, g0 + tile), tn = g1 - g0
                        if sc.rows != m || sc.cols != tn { sc = Matrix(rows: m, cols: tn) }
                        if tiles == 1 {
                            BLAS.gemm(qb, items, transposeB: true, into: &sc)
                        } else {
                            if tileItems.rows != tn { tileItems = Matrix(rows: tn, cols: d) }
                            items.storage.withUnsafeBufferPointer { src in
                                tileItems.storage.withUnsafeMutableBufferPointer { dst in
                                    dst.baseAddress!.update(from: src.baseAddress! + g0 * d, count: tn * d)
                                }
                            }
                            BLAS.gemm(qb, tileItems, transposeB: true, into: &sc)
                        }
                        sc.storage.withUnsafeBufferPointer { rows in
                            xItems.withUnsafeBufferPointer { xAll in
                                for r in 0..<m {
                                    let q = lo + r
                                    let row = rows.baseAddress! + r * tn
                                    var c = counts[q]
                                    scanTile(row, g0, g1, xAll, xStart[q], xStart[q + 1], k,
                                             scores.base + q * k, indices.base + q * k, &c)
                                    counts[q] = c
                                }
                            }
                        }
                    }
                    b += workerCount
                }
            }
        }}}
        return out
    }

    /// Offers items g0..<g1 (row points at item g0) except the excluded ones
    /// in `x[xLo..<xHi]` (ascending, global indices).
    @inline(__always)
    static func scanTile(_ row: UnsafePointer<Float>, _ g0: Int, _ g1: Int, _ x: UnsafeBufferPointer<Int32>,
                         _ xLo: Int, _ xHi: Int, _ k: Int, _ s: UnsafeMutablePointer<Float>,
                         _ ix: UnsafeMutablePointer<Int32>, _ count: inout Int) {
        var lo = g0
        var p = xLo
        while p < xHi && Int(x[p]) < g0 { p += 1 }
        while p < xHi && Int(x[p]) < g1 {
            let e = Int(x[p])
            if e > lo { scanSkipping(row - g0, from: lo, to: e, k: k, scores: s, indices: ix, count: &count) }
            lo = e + 1
            p += 1
        }
        if lo < g1 { scanSkipping(row - g0, from: lo, to: g1, k: k, scores: s, indices: ix, count: &count) }
    }

    /// `TopK.scan` with the same result, 16 scores at a time: once the buffer
    /// is full, a block none of whose scores beats the K-th is skipped with one
    /// count of compares (branch-free, so it vectorises), which makes the common case cheap.
    @inline(__always)
    static func scanSkipping(_ row: UnsafePointer<Float>, from lo: Int, to hi: Int, k: Int,
                             scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>,
                             count: inout Int) {
        guard k > 0 else { return }
        var j = TopK.fill(row, from: lo, to: hi, indexBase: 0, k: k, scores: scores, indices: indices, count: &count)
        var threshold = scores[k &- 1]
        while j &+ 16 <= hi {
            var above = 0
            for u in 0..<16 { above &+= row[j &+ u] > threshold ? 1 : 0 }
            if above > 0 {
                for u in 0..<16 {
                    let s = row[j &+ u]
                    if s > threshold {
                        TopK.insert(s, Int32(truncatingIfNeeded: j &+ u), k: k, scores: scores, indices: indices, count: &count)
                        threshold = scores[k &- 1]
                    }
                }
            }
            j &+= 16
        }
        while j < hi {
            let s = row[j]
            if s > threshold {
                TopK.insert(s, Int32(truncatingIfNeeded: j), k: k, scores: scores, indices: indices, count: &count)
                threshold = scores[k &- 1]
            }
            j &+= 1
        }
    }
}
