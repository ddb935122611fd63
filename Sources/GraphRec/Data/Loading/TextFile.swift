import Foundation

/// A data file read whole and walked line by line at the byte level.
///
/// MovieLens files are small enough to hold in memory (ml-latest's 33M
/// ratings are under 1 GB) and simple enough that splitting bytes beats
/// decoding to `String` first: only titles and names are ever decoded, and
/// then with the file's own encoding (ml-100k and ml-1m are Latin-1).
/// Every error names the file and the 1-based line number. A UTF-8
/// byte-order mark at the start (spreadsheets write one) is skipped; a
/// UTF-16 one is an error, since the bytes are then not text recsh reads.
struct TextFile {
    enum Encoding { case latin1, utf8 }

    /// The path as given, used in every error message.
    let path: String
    /// Every byte of the file (the data set checksum hashes these).
    let bytes: [UInt8]
    let encoding: Encoding
    /// Where the text starts: 3 after a UTF-8 byte-order mark, else 0.
    let start: Int

    init(path: String, encoding: Encoding) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw RecError("\(path): is a directory, not a file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw RecError(exists ? "\(path): cannot read the file" : "\(path): file not found")
        }
        try self.init(path: path, bytes: [UInt8](data), encoding: encoding)
    }

    init(path: String, bytes: [UInt8], encoding: Encoding) throws {
        self.path = path
        self.bytes = bytes
        self.encoding = encoding
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            throw RecError("\(path) line 1: the file starts with a UTF-16 byte-order mark (\(bytes[0] == 0xFF ? "FF FE" : "FE FF")); "
                           + "save it as UTF-8 or plain text")
        }
        start = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// True when the file holds no non-blank line.
    var isEmpty: Bool {
        var empty = true
        struct Stop: Error {}
        do { try forEachRawLine { _, _ in empty = false; throw Stop() } } catch {}
        return empty
    }

    /// An error about one line of this file.
    func error(line: Int, _ message: String) -> RecError {
        RecError("\(path) line \(line): \(message)")
    }

    /// A line or a field: bytes of the file, valid only inside the callback.
    typealias Field = Slice<UnsafeBufferPointer<UInt8>>

    /// Calls `body` with each non-blank line's number and its fields split at
    /// `separator` (one or more bytes). A trailing `\r` is dropped. The
    /// fields point into the file's bytes and live only during the call.
    func forEachLine(separator: [UInt8], _ body: (_ line: Int, _ fields: [Field]) throws -> Void) throws {
        var fields: [Field] = []
        fields.reserveCapacity(32)
        try forEachRawLine { number, line in
            fields.removeAll(keepingCapacity: true)
            TextFile.split(line, separator: separator, into: &fields)
            try body(number, fields)
        }
    }

    /// Calls `body` with each non-blank line (without its line ending).
    func forEachRawLine(_ body: (_ line: Int, _ text: Field) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { buffer in
            var start = self.start
            var number = 0
            let n = buffer.count
            while start < n {
                number &+= 1
                var end = start
                while end < n && buffer[end] != 0x0A { end &+= 1 }
                var stop = end
                if stop > start && buffer[stop &- 1] == 0x0D { stop &-= 1 }
                let line = buffer[start..<stop]
                if !TextFile.isBlank(line) { try body(number, line) }
                start = end &+ 1
            }
        }
    }

    static func isBlank(_ line: Field) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    static func split(_ line: Field, separator: [UInt8], into fields: inout [Field]) {
        let s0 = separator[0], width = separator.count
        var fieldStart = line.startIndex
        var i = line.startIndex
        let end = line.endIndex
        while i < end {
            if line[i] == s0 && i &+ width <= end
                && (width == 1 || line[i..<(i &+ width)].elementsEqual(separator)) {
                fields.append(line[fieldStart..<i])
                i &+= width
                fieldStart = i
            } else {
                i &+= 1
            }
        }
        fields.append(line[fieldStart..<end])
    }

    /// Decodes a field with this file's encoding. Latin-1 maps each byte to
    /// the code point of the same value; invalid UTF-8 becomes U+FFFD.
    func text<C: Collection<UInt8>>(_ field: C) -> String {
        switch encoding {
        case .utf8:
            return String(decoding: field, as: UTF8.self)
        case .latin1:
            if field.allSatisfy({ $0 < 0x80 }) { return String(decoding: field, as: UTF8.self) }
            var scalars = String.UnicodeScalarView()
            for b in field { scalars.append(Unicode.Scalar(b)) }
            return String(scalars)
        }
    }

    /// A field as shown in an error message, invisible characters spelled out.
    func quoted<C: Collection<UInt8>>(_ field: C) -> String { "'\(TextFile.visible(text(field)))'" }

    /// `s` with control, format and other invisible characters written as
    /// `\u{FEFF}`, so an error shows the culprit a terminal would hide.
    static func visible(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default:
                if scalar == "\u{FFFD}" { out += "\\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}

/// Applies the bad-line policy while a loader walks its files: under
/// `strict` the first bad line's error ends the load; under `skip` the line
/// is left out and counted.
final class LineChecker {
    let policy: BadLinePolicy
    private(set) var report = LoadReport()

    init(policy: BadLinePolicy) { self.policy = policy }

    /// Runs one line's parsing; a `RecError` from it is thrown (strict) or
    /// recorded against `file` and `line` (skip). True when the line was kept.
    @discardableResult
    func check(_ file: TextFile, line: Int, _ body: () throws -> Void) throws -> Bool {
        do {
            try body()
            return true
        } catch let error as LineFault {
            guard policy == .skip else { throw file.error(line: line, error.message) }
            report.skippedLines += 1
            if report.skipped.count < LoadReport.examplesKept {
                report.skipped.append(.init(file: file.path, line: line, reason: error.message))
            }
            return false
        }
    }

    func noteDuplicates(_ count: Int, first: String?) {
        report.duplicateRatings += count
        if report.firstDuplicate == nil { report.firstDuplicate = first }
    }
}

/// What is wrong with one line; `LineChecker` adds the file and line number.
struct LineFault: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// What `load` does with a malformed line.
public enum BadLinePolicy: String, Sendable, CaseIterable {
    /// The first bad line is an error naming file, line and fault; nothing is loaded.
    case strict
    /// Bad lines are left out, counted, and the first few named in the load result.
    case skip
}

/// Number parsing straight from bytes, without building strings.
enum FieldParser {
    /// A non-negative or negative whole number, or nil if the field is anything else.
    static func int<C: BidirectionalCollection<UInt8>>(_ field: C) -> Int? {
        guard let (negative, f) = signed(field, longest: 18) else { return nil }
        var value = 0
        for c in f {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + Int(c - 0x30)
        }
        return negative ? -value : value
    }

    /// A decimal number such as `4`, `3.5` or `0.50`; nil for anything else
    /// (exponents, `nan`, empty fields).
    static func decimal<C: BidirectionalCollection<UInt8>>(_ field: C) -> Double? {
        guard let (negative, f) = signed(field, longest: 24) else { return nil }
        var value = 0.0, scale = 1.0, seenPoint = false, digits = 0
        for c in f {
            if c == 0x2E {
                if seenPoint { return nil }
                seenPoint = true
            } else if c >= 0x30 && c <= 0x39 {
                digits += 1
                if seenPoint { scale /= 10; value += Double(c - 0x30) * scale }
                else { value = value * 10 + Double(c - 0x30) }
            } else {
                return nil
            }
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }

    /// The field without surrounding spaces, split into its sign and the
    /// rest; nil when the rest is empty or longer than `longest` bytes.
    private static func signed<C: BidirectionalCollection<UInt8>>(_ field: C, longest: Int)
        -> (negative: Bool, rest: C.SubSequence)? {
        var f = field[...]
        while let c = f.first, c == 0x20 { f = f.dropFirst() }
        while let c = f.last, c == 0x20 { f = f.dropLast() }
        var negative = false
        if let c = f.first, c == 0x2D || c == 0x2B { negative = c == 0x2D; f = f.dropFirst() }
        guard !f.isEmpty, f.count <= longest else { return nil }
        return (negative, f)
    }
}

extension RecError {
    /// `s` with invisible characters spelled out (`\\u{FEFF}`), for messages that quote input.
    public static func visible(_ s: String) -> String { TextFile.visible(s) }
}
