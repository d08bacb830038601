internal import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading files that may be gzip-compressed (RFC 1952), with zlib.
///
/// The file is read in 1 MiB chunks and inflated straight into the output array, which is
/// sized up front from the gzip trailer's ISIZE field (the uncompressed length modulo 2³²)
/// and grown if that hint is wrong. `inflateInit2` with windowBits 15 + 32 makes zlib
/// detect and check the gzip header itself. Concatenated gzip members (as `cat a.gz b.gz`
/// makes) are inflated one after another, as `gunzip` does.
enum Gzip {
    /// Deflate's largest expansion: one compressed byte inflates to at most 1032 bytes.
    static let maxRatio = 1032

    /// Whether `bytes` start with the gzip magic number 1f 8b.
    static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The content of `path`: inflated when it starts with the gzip magic number, else as is.
    static func readMaybeCompressed(_ path: String, hint: String? = nil) throws(DataError) -> [UInt8] {
        let head = try FileBytes.prefix(path, 2)
        return hasMagic(head) ? try inflateFile(path) : try FileBytes.read(path, hint: hint)
    }

    /// Inflates the gzip file at `path`, streaming it through zlib (`inflate`).
    static func inflateFile(_ path: String) throws(DataError) -> [UInt8] {
        let file = try FileBytes.open(path)
        defer { fclose(file) }

        // ISIZE hint for the output size; a wrong or absent hint only costs reallocations.
        // The hint is the file's claim (a truncated download ends in arbitrary bytes), so it
        // is capped by what the compressed size can inflate to (deflate's best ratio is
        // 1032:1) before anything is allocated for it.
        var capacity = 1 << 20
        if fseek(file, -4, SEEK_END) == 0 {
            let compressed = ftell(file) + 4
            var t: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
            if fread(&t, 1, 4, file) == 4 {
                let isize = Int(t.0) | Int(t.1) << 8 | Int(t.2) << 16 | Int(t.3) << 24
                capacity = max(capacity, min(isize + 1, maxRatio * max(compressed, 0)))
            }
        }
        guard fseek(file, 0, SEEK_SET) == 0 else { throw .unreadable(path: path, reason: FileBytes.errnoMessage()) }

        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptGzip(path: path, reason: EngineSay.inflateCannotStart)
        }
        defer { inflateEnd(&stream) }

        let chunkSize = 1 << 20
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }

        var output = [UInt8](repeating: 0, count: capacity)
        var produced = 0
        var atEOF = false
        var memberEnded = false

        while true {
            if stream.avail_in == 0 && !atEOF {
                let n = fread(chunk, 1, chunkSize, file)
                if n < chunkSize {
                    if ferror(file) != 0 { throw .unreadable(path: path, reason: FileBytes.errnoMessage()) }
                    atEOF = true
                }
                stream.next_in = chunk
                stream.avail_in = uInt(n)
            }
            if memberEnded {
                // After a member's end: another member, or trailing bytes (ignored, as gunzip
                // does for zero padding), or the end of the file.
                if stream.avail_in == 0 { if atEOF { break } else { continue } }
                if stream.next_in[0] != 0x1F { break }
                guard inflateReset(&stream) == Z_OK else {
                    throw .corruptGzip(path: path, reason: EngineSay.inflateCannotRestart)
                }
                memberEnded = false
            }
            if produced == output.count {
                // A small file may inflate to anything (a "zip bomb"): stop at half the
                // machine's memory with an error rather than be killed growing further.
                guard output.count <= FileBytes.physicalMemory / 4 else {
                    throw .corruptGzip(path: path, reason: EngineSay.inflatesTooLarge(output.count))
                }
                output.append(contentsOf: repeatElement(0, count: output.count))
            }
            let room = min(output.count - produced, Int(UInt32.max))
            let rc: Int32 = output.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress! + produced
                stream.avail_out = uInt(room)
                let rc = inflate(&stream, Z_NO_FLUSH)
                produced += room - Int(stream.avail_out)
                return rc
            }
            switch rc {
            case Z_OK:
                continue
            case Z_STREAM_END:
                memberEnded = true
            case Z_BUF_ERROR:
                // No progress possible: either input is needed or output room. Room is
                // added at the top of the loop; missing input at the end of the file means
                // the stream was cut short.
                if stream.avail_in == 0 && atEOF {
                    throw .corruptGzip(path: path, reason: EngineSay.gzipTruncated)
                }
            default:
                let message = stream.msg.map { String(cString: $0) } ?? EngineSay.zlibError(rc)
                throw .corruptGzip(path: path, reason: message)
            }
            if stream.avail_in == 0 && atEOF && !memberEnded && rc == Z_OK && stream.avail_out > 0 {
                throw .corruptGzip(path: path, reason: EngineSay.gzipTruncated)
            }
        }
        output.removeLast(output.count - produced)
        return output
    }
}
