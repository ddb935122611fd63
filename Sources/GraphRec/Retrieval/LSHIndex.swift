import Tensors

/// Random-hyperplane LSH over item embeddings (DESIGN.md "LSH").
///
/// Each table draws `planes` Gaussian normals; an item's code has bit j set
/// when its projection on normal j is positive, so items at a small angle
/// share most bits. A query hashes the same way, collects the members of
/// nearby buckets (`probe`), unions the tables, and ranks the candidates
/// exactly by inner product, skipping its exclusions.
///
/// `mips=on` is the simple-LSH transform: items become
/// `[x / M, sqrt(1 - |x|^2 / M^2)]` with M the largest item norm, queries
/// `[q / |q|, 0]`, so the angle follows the inner product. Neither is
/// materialised: positive scaling does not change a sign, so an item's bit
/// is `w.x + M * w_last * sqrt(1 - |x|^2/M^2) > 0` and a query's is `w.q > 0`.
/// With `normBands` > 1 (norm-ranging, Yan et al. 2018) each equal-count
/// band of item norms uses its own largest norm as M: one global M squeezes
/// every item but the longest towards the appended axis, so codes pile into
/// a few huge buckets. The query's code does not depend on M, so all bands
/// share the tables.
///
/// The index holds codes and buckets only, not the items (a 1M x 64
/// catalogue is 256 MB; it is passed to `search` instead of copied).
/// The same seed gives the same hyperplanes, codes and results.
public struct LSHIndex: Sendable {
    public let configuration: LSHConfiguration
    public let itemCount: Int
    public let dimension: Int
    /// dimension x (planes * tables): table t uses columns t*planes ..< (t+1)*planes.
    let normals: Matrix
    /// The appended coordinate's weight per column (mips only).
    let lastWeights: [Float]
    /// Largest item norm M (mips only; 1 otherwise).
    public let maxNorm: Float
    /// Per item, the M its transform uses (mips only; empty otherwise).
    let itemScale: [Float]
    let tables: [HammingTable]
    /// probe=multi: tables keyed by (norm band, code), each band's largest
    /// norm (band 0 first; [1] without mips), and table 0's items in bucket order.
    let banded: [BandedTable]
    let bandMax: [Float]
    let bandedVectors: [Float]

    public init(items: Matrix, configuration c: LSHConfiguration) {
        precondition((1...64).contains(c.planes) && c.tables >= 1, "planes must be 1...64 and tables >= 1")
        configuration = c
        itemCount = items.rows
        dimension = items.cols
        let width = c.planes * c.tables, d = items.cols
        var rng = SeededGenerator(seed: c.seed, stream: "lsh-hyperplanes")
        // Row-major (d + 1) x width; the last row weights the mips coordinate.
        let all = Matrix.normal(rows: d + 1, cols: width, using: &rng)
        normals = Matrix(rows: d, cols: width, storage: Array(all.storage[0..<(d * width)]))
        lastWeights = Array(all.storage[(d * width)...])
        var norms = [Float](repeating: 0, count: items.rows)
        items.storage.withUnsafeBufferPointer { p in
            for i in 0..<items.rows {
                var s: Float = 0
                for j in 0..<d { s += p[i * d + j] * p[i * d + j] }
                norms[i] = s.squareRoot()
            }
        }
        maxNorm = c.mips ? max(norms.max() ?? 1, .leastNormalMagnitude) : 1
        let bands = c.mips ? NormBands(norms: norms, count: c.normBands) : nil
        let scale = bands?.itemScale ?? []
        itemScale = scale
        // Hash items in tiles of rows: one GEMM per tile, then pack sign bits.
        var codes = [[UInt64]](repeating: [UInt64](repeating: 0, count: items.rows), count: c.tables)
        let tile = 65_536
        var lo = 0
        while lo < items.rows {
            let hi = min(items.rows, lo + tile)
            let block = Matrix(rows: hi - lo, cols: d, storage: Array(items.storage[(lo * d)..<(hi * d)]))
            let proj = BLAS.matmul(block, normals)
            for i in lo..<hi {
                var extra: Float = 0
                if c.mips {
                    let m = scale[i], r = norms[i] / m
                    extra = m * max(0, 1 - r * r).squareRoot()
                }
                for t in 0..<c.tables {
                    var code: UInt64 = 0
                    for j in 0..<c.planes {
                        let col = t * c.planes + j
                        if proj[i - lo, col] + extra * lastWeights[col] > 0 { code |= 1 << UInt64(j) }
                    }
                    codes[t][i] = code
                }
            }
            lo = hi
        }
        if c.probe == .multi {
            // Buckets keyed by (band, code); table 0 keeps its items' vectors in
            // bucket order, so a probed bucket is scored from contiguous memory.
            let band = bands?.band ?? [Int32](repeating: 0, count: items.rows)
            let bandMax = bands?.maxNorm ?? [1]
            let banded = codes.map { BandedTable(codes: $0, band: band, bandCount: bandMax.count, planes: c.planes) }
            var vectors = [Float](repeating: 0, count: items.rows * d)
            if let first = banded.first {
                items.storage.withUnsafeBufferPointer { src in
                    vectors.withUnsafeMutableBufferPointer { dst in
                        for (p, id) in first.members.enumerated() {
                            (dst.baseAddress! + p * d).update(from: src.baseAddress! + Int(id) * d, count: d)
                        }
                    }
                }
            }
            self.bandMax = bandMax
            self.banded = banded
            bandedVectors = vectors
            tables = []
        } else {
            bandMax = []
            banded = []
            bandedVectors = []
            tables = codes.map { HammingTable(codes: $0, planes: c.planes) }
        }
    }

