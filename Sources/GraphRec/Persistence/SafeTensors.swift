import Foundation
import Tensors

/// One tensor as recsh stores it: a Float matrix, or an integer index array
/// (split edge lists, id maps) with its own shape.
public enum TensorValue: Sendable, Equatable {
    case float32(Matrix)
    case int32([Int32], shape: [Int])
    case int64([Int64], shape: [Int])

    /// The safetensors dtype tag.
    public var dtype: SafeTensors.DType {
        switch self {
        case .float32: .f32
        case .int32: .i32
        case .int64: .i64
        }
    }

    /// The shape written to the header: a matrix is always `[rows, cols]`.
    public var shape: [Int] {
        switch self {
        case .float32(let m): [m.rows, m.cols]
        case .int32(_, let shape), .int64(_, let shape): shape
        }
    }

    public var elementCount: Int {
        switch self {
        case .float32(let m): m.count
        case .int32(let v, _): v.count
        case .int64(let v, _): v.count
        }
    }

    /// The matrix, if this is a float tensor.
    public var matrix: Matrix? {
        if case .float32(let m) = self { return m }
        return nil
    }

    /// An edge list as an `[n, 2]` I32 tensor of (user, movie) dense indices.
    public static func edges(_ edges: [Edge]) -> TensorValue {
        var flat = [Int32]()
        flat.reserveCapacity(edges.count * 2)
        for e in edges { flat.append(e.user); flat.append(e.movie) }
        return .int32(flat, shape: [edges.count, 2])
    }

    /// The edge list of an `[n, 2]` I32 or I64 tensor, or nil if it is not one.
    public var edges: [Edge]? {
        func pairs<T: BinaryInteger>(_ v: [T], _ shape: [Int]) -> [Edge]? {
            guard shape.count == 2, shape[1] == 2 else { return nil }
            var out = [Edge]()
            out.reserveCapacity(shape[0])
            for i in 0..<shape[0] {
                guard let u = Int32(exactly: v[2 * i]), let m = Int32(exactly: v[2 * i + 1]) else { return nil }
                out.append(Edge(user: u, movie: m))
            }
            return out
        }
        switch self {
        case .float32: return nil
        case .int32(let v, let shape): return pairs(v, shape)
        case .int64(let v, let shape): return pairs(v, shape)
        }
    }
}

/// The tensors of one safetensors file, in file (offset) order, and its metadata.
public struct SafeTensorsFile: Sendable, Equatable {
    public var names: [String]
    public var tensors: [String: TensorValue]
    /// The header's `__metadata__` string map (empty when absent).
    public var metadata: [String: String]

    public init(names: [String], tensors: [String: TensorValue], metadata: [String: String]) {
        self.names = names
        self.tensors = tensors
        self.metadata = metadata
    }

    public subscript(name: String) -> TensorValue? { tensors[name] }

    /// The tensors as (name, value) pairs in file order, ready to write again.
    public var ordered: [(String, TensorValue)] { names.map { ($0, tensors[$0]!) } }
}

/// The safetensors format (huggingface/safetensors), written and read
/// without dependencies so saved sessions open in numpy and PyTorch:
///
///     [8 bytes: header length N, little-endian u64]
///     [N bytes: JSON {"__metadata__": {..}, "name": {"dtype", "shape", "data_offsets": [b, e]}, ...},
///               padded with spaces to a multiple of 8 as the reference writer does]
///     [data: each tensor's little-endian bytes at [b, e) relative to the data start]
///
/// The writer lays tensors out contiguously in the order given. The reader
/// trusts nothing: every length, offset and shape is checked against the
/// file before a byte is copied, and each problem is a `RecError` naming the
/// file. Loading is one read of the file and one `memcpy` per tensor.
public enum SafeTensors {
    public enum DType: String, Sendable, CaseIterable {
        case f32 = "F32", i32 = "I32", i64 = "I64"

        public var size: Int {
            switch self {
            case .f32, .i32: 4
            case .i64: 8
            }
        }
    }

    /// Headers longer than this are refused as corrupt rather than allocated.
    public static let maxHeaderBytes = 100_000_000

    // MARK: Writing

    /// The complete file for `tensors` (written in this order) and `metadata`.
    public static func encode(_ tensors: [(String, TensorValue)], metadata: [String: String] = [:]) throws -> Data {
        var seen = Set<String>()
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, value) in tensors {
            guard name != "__metadata__" else { throw RecError("safetensors: '__metadata__' is reserved and cannot name a tensor") }
            guard seen.insert(name).inserted else { throw RecError("safetensors: duplicate tensor name '\(name)'") }
            let bytes = value.elementCount * value.dtype.size
            let shape = value.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(name)):{\"dtype\":\"\(value.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8))

        // One allocation, then one memcpy per tensor.
        let dataStart = 8 + headerBytes.count
        var data = Data(count: dataStart + offset)
        data.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
            out.storeBytes(of: UInt64(headerBytes.count).littleEndian, toByteOffset: 0, as: UInt64.self)
            headerBytes.withUnsafeBytes { out.baseAddress!.advanced(by: 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            var at = dataStart
            for (_, value) in tensors {
                switch value {
                case .float32(let m): at += storeLittleEndian(m.storage.map(\.bitPattern), m.storage, into: out, at: at)
                case .int32(let v, _): at += storeLittleEndian(v, v, into: out, at: at)
                case .int64(let v, _): at += storeLittleEndian(v, v, into: out, at: at)
                }
            }
        }
        return data
    }

    /// Writes the file atomically (temporary file + rename); returns its size in bytes.
    @discardableResult
    public static func write(_ tensors: [(String, TensorValue)], metadata: [String: String] = [:], to path: String) throws -> Int {
        let data = try encode(tensors, metadata: metadata)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw RecError("\(path): cannot write (\(SessionBundle.reason(error)))")
        }
        return data.count
    }

