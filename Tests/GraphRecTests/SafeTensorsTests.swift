import Foundation
import Testing
import Tensors
@testable import GraphRec

@Suite struct SafeTensorsTests {
    /// A file from a header string and data bytes, with the length prefix computed.
    static func file(header: String, data: [UInt8] = []) -> Data {
        var out = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        out.append(contentsOf: data)
        return out
    }

    static func error(_ data: Data) -> String? {
        recErrorMessage { _ = try SafeTensors.decode(data, file: "t.safetensors") }
    }

    // MARK: Round trips

    @Test func roundTripsEveryDtypeAndMetadata() throws {
        let tensors: [(String, TensorValue)] = [
            ("w", .float32(sampleMatrix(7, 5))),
            ("edges", .edges([Edge(0, 3), Edge(942, 1681), Edge(5, 0)])),
            ("ids", .int64([-1, 0, Int64.max, Int64.min], shape: [2, 2])),
            ("empty", .float32(Matrix(rows: 0, cols: 64))),
            ("scalarish", .int32([42], shape: [])),
            ("quoted \"name\"\n", .float32(Matrix([[Float.nan, -.infinity, 0, -0.0]]))),
        ]
        let data = try SafeTensors.encode(tensors, metadata: ["format": "pt", "note": "ünïcode"])
        let back = try SafeTensors.decode(data, file: "t.safetensors")
        #expect(back.names == tensors.map(\.0))
        #expect(back.metadata == ["format": "pt", "note": "ünïcode"])
        for (name, value) in tensors where name != "quoted \"name\"\n" { #expect(back[name] == value) }
        // NaN != NaN, so compare the bits of the float tensor that holds one.
        let bits = back["quoted \"name\"\n"]?.matrix?.storage.map(\.bitPattern)
        #expect(bits == [Float.nan, -.infinity, 0, -0.0].map(\.bitPattern))
        #expect(back["edges"]?.edges == [Edge(0, 3), Edge(942, 1681), Edge(5, 0)])
        #expect(back["ids"]?.shape == [2, 2])
        #expect(back["scalarish"]?.shape == [])
        #expect(back["empty"]?.shape == [0, 64])
    }

    @Test func writesThroughTheFileSystem() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let m = sampleMatrix(3, 2)
        let bytes = try SafeTensors.write([("m", .float32(m))], to: dir.file("x.safetensors"))
        #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: dir.file("x.safetensors")))).count)
        #expect(try SafeTensors.read(path: dir.file("x.safetensors"))["m"] == .float32(m))
        let missing = recErrorMessage { _ = try SafeTensors.read(path: dir.file("nope.safetensors")) }
        #expect(missing?.contains("nope.safetensors: file not found") == true)
    }

    @Test func emptyFileHasAPaddedEmptyHeader() throws {
        let data = try SafeTensors.encode([])
        #expect(Array(data) == [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
        #expect(try SafeTensors.decode(data, file: "e").names.isEmpty)
    }

    // MARK: Exact bytes

    @Test func writerProducesTheReferenceLayout() throws {
        let data = try SafeTensors.encode([("x", .float32(Matrix([[1.5]]))), ("i", .int32([-2, 7], shape: [2]))])
        let header = #"{"x":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"i":{"dtype":"I32","shape":[2],"data_offsets":[4,12]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        var expected: [UInt8] = []
        withUnsafeBytes(of: UInt64(padded.utf8.count).littleEndian) { expected += $0 }
        expected += Array(padded.utf8)
        expected += [0x00, 0x00, 0xC0, 0x3F]              // 1.5 as f32 LE
        expected += [0xFE, 0xFF, 0xFF, 0xFF, 7, 0, 0, 0]  // -2, 7 as i32 LE
        #expect(Array(data) == expected)
        #expect((8 + padded.utf8.count) % 8 == 0)
    }

    @Test func readsAHandWrittenFile() throws {
        // Offsets deliberately not in header order, metadata first, extra whitespace.
        let header = #"{ "__metadata__": {"format": "pt"}, "b": {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]},"#
            + #" "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]} }"#
        let bytes: [UInt8] = [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0,  // 1.0, -2.0
                              0x05, 0, 0, 0, 0, 0, 0, 0x01]                       // 2^56 + 5
        let back = try SafeTensors.decode(Self.file(header: header, data: bytes), file: "hand.safetensors")
        #expect(back.names == ["a", "b"])
        #expect(back.metadata == ["format": "pt"])
        #expect(back["a"] == .float32(Matrix([[1, -2]])))
        #expect(back["b"] == .int64([(1 << 56) + 5], shape: [1]))
    }

    @Test func higherRankFloatsBecomeMatrices() throws {
        let header = #"{"t":{"dtype":"F32","shape":[2,1,3],"data_offsets":[0,24]},"s":{"dtype":"F32","shape":[],"data_offsets":[24,28]}}"#
        let back = try SafeTensors.decode(Self.file(header: header, data: Array(repeating: 0, count: 28)), file: "r")
        #expect(back["t"]?.shape == [2, 3])
        #expect(back["s"]?.shape == [1, 1])
    }

    // MARK: Validation