    /// The code of `query` in each table (mips does not change a query's signs).
    public func codes(of query: [Float]) -> [UInt64] {
        precondition(query.count == dimension, "query width \(query.count) != \(dimension)")
        let proj = BLAS.matmul(Matrix(rows: 1, cols: dimension, storage: query), normals).storage
        return (0..<configuration.tables).map { t in Self.pack(proj, t * configuration.planes, configuration.planes) }
    }

    @inline(__always)
    static func pack(_ proj: UnsafePointer<Float>, _ start: Int, _ planes: Int) -> UInt64 {
        var code: UInt64 = 0
        for j in 0..<planes where proj[start + j] > 0 { code |= 1 << UInt64(j) }
        return code
    }

    static func pack(_ proj: [Float], _ start: Int, _ planes: Int) -> UInt64 {
        proj.withUnsafeBufferPointer { pack($0.baseAddress!, start, planes) }
    }

    // MARK: statistics

    /// Non-empty buckets per table, summed over tables.
    public var bucketsUsed: Int { tables.reduce(0) { $0 + $1.bucketCount } + banded.reduce(0) { $0 + $1.bucketCount } }
    /// Mean members per non-empty bucket.
    public var meanBucketSize: Double { Double(itemCount * configuration.tables) / Double(max(1, bucketsUsed)) }
    public var maxBucketSize: Int {
        let sizes = tables.map { t in (0..<t.bucketCount).map(t.bucketSize).max() ?? 0 }
            + banded.map { t in (0..<t.bucketCount).map(t.bucketSize).max() ?? 0 }
        return sizes.max() ?? 0
    }

    // MARK: search

    /// The LSH top K of one query: candidates from every table, ranked exactly.
    public func search(query: [Float], items: Matrix, k: Int, excluding: [Int] = []) -> [ScoredItem] {
        let q = Matrix(rows: 1, cols: query.count, storage: query)
        let ex = CSRMatrix(rows: 1, cols: itemCount, triplets: excluding.map { (0, $0, 1) })
        return search(queries: q, items: items, k: k, exclusions: ex, workers: 1).lists.items(of: 0)
    }