    // MARK: Reading

    /// Reads and validates the file at `path`.
    public static func read(path: String) throws -> SafeTensorsFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw RecError("\(path): \(exists ? "cannot read (\(SessionBundle.reason(error)))" : "file not found")")
        }
        return try decode(data, file: path)
    }

    /// One tensor's header entry: where its bytes lie relative to the data start.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        public var begin: Int
        public var end: Int
    }

    /// A checked header: its entries in file order, the metadata and where the data starts.
    public struct Header: Sendable, Equatable {
        public var entries: [Entry]
        public var metadata: [String: String]
        /// Bytes before the data: 8 plus the header length.
        public var dataStart: Int

        public subscript(name: String) -> Entry? { entries.first { $0.name == name } }
    }

    /// Validates and decodes a whole file's bytes; `file` names it in errors.
    public static func decode(_ data: Data, file: String) throws -> SafeTensorsFile {
        let header = try header(data, fileSize: data.count, file: file)
        var tensors: [String: TensorValue] = [:]
        tensors.reserveCapacity(header.entries.count)
        data.withUnsafeBytes { raw in
            let base = raw.baseAddress.map { $0 + header.dataStart }
            for e in header.entries {
                let count = (e.end - e.begin) / e.dtype.size
                let source = base.map { UnsafeRawPointer($0 + e.begin) }
                switch e.dtype {
                case .f32:
                    let storage: [Float] = copyLittleEndian(source, count: count)
                    let (rows, cols) = matrixShape(e.shape)
                    tensors[e.name] = .float32(Matrix(rows: rows, cols: cols, storage: storage))
                case .i32:
                    tensors[e.name] = .int32(copyLittleEndian(source, count: count), shape: e.shape)
                case .i64:
                    tensors[e.name] = .int64(copyLittleEndian(source, count: count), shape: e.shape)
                }
            }
        }
        return SafeTensorsFile(names: header.entries.map(\.name), tensors: tensors, metadata: header.metadata)
    }

    /// Reads and checks only the header of the file at `path` against the
    /// file's size: what `sessions` can afford for every bundle.
    public static func inspect(path: String) throws -> Header {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw RecError("\(path): \(exists ? "cannot read" : "missing: the bundle is incomplete or damaged")")
        }
        defer { try? handle.close() }
        do {
            let size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            let prefix = try handle.read(upToCount: 8) ?? Data()
            var needed = prefix.count
            if prefix.count == 8 {
                let length = prefix.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                needed = Int(min(length, UInt64(maxHeaderBytes), UInt64(size - 8)))
            }
            let rest = prefix.count == 8 ? try handle.read(upToCount: needed) ?? Data() : Data()
            return try header(prefix + rest, fileSize: size, file: path)
        } catch let error as RecError {
            throw error
        } catch {
            throw RecError("\(path): cannot read: \(shortDescription(error))")
        }
    }

    /// Checks the header at the start of `data` (at least the header's bytes)
    /// against a file of `fileSize` bytes: lengths, dtypes, shapes and that
    /// the tensors tile the data exactly.
    static func header(_ data: Data, fileSize size: Int, file: String) throws -> Header {
        func fail(_ problem: String) -> RecError { RecError("\(file): \(problem)") }
        guard size >= 8, data.count >= 8 else {
            throw fail("truncated: \(size) bytes, too short for the 8-byte header length (not a complete safetensors file)")
        }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(maxHeaderBytes) else {
            throw fail("header length \(headerLength) bytes is absurd (limit \(maxHeaderBytes)): not a safetensors file or corrupt")
        }
        let headerEnd = 8 + Int(headerLength)
        guard headerEnd <= size, headerEnd <= data.count else {
            throw fail("header length \(headerLength) runs beyond the end of the file (\(size) bytes): truncated or corrupt")
        }
        let headerData = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + headerEnd))
        guard let first = headerData.first(where: { $0 != UInt8(ascii: " ") }), first == UInt8(ascii: "{") else {
            throw fail("header is not a JSON object")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: headerData)
        } catch {
            throw fail("header is not valid JSON (\(shortDescription(error)))")
        }
        guard let object = json as? [String: Any] else { throw fail("header is not a JSON object") }

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, raw) in object {
            if name == "__metadata__" {
                guard let map = raw as? [String: Any] else { throw fail("__metadata__ is not a JSON object") }
                for (k, v) in map {
                    guard let s = v as? String else { throw fail("__metadata__ value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = raw as? [String: Any] else { throw fail("tensor '\(name)': entry is not a JSON object") }
            guard let tag = info["dtype"] as? String else { throw fail("tensor '\(name)': missing dtype") }
            guard let dtype = DType(rawValue: tag) else {
                let known = DType.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail("tensor '\(name)': unsupported dtype '\(tag)' (recsh reads \(known))")
            }
            guard let shapeList = info["shape"] as? [Any] else { throw fail("tensor '\(name)': missing shape") }
            let shape = shapeList.compactMap(nonNegativeInt)
            guard shape.count == shapeList.count else {
                throw fail("tensor '\(name)': shape must be a list of non-negative integers")
            }
            guard let offsets = info["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = nonNegativeInt(offsets[0]), let end = nonNegativeInt(offsets[1]) else {
                throw fail("tensor '\(name)': data_offsets must be two non-negative integers")
            }
            guard begin <= end else { throw fail("tensor '\(name)': data_offsets [\(begin), \(end)] run backwards") }
            var elements = 1
            for d in shape {
                let (p, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail("tensor '\(name)': shape \(shape) is too large") }
                elements = p
            }
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, bytes == end - begin else {
                throw fail("tensor '\(name)': shape \(shape) of \(tag) needs \(overflow ? "too many" : String(bytes)) bytes but data_offsets [\(begin), \(end)] span \(end - begin)")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
        }

        // The tensors must tile the data exactly: no gaps, no overlaps, nothing after.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        let dataLength = size - headerEnd
        var cursor = 0
        var previous: String?
        for e in entries {
            if e.begin < cursor {
                throw fail("tensor '\(e.name)' at [\(e.begin), \(e.end)) overlaps tensor '\(previous ?? "")' ending at \(cursor)")
            }
            if e.begin > cursor {
                throw fail("gap in the data: bytes [\(cursor), \(e.begin)) before tensor '\(e.name)' belong to no tensor")
            }
            cursor = e.end
            previous = e.name
        }
        if cursor > dataLength {
            throw fail("truncated: the tensors need \(cursor) data bytes but the file has \(dataLength) after its header")
        }
        if cursor < dataLength {
            throw fail("trailing garbage: \(dataLength - cursor) bytes after the last tensor")
        }
        return Header(entries: entries, metadata: metadata, dataStart: headerEnd)
    }

    /// How a float tensor of any rank becomes a matrix: rank 2 as is, a
    /// scalar 1x1, a vector one row, higher ranks the first axis by the rest.
    static func matrixShape(_ shape: [Int]) -> (Int, Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (1, shape[0])
        default: return (shape[0], shape.dropFirst().reduce(1, *))
        }
    }

    // MARK: Bytes

    /// Copies `values` into `out` at `offset` as little-endian bytes; returns the byte count.
    /// `bits` is only evaluated on big-endian hosts (the integer view of `values`).
    private static func storeLittleEndian<T: FixedWidthInteger, V>(_ bits: @autoclosure () -> [T], _ values: [V],
                                                                   into out: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        let count = values.count * MemoryLayout<V>.size
        guard count > 0 else { return 0 }
        #if _endian(little)
        values.withUnsafeBytes { out.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: count) }
        #else
        for (i, v) in bits().enumerated() {
            out.storeBytes(of: v.littleEndian, toByteOffset: offset + i * MemoryLayout<T>.size, as: T.self)
        }
        #endif
        return count
    }

    private static func copyLittleEndian<T: FixedWidthInteger>(_ source: UnsafeRawPointer?, count: Int) -> [T] {
        guard count > 0, let source else { return [] }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: source, byteCount: count * MemoryLayout<T>.size)
            #if _endian(big)
            for i in 0..<count { buffer[i] = T(littleEndian: buffer[i]) }
            #endif
            initialized = count
        }
    }

    private static func copyLittleEndian(_ source: UnsafeRawPointer?, count: Int) -> [Float] {
        #if _endian(little)
        guard count > 0, let source else { return [] }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: source, byteCount: count * 4)
            initialized = count
        }
        #else
        let bits: [UInt32] = copyLittleEndian(source, count: count)
        return bits.map(Float.init(bitPattern:))
        #endif
    }

    // MARK: JSON helpers

    /// A JSON number that is whole and non-negative (fractions and negatives are refused).
    private static func nonNegativeInt(_ any: Any) -> Int? {
        guard let n = any as? NSNumber else { return nil }
        let d = n.doubleValue
        guard d >= 0, d == d.rounded(), d < 9.0e15 else { return nil }
        return n.intValue
    }

    /// `s` as a JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = ""
        JSONText.writeString(s, to: &out)
        return out
    }

    static func shortDescription(_ error: Error) -> String {
        let ns = error as NSError
        if let detail = ns.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        return ns.localizedDescription
    }
}
