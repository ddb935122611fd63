/// One LSH hash table: items grouped by their code, and the search for
/// buckets near a query code in Hamming distance.
///
/// Items are sorted by code with a stable radix sort (16 bits a pass), so a
/// bucket is a contiguous, ascending run of `members`. Finding the bucket
/// of a code is a direct array look-up for up to 20 planes and an
/// open-addressing hash for more. Probing enumerates the codes at Hamming
/// radius 0, 1, 2, ... (Gosper's hack) while that is cheaper than visiting
/// every bucket, then falls back to ordering all buckets by popcount distance.
struct HammingTable: Sendable {
    let planes: Int
    /// Distinct codes in ascending order, and where each bucket's members start.
    let bucketCodes: [UInt64]
    let bucketStart: [Int32]
    /// Item ids ordered by (code, id).
    let members: [Int32]
    /// planes <= 20: code -> bucket or -1. Otherwise an open-addressing table.
    private let dense: [Int32]
    private let hashKeys: [UInt64]
    private let hashValues: [Int32]
    private let hashMask: Int

    static let denseLimit = 20

    init(codes: [UInt64], planes: Int) {
        self.planes = planes
        let n = codes.count
        let order = idsSortedByCode(codes, planes: planes)
        var bc: [UInt64] = [], bs: [Int32] = []
        for (p, id) in order.enumerated() where bc.last != codes[Int(id)] || p == 0 {
            bc.append(codes[Int(id)])
            bs.append(Int32(p))
        }
        bs.append(Int32(n))
        bucketCodes = bc
        bucketStart = bs
        members = order
        if planes <= Self.denseLimit {
            var d = [Int32](repeating: -1, count: 1 << planes)
            for (b, code) in bc.enumerated() { d[Int(code)] = Int32(b) }
            dense = d
            hashKeys = []; hashValues = []; hashMask = 0
        } else {
            var cap = 16
            while cap < 2 * bc.count { cap <<= 1 }
            var keys = [UInt64](repeating: 0, count: cap), vals = [Int32](repeating: -1, count: cap)
            for (b, code) in bc.enumerated() {
                var slot = Self.slot(code, cap - 1)
                while vals[slot] >= 0 { slot = (slot &+ 1) & (cap - 1) }
                keys[slot] = code
                vals[slot] = Int32(b)
            }
            dense = []; hashKeys = keys; hashValues = vals; hashMask = cap - 1
        }
    }

    var bucketCount: Int { bucketCodes.count }
    func bucketSize(_ b: Int) -> Int { Int(bucketStart[b + 1] - bucketStart[b]) }

    @inline(__always)
    private static func slot(_ code: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (code &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The bucket holding `code`, or -1.
    @inline(__always)
    func bucket(of code: UInt64) -> Int {
        if planes <= Self.denseLimit { return Int(dense[Int(code)]) }
        var slot = Self.slot(code, hashMask)
        while true {
            let v = hashValues[slot]
            if v < 0 { return -1 }
            if hashKeys[slot] == code { return Int(v) }
            slot = (slot &+ 1) & hashMask
        }
    }

    /// Calls `visit(bucket)` for non-empty buckets in increasing Hamming
    /// distance from `code` (ties: enumeration order) until `visit` returns false.
    func probe(_ code: UInt64, _ visit: (Int) -> Bool) {
        let p = planes
        var enumerated = 0.0 // codes enumerated so far, as a Double to avoid overflow of C(64, r)
        var radius = 0
        while radius <= p {
            let atRadius = Self.binomial(p, radius)
            if enumerated + atRadius > Double(bucketCount) * 2 && radius > 0 {
                scanFrom(radius: radius, code, visit)
                return
            }
            enumerated += atRadius
            if radius == 0 {
                let b = bucket(of: code)
                if b >= 0 && !visit(b) { return }
            } else {
                // Masks of `radius` set bits among the low `p` bits, ascending (Gosper's hack).
                let limit: UInt64 = p == 64 ? .max : (1 << UInt64(p)) - 1
                var mask: UInt64 = radius == 64 ? .max : (1 << UInt64(radius)) - 1
                while true {
                    let b = bucket(of: code ^ mask)
                    if b >= 0 && !visit(b) { return }
                    let low = mask & (0 &- mask)
                    let ripple = mask &+ low
                    if ripple == 0 || ripple > limit { break }
                    let next = (((ripple ^ mask) >> 2) / low) | ripple
                    if next > limit || next < mask { break }
                    mask = next
                }
            }
            radius += 1
        }
    }

    /// Visits every bucket at distance >= radius, nearest first (ties by code order).
    private func scanFrom(radius: Int, _ code: UInt64, _ visit: (Int) -> Bool) {
        var byDistance = [[Int32]](repeating: [], count: planes + 1)
        for (b, c) in bucketCodes.enumerated() {
            let dist = (c ^ code).nonzeroBitCount
            if dist >= radius { byDistance[dist].append(Int32(b)) }
        }
        for list in byDistance { for b in list where !visit(Int(b)) { return } }
    }

    static func binomial(_ n: Int, _ r: Int) -> Double {
        if r < 0 || r > n { return 0 }
        var c = 1.0
        for i in 0..<min(r, n - r) { c = c * Double(n - i) / Double(i + 1) }
        return c
    }
}
