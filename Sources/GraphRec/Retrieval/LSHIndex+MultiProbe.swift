import Tensors

/// `probe=multi`: query-directed multi-probe over norm bands.
///
/// Every bucket gets a score, the estimated inner product over |q| of its
/// items (`MultiProbe.score`), and the query ranks the best buckets until
/// `candidates` items (all tables together). Rather than sorting buckets, the
/// scores go into a histogram of `bins` bins: its running cut (the bin where
/// the best buckets reach the budget) skips the rest of a band as soon as a
/// bucket's cost passes the band's limit, and stops at the first band whose
/// largest norm cannot reach the cut. All buckets at or above the cut bin are
/// ranked exactly, so a query takes at least `candidates` items (fewer only
/// when the catalogue is smaller), at most one bin more.
extension LSHIndex {
    static let scoreBins = 1024

    /// The buckets a query probes in table t with their scores, best first
    /// (ties by bucket index): the order `searchMulti` cuts from (for tests and display).
    func multiProbeOrder(query: [Float], table t: Int) -> [(bucket: Int, score: Float)] {
        precondition(configuration.probe == .multi, "multiProbeOrder needs probe=multi")
        let L = configuration.planes
        let proj = BLAS.matmul(Matrix(rows: 1, cols: dimension, storage: query), normals).storage
        let norm = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var costs = [Float](repeating: 0, count: MultiProbe.bytes(L) * 256)
        let code = Self.pack(proj, t * L, L)
        proj.withUnsafeBufferPointer { p in
            costs.withUnsafeMutableBufferPointer { MultiProbe.costTables(margins: p.baseAddress! + t * L, planes: L,
                                                                          queryNorm: norm, into: $0.baseAddress!) }
        }
        let table = banded[t]
        var out: [(bucket: Int, score: Float)] = []
        costs.withUnsafeBufferPointer { cp in
            for b in 0..<bandMax.count {
                for bucket in Int(table.bandBucketStart[b])..<Int(table.bandBucketStart[b + 1]) {
                    let c = MultiProbe.cost(table.bucketCodes[bucket] ^ code, cp.baseAddress!, bytes: MultiProbe.bytes(L))
                    out.append((bucket, MultiProbe.score(cost: c, planes: L, bandMax: bandMax[b])))
                }
            }
        }
        return out.sorted { $0.score != $1.score ? $0.score > $1.score : $0.bucket < $1.bucket }
    }

    func searchMulti(queries: Matrix, items: Matrix, k: Int, exclusions: CSRMatrix?,
                     workers: Int) -> (lists: TopKLists, candidates: [Int]) {
        let nq = queries.rows, n = itemCount, d = dimension
        guard n > 0 else { return (TopKLists(queries: nq, k: k), [Int](repeating: 0, count: nq)) }
        let proj = BLAS.matmul(queries, normals) // nq x (planes * tables)
        let budget = max(1, configuration.candidates ?? k)
        // Table 0 alone needs no de-duplication: each item sits in one bucket.
        let useStamps = configuration.tables > 1 || exclusions != nil
        return QuerySlots.run(queries: nq, k: k, workers: workers) { range, slots in
            let prober = MultiProber(index: self)
            let stamps = useStamps ? QueryStamps(items: n) : nil
            items.storage.withUnsafeBufferPointer { xp in
            bandedVectors.withUnsafeBufferPointer { vp in
            queries.storage.withUnsafeBufferPointer { qp in
            proj.storage.withUnsafeBufferPointer { pp in
            withTablePointers { tp in
                for q in range {
                    let query = qp.baseAddress! + q * d
                    let norm = Self.dot(query, query, d).squareRoot()
                    let cut = prober.collect(margins: pp.baseAddress! + q * proj.cols, queryNorm: norm,
                                             budget: budget, tables: tp)
                    stamps?.begin(excluding: exclusions?.columns(ofRow: q) ?? [])
                    // Rank the items of every bucket at or above the cut.
                    let keep = max(cut, 0)
                    var count = 0, ranked = 0
                    let ts = slots.scores(q), ti = slots.indices(q)
                    for e in prober.picked where Int((e >> 32) & 0xFFFF) >= keep {
                        let bucket = Int(e & 0xFFFF_FFFF), t = Int(e >> 48)
                        let table = tp[t], mem = table.members
                        let s0 = Int(table.starts[bucket]), s1 = Int(table.starts[bucket + 1])
                        for p in s0..<s1 {
                            let id = mem[p]
                            if let stamps, !stamps.insert(id) { continue }
                            let v = t == 0 ? vp.baseAddress! + p * d : xp.baseAddress! + Int(id) * d
                            TopK.offer(Self.dot(query, v, d), id, k: k, scores: ts, indices: ti, count: &count)
                            ranked &+= 1
                        }
                    }
                    slots.finish(q, count: count, candidates: ranked)
                }
            }}}}}
        }
    }
}

