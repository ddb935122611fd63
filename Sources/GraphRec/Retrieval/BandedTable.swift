import Foundation

/// One hash table for `probe=multi`: buckets keyed by (norm band, code), so
/// each band's buckets are a contiguous run, the largest norms first.
///
/// Items are ordered by (band, code, id) with stable counting sorts; a
/// bucket is a run of `members`. Without mips there is one band.
struct BandedTable: Sendable {
    let planes: Int
    /// Band b's buckets are `bandBucketStart[b] ..< bandBucketStart[b + 1]`.
    let bandBucketStart: [Int32]
    /// Each bucket's code, and where its members start (one extra end entry).
    let bucketCodes: [UInt64]
    let bucketStart: [Int32]
    /// Item ids ordered by (band, code, id).
    let members: [Int32]
    /// Codes split as (top 8 bits = group, the `groupShift` bits below):
    /// band b's buckets of group g are `groupStart[b * 257 + g] ..< groupStart[b * 257 + g + 1]`,
    /// so a probe skips a whole group when its top bits alone cost too much.
    let groupShift: Int
    let groupStart: [Int32]

    init(codes: [UInt64], band: [Int32], bandCount: Int, planes: Int) {
        precondition(codes.count == band.count, "one band per item")
        self.planes = planes
        let n = codes.count
        // Stable radix sort by code, then a stable counting sort by band.
        var order = idsSortedByCode(codes, planes: planes)
        var tmp = [Int32](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: bandCount + 1)
        for b in band { counts[Int(b) + 1] += 1 }
        for i in 0..<bandCount { counts[i + 1] += counts[i] }
        for id in order {
            let b = Int(band[Int(id)])
            tmp[counts[b]] = id
            counts[b] += 1
        }
        order = tmp
        var bbs = [Int32](repeating: 0, count: bandCount + 1)
        var bc: [UInt64] = [], bs: [Int32] = []
        var previous: (Int32, UInt64)? = nil
        for (p, id) in order.enumerated() {
            let key = (band[Int(id)], codes[Int(id)])
            if previous == nil || previous! != key {
                bc.append(key.1)
                bs.append(Int32(p))
                previous = key
                bbs[Int(key.0) + 1] = Int32(bc.count)
            }
        }
        for b in 0..<bandCount where bbs[b + 1] < bbs[b] { bbs[b + 1] = bbs[b] } // empty bands
        bs.append(Int32(n))
        let shift = max(0, planes - 8)
        var gs = [Int32](repeating: 0, count: bandCount * 257)
        for b in 0..<bandCount {
            var bucket = Int(bbs[b])
            for g in 0...256 {
                while bucket < Int(bbs[b + 1]) && Int(bc[bucket] >> UInt64(shift)) < g { bucket += 1 }
                gs[b * 257 + g] = Int32(bucket)
            }
        }
        groupShift = shift
        groupStart = gs
        bandBucketStart = bbs
        bucketCodes = bc
        bucketStart = bs
        members = order
    }

    var bucketCount: Int { bucketCodes.count }
    func bucketSize(_ b: Int) -> Int { Int(bucketStart[b + 1] - bucketStart[b]) }
}

/// Query-directed multi-probe scores (after Lv et al. 2007) for sign codes.
///
/// Plane j's margin is the query's projection on its normal over |q|
/// (N(0, 1) for Gaussian normals). A small margin means a near item falls on
/// the other side of plane j easily, so disagreeing there is cheap: a
/// bucket's cost is the sum of |margin_j| / E|margin| over the bits where its
/// code differs from the query's, a Hamming distance in which a confident bit
/// weighs more than an unsure one. Its score estimates the inner product
/// over |q|: M_band * cos(pi * cost / planes) (the angle sign hashes see,
/// Charikar 2002; M the band's largest norm, 1 without mips). Buckets are
/// probed best score first until the candidate budget is met.
enum MultiProbe {
    /// E|z| for z ~ N(0, 1).
    static let meanAbsNormal: Float = (2 / Float.pi).squareRoot()
    /// cos(pi * i / (cosSteps - 1)) for a cost i/(cosSteps-1) of the planes.
    static let cosSteps = 1024
    static let cosTable: [Float] = (0..<cosSteps).map { Float(cos(Double.pi * Double($0) / Double(cosSteps - 1))) }

    /// Bytes of a code for `planes` bits.
    static func bytes(_ planes: Int) -> Int { (planes + 7) / 8 }

    /// Fills `out[k * 256 + v]` with the cost of flipping the bits set in
    /// byte value v of byte k: the sum of |margin_j| / (|q| E|z|) over them.
    @inline(__always)
    static func costTables(margins: UnsafePointer<Float>, planes: Int, queryNorm: Float,
                           into out: UnsafeMutablePointer<Float>) {
        let inv: Float = queryNorm > 0 ? 1 / (queryNorm * meanAbsNormal) : 0
        for k in 0..<bytes(planes) {
            let t = out + k * 256
            t[0] = 0
            for v in 1..<256 {
                let j = 8 &* k &+ v.trailingZeroBitCount
                let w: Float = j < planes ? abs(margins[j]) * inv : 0
                t[v] = t[v & (v &- 1)] + w
            }
        }
    }

    /// The cost of a bucket whose code differs from the query's in the bits of `x`.
    @inline(__always)
    static func cost(_ x: UInt64, _ tables: UnsafePointer<Float>, bytes: Int) -> Float {
        var c = tables[Int(x & 0xFF)]
        var k = 1
        while k < bytes {
            c += tables[k &* 256 &+ Int((x >> UInt64(8 &* k)) & 0xFF)]
            k &+= 1
        }
        return c
    }

    /// Estimated inner product over |q| of a bucket with this cost in a band with largest norm M.
    @inline(__always)
    static func score(cost: Float, planes: Int, bandMax: Float) -> Float {
        let steps = Float(cosSteps - 1)
        let i = min(cosSteps - 1, Int(cost / Float(planes) * steps + 0.5))
        return bandMax * cosTable[i]
    }

    /// The largest cost a bucket of a band with largest norm M may have and still
    /// score at least `threshold` (a safe bound: one table step of slack).
    static func costLimit(threshold: Float, planes: Int, bandMax: Float) -> Float {
        guard threshold > -bandMax else { return .infinity }
        let r = Double(min(1, threshold / bandMax))
        return Float(acos(r) / Double.pi) * Float(planes) + 2 * Float(planes) / Float(cosSteps - 1)
    }
}
