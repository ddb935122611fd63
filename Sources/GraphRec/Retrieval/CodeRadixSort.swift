/// Item ids `0..<codes.count` ordered by (code, id): a stable LSD radix sort,
/// 16 bits a pass over the low `planes` bits. Both LSH tables bucket items
/// this way, so a bucket is a contiguous, ascending run of ids.
func idsSortedByCode(_ codes: [UInt64], planes: Int) -> [Int32] {
    let n = codes.count
    var order = [Int32](0..<Int32(n))
    var tmp = [Int32](repeating: 0, count: n)
    codes.withUnsafeBufferPointer { c in
        var shift = 0
        while shift < planes {
            var counts = [Int](repeating: 0, count: 65_537)
            for id in order { counts[Int((c[Int(id)] >> UInt64(shift)) & 0xFFFF) &+ 1] &+= 1 }
            for i in 0..<65_536 { counts[i &+ 1] &+= counts[i] }
            for id in order {
                let digit = Int((c[Int(id)] >> UInt64(shift)) & 0xFFFF)
                tmp[counts[digit]] = id
                counts[digit] &+= 1
            }
            swap(&order, &tmp)
            shift += 16
        }
    }
    return order
}