    /// LSH top K for every row of `queries`, and the candidates each query ranked.
    /// `exclusions` (queries x items) lists items to skip per query.
    public func search(queries: Matrix, items: Matrix, k: Int, exclusions: CSRMatrix? = nil,
                       workers: Int = Parallel.defaultWorkers) -> (lists: TopKLists, candidates: [Int]) {
        precondition(items.rows == itemCount && items.cols == dimension, "items differ from the indexed catalogue")
        precondition(queries.cols == dimension, "query width \(queries.cols) != \(dimension)")
        let nq = queries.rows
        guard nq > 0, k > 0 else { return (TopKLists(queries: nq, k: k), [Int](repeating: 0, count: nq)) }
        if configuration.probe == .multi {
            return searchMulti(queries: queries, items: items, k: k, exclusions: exclusions, workers: workers)
        }
        let proj = BLAS.matmul(queries, normals) // nq x (planes * tables)
        let c = configuration, d = dimension, n = itemCount
        let need = c.probe == .bucket ? 1 : max(1, c.candidates ?? k)
        return QuerySlots.run(queries: nq, k: k, workers: workers) { range, slots in
            let stamps = QueryStamps(items: n)
            var list = [Int32]()
            list.reserveCapacity(min(max(need * c.tables, 1024), n))   // a query's candidates never exceed the catalogue
            items.storage.withUnsafeBufferPointer { xp in
            queries.storage.withUnsafeBufferPointer { qp in
            proj.storage.withUnsafeBufferPointer { pp in
                for q in range {
                    stamps.begin(excluding: exclusions?.columns(ofRow: q) ?? [])
                    list.removeAll(keepingCapacity: true)
                    let row = pp.baseAddress! + q * proj.cols
                    for (t, table) in tables.enumerated() {
                        let code = Self.pack(row, t * c.planes, c.planes)
                        var got = 0
                        table.members.withUnsafeBufferPointer { mem in
                            table.probe(code) { b in
                                let s = Int(table.bucketStart[b]), e = Int(table.bucketStart[b + 1])
                                got += e - s
                                for p in s..<e where stamps.insert(mem[p]) { list.append(mem[p]) }
                                return got < need
                            }
                        }
                    }
                    let query = qp.baseAddress! + q * d
                    var count = 0
                    let ts = slots.scores(q), ti = slots.indices(q)
                    for id in list {
                        let s = Self.dot(query, xp.baseAddress! + Int(id) * d, d)
                        TopK.offer(s, id, k: k, scores: ts, indices: ti, count: &count)
                    }
                    slots.finish(q, count: count, candidates: list.count)
                }
            }}}
        }
    }

    /// Inner product with four independent partial sums (lets the CPU overlap the adds).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ d: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var j = 0
        while j &+ 4 <= d {
            s0 += a[j] * b[j]
            s1 += a[j &+ 1] * b[j &+ 1]
            s2 += a[j &+ 2] * b[j &+ 2]
            s3 += a[j &+ 3] * b[j &+ 3]
            j &+= 4
        }
        while j < d { s0 += a[j] * b[j]; j &+= 1 }
        return (s0 + s1) + (s2 + s3)
    }
}

extension TopK {
    /// Offers one item in any index order: it enters if the buffer has room
    /// or it beats the K-th entry (higher score, or equal score and lower index).
    @inlinable @inline(__always)
    public static func offer(_ s: Float, _ index: Int32, k: Int, scores: UnsafeMutablePointer<Float>,
                             indices: UnsafeMutablePointer<Int32>, count: inout Int) {
        guard s == s, k > 0 else { return }
        var p: Int
        if count < k {
            p = count; count &+= 1
        } else {
            let ws = scores[k &- 1]
            guard s > ws || (s == ws && index < indices[k &- 1]) else { return }
            p = k &- 1
        }
        while p > 0 && (scores[p &- 1] < s || (scores[p &- 1] == s && indices[p &- 1] > index)) {
            scores[p] = scores[p &- 1]
            indices[p] = indices[p &- 1]
            p &-= 1
        }
        scores[p] = s
        indices[p] = index
    }
}