/// One worker's probing state for `searchMulti`: per-query cost tables and
/// the score histogram, allocated once and reused across queries.
final class MultiProber {
    let planes: Int, tables: Int, bytes: Int
    /// Codes split into a top-8-bit group (`shift` bits up) and the bits below.
    let shift: Int, lowMask: UInt64, lowBytes: Int
    let bandMax: [Float]
    let binScale: Float
    let bins = LSHIndex.scoreBins
    let costs: UnsafeMutablePointer<Float>
    let groupCost: UnsafeMutablePointer<Float>
    let groupOrder: UnsafeMutablePointer<UInt8>
    let qcodes: UnsafeMutablePointer<UInt64>
    let hist: UnsafeMutablePointer<Int>
    /// Buckets scored at or above the cut when seen: bucket | bin << 32 | table << 48.
    var picked: [UInt64] = []

    init(index: LSHIndex) {
        planes = index.configuration.planes
        tables = index.configuration.tables
        bytes = MultiProbe.bytes(planes)
        shift = max(0, planes - 8)
        lowMask = shift == 0 ? 0 : (1 << UInt64(shift)) - 1
        lowBytes = max(1, MultiProbe.bytes(shift))
        bandMax = index.bandMax
        binScale = Float(LSHIndex.scoreBins - 1) / max(index.bandMax[0], .leastNormalMagnitude)
        costs = .allocate(capacity: tables * bytes * 256)
        groupCost = .allocate(capacity: tables * 256)
        groupOrder = .allocate(capacity: tables * 256)
        qcodes = .allocate(capacity: tables)
        hist = .allocate(capacity: LSHIndex.scoreBins)
        picked.reserveCapacity(4096)
    }

    deinit {
        costs.deallocate(); groupCost.deallocate(); groupOrder.deallocate(); qcodes.deallocate(); hist.deallocate()
    }

    /// Scores buckets band by band (largest norms first) into `picked` and
    /// returns the cut bin (-1 when all buckets together hold less than the budget).
    func collect(margins row: UnsafePointer<Float>, queryNorm: Float, budget: Int,
                 tables tp: [BandedTablePointers]) -> Int {
        let L = planes, shift = shift
        for t in 0..<tables {
            qcodes[t] = LSHIndex.pack(row, t * L, L)
            MultiProbe.costTables(margins: row + t * L, planes: L, queryNorm: queryNorm, into: costs + t * bytes * 256)
            let gc = groupCost + t * 256
            MultiProbe.costTables(margins: row + t * L + shift, planes: L - shift, queryNorm: queryNorm, into: gc)
            var go = UnsafeMutableBufferPointer(start: groupOrder + t * 256, count: 256)
            for v in 0..<256 { go[v] = UInt8(v) }
            go.sort { a, b in
                let ca = gc[Int(a)], cb = gc[Int(b)]
                return ca != cb ? ca < cb : a < b
            }
        }
        picked.removeAll(keepingCapacity: true)
        var cut = -1
        var above = 0 // items in bins >= cut (all items while cut is -1)
        let h = hist
        for i in 0..<bins { h[i] = 0 }
        for b in 0..<bandMax.count {
            let m = bandMax[b]
            if cut >= 0 && Int(m * binScale) < cut { break }
            let limit = cut >= 0
                ? MultiProbe.costLimit(threshold: Float(cut) / binScale, planes: L, bandMax: m) : Float.infinity
            for t in 0..<tables {
                above &+= scan(band: b, table: t, bandMax: m, limit: limit, cut: cut, tp[t])
            }
            if cut < 0 && above >= budget { cut = 0 }
            // Raise the cut while the bins above it still hold the budget (amortised O(bins) a query).
            while cut >= 0 && cut < bins - 1 && above - h[cut] >= budget {
                above -= h[cut]
                cut += 1
            }
        }
        return cut
    }

