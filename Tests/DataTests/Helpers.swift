import CZlib
import Foundation
import Testing
@testable import Engine

/// A fresh temporary folder for one test, removed when the value is released.
final class TempFolder {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("datatests-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` in the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = path + "/" + name
        precondition(FileManager.default.createFile(atPath: p, contents: Data(bytes)))
        return p
    }

    @discardableResult
    func write(_ name: String, text: String) -> String { write(name, Array(text.utf8)) }
}

/// `bytes` gzip-compressed with zlib's deflate (windowBits 15 + 16 asks for a gzip wrapper).
func gzip(_ bytes: [UInt8]) -> [UInt8] {
    var s = z_stream()
    let rc = deflateInit2_(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    precondition(rc == Z_OK)
    defer { deflateEnd(&s) }
    var input = bytes
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&s, uLong(bytes.count))) + 64)
    var produced = 0
    input.withUnsafeMutableBufferPointer { inp in
        out.withUnsafeMutableBufferPointer { o in
            s.next_in = inp.baseAddress
            s.avail_in = uInt(inp.count)
            s.next_out = o.baseAddress
            s.avail_out = uInt(o.count)
            let r = deflate(&s, Z_FINISH)
            precondition(r == Z_STREAM_END)
            produced = o.count - Int(s.avail_out)
        }
    }
    return Array(out[0..<produced])
}

/// An IDX file of unsigned bytes with `dims` and `values` (the magic byte type may be overridden).
func idx(_ dims: [Int], _ values: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
    var b: [UInt8] = [0, 0, type, UInt8(dims.count)]
    for d in dims { b += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
    return b + values
}

/// A `.npy` file: `descr`, `shape`, raw little-endian data, version 1 or 2.
func npy(descr: String, shape: [Int], data: [UInt8], fortran: Bool = false, version: UInt8 = 1, header: String? = nil) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var dict = header ?? "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
    let prefix = version == 1 ? 10 : 12
    while (prefix + dict.utf8.count + 1) % 64 != 0 { dict += " " }
    dict += "\n"
    let len = dict.utf8.count
    var b: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    b += version == 1 ? [UInt8(len & 255), UInt8(len >> 8)] : [UInt8(len & 255), UInt8(len >> 8 & 255), UInt8(len >> 16 & 255), UInt8(len >> 24)]
    return b + Array(dict.utf8) + data
}

/// Little-endian bytes of the values.
func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
}
func le(_ values: [Float]) -> [UInt8] { le(values.map(\.bitPattern)) }
func le(_ values: [Double]) -> [UInt8] { le(values.map(\.bitPattern)) }

/// Runs `body` and returns the `DataError` it throws (an issue is recorded when it does not).
func dataError<T>(_ body: () throws(DataError) -> T, sourceLocation: SourceLocation = #_sourceLocation) -> DataError? {
    do {
        _ = try body()
        Issue.record("expected a DataError, none was thrown", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