    @Test func refusesBadHeaders() {
        let cases: [(Data, String)] = [
            (Data([1, 2, 3]), "truncated: 3 bytes"),
            (Data([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]), "absurd"),
            (Self.file(header: "{}").dropLast(1), "runs beyond the end of the file"),
            (Self.file(header: "{\"a\":"), "not valid JSON"),
            (Self.file(header: "[1, 2]"), "not a JSON object"),
            (Self.file(header: #"{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}"#, data: [0, 0]), "unsupported dtype 'F16'"),
            (Self.file(header: #"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "missing dtype"),
            (Self.file(header: #"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "missing shape"),
            (Self.file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "non-negative integers"),
            (Self.file(header: #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "non-negative integers"),
            (Self.file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, data: [0, 0, 0, 0]), "data_offsets must be"),
            (Self.file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0]), "run backwards"),
            (Self.file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "needs 8 bytes but data_offsets [0, 4] span 4"),
            (Self.file(header: #"{"a":{"dtype":"F32","shape":[4000000000000000, 4000],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "too large"),
            (Self.file(header: #"{"a":"x"}"#), "entry is not a JSON object"),
            (Self.file(header: #"{"__metadata__":{"k":1}}"#), "__metadata__ value for 'k' is not a string"),
            (Self.file(header: #"{"__metadata__":[]}"#), "__metadata__ is not a JSON object"),
        ]
        for (data, fragment) in cases {
            let message = Self.error(data)
            #expect(message?.hasPrefix("t.safetensors: ") == true, "\(fragment): \(message ?? "no error")")
            #expect(message?.contains(fragment) == true, "expected '\(fragment)', got \(message ?? "no error")")
        }
    }

    @Test func refusesOffsetsThatDoNotTileTheData() {
        let cases: [(String, [UInt8], String)] = [
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#,
             Array(repeating: 0, count: 6), "overlaps tensor 'a'"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
             Array(repeating: 0, count: 4), "overlaps"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, Array(repeating: 0, count: 8), "gap in the data: bytes [0, 4)"),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, Array(repeating: 0, count: 5), "truncated: the tensors need 8 data bytes but the file has 5"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, Array(repeating: 0, count: 7), "trailing garbage: 3 bytes"),
            (#"{"a":{"dtype":"I64","shape":[1],"data_offsets":[1000000,1000008]}}"#, Array(repeating: 0, count: 8), "gap in the data"),
        ]
        for (header, data, fragment) in cases {
            let message = Self.error(Self.file(header: header, data: data))
            #expect(message?.contains(fragment) == true, "expected '\(fragment)', got \(message ?? "no error")")
        }
    }

    @Test func writerRefusesReservedAndDuplicateNames() {
        let dup = recErrorMessage { _ = try SafeTensors.encode([("a", .int32([], shape: [0])), ("a", .int32([], shape: [0]))]) }
        #expect(dup?.contains("duplicate tensor name 'a'") == true)
        let reserved = recErrorMessage { _ = try SafeTensors.encode([("__metadata__", .int32([], shape: [0]))]) }
        #expect(reserved?.contains("reserved") == true)
    }

    @Test func everyTruncationIsAnError() throws {
        let data = try SafeTensors.encode([("w", .float32(sampleMatrix(3, 3))), ("e", .edges([Edge(1, 2)]))])
        for length in 0..<data.count {
            #expect(Self.error(data.prefix(length)) != nil, "truncated at \(length) of \(data.count) was accepted")
        }
    }

    // MARK: Interoperability

    @Test func numpyAloneReadsTheFile() throws {
        guard let python = Self.pythonWithNumpy() else {
            print("SKIPPED numpyAloneReadsTheFile: python3 with numpy is not available on this machine")
            return
        }
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let w = sampleMatrix(4, 3)
        let path = dir.file("t.safetensors")
        try SafeTensors.write([("w", .float32(w)), ("edges", .edges([Edge(0, 5), Edge(942, 1681)])),
                               ("big", .int64([Int64(1) << 40, -3], shape: [2]))],
                              metadata: ["format": "pt"], to: path)
        let script = """
        import json, struct, sys
        import numpy as np
        raw = open(sys.argv[1], 'rb').read()
        n = struct.unpack('<Q', raw[:8])[0]
        header = json.loads(raw[8:8 + n])
        data = raw[8 + n:]
        out = {'metadata': header.pop('__metadata__', {}), 'tensors': {}}
        kinds = {'F32': '<f4', 'I32': '<i4', 'I64': '<i8'}
        for name, t in header.items():
            b, e = t['data_offsets']
            a = np.frombuffer(data[b:e], dtype=kinds[t['dtype']]).reshape(t['shape'])
            out['tensors'][name] = {'shape': list(a.shape), 'values': a.flatten().tolist()}
        print(json.dumps(out))
        """
        let output = try Self.run(python, ["-c", script, path])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let tensors = try #require(json["tensors"] as? [String: [String: Any]])
        #expect(json["metadata"] as? [String: String] == ["format": "pt"])
        #expect(tensors["w"]?["shape"] as? [Int] == [4, 3])
        let values = try #require(tensors["w"]?["values"] as? [Double])
        #expect(values.map(Float.init) == w.storage)
        #expect(tensors["edges"]?["shape"] as? [Int] == [2, 2])
        #expect(tensors["edges"]?["values"] as? [Int] == [0, 5, 942, 1681])
        #expect(tensors["big"]?["values"] as? [Int] == [1 << 40, -3])
    }

    /// The first python3 on PATH that can import numpy.
    static func pythonWithNumpy() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/python3"
            guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
            if (try? run(candidate, ["-c", "import numpy"])) != nil { return candidate }
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw RecError("\(executable) exited with \(process.terminationStatus)") }
        return String(decoding: output, as: UTF8.self)
    }
}