    /// Scores band b's buckets of table t whose cost is within `limit` and whose bin reaches
    /// `cut`: adds their sizes to the histogram and them to `picked`. Returns the items added.
    @inline(__always)
    func scan(band b: Int, table t: Int, bandMax m: Float, limit: Float, cut: Int, _ table: BandedTablePointers) -> Int {
        let L = planes, qc = qcodes[t], qg = Int(qc >> UInt64(shift)), lowMask = lowMask, lowBytes = lowBytes
        let binScale = binScale, bins = bins, h = hist
        let codes = table.codes, starts = table.starts, gs = table.groups + b * 257
        let tc = costs + t * bytes * 256, gc = groupCost + t * 256, go = groupOrder + t * 256
        var added = 0
        // Groups cheapest first: stop at the first over the band's limit.
        for i in 0..<256 {
            let v = Int(go[i])
            let hc = gc[v]
            if hc > limit { break }
            let g = v ^ qg
            let g0 = Int(gs[g]), g1 = Int(gs[g + 1])
            for bucket in g0..<g1 {
                let x = hc + MultiProbe.cost((codes[bucket] ^ qc) & lowMask, tc, bytes: lowBytes)
                if x > limit { continue }
                let s = MultiProbe.score(cost: x, planes: L, bandMax: m)
                let bin = min(bins - 1, max(0, Int(s * binScale)))
                if bin < cut { continue }
                let size = Int(starts[bucket + 1] &- starts[bucket])
                h[bin] &+= size
                added &+= size
                picked.append(UInt64(bucket) | UInt64(bin) << 32 | UInt64(t) << 48)
            }
        }
        return added
    }
}

/// One `BandedTable`'s arrays as pointers, valid inside `withTablePointers`.
struct BandedTablePointers: @unchecked Sendable {
    let codes: UnsafePointer<UInt64>
    let starts: UnsafePointer<Int32>
    let members: UnsafePointer<Int32>
    let bands: UnsafePointer<Int32>
    let groups: UnsafePointer<Int32>
}

extension LSHIndex {
    /// Calls `body` with pointers to every banded table's arrays (hot loops take them once).
    func withTablePointers<R>(_ body: ([BandedTablePointers]) -> R) -> R {
        func nest(_ t: Int, _ acc: [BandedTablePointers]) -> R {
            guard t < banded.count else { return body(acc) }
            let table = banded[t]
            return table.bucketCodes.withUnsafeBufferPointer { c in
                table.bucketStart.withUnsafeBufferPointer { s in
                    table.members.withUnsafeBufferPointer { m in
                        table.bandBucketStart.withUnsafeBufferPointer { b in
                            table.groupStart.withUnsafeBufferPointer { g in
                                nest(t + 1, acc + [BandedTablePointers(codes: c.baseAddress!, starts: s.baseAddress!,
                                                                       members: m.baseAddress!, bands: b.baseAddress!,
                                                                       groups: g.baseAddress!)])
                            }
                        }
                    }
                }
            }
        }
        return nest(0, [])
    }
}
