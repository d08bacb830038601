import Foundation

/// Small file helpers with the durability runner promises: a file is either the old one or
/// the whole new one, never half-written, and it is on disk before the call returns.
enum AtomicFile {
    struct WriteError: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { Say.cannotWrite(path, reason) }
    }

    /// Removes the temporary files (`.NAME.tmp-PID`) a killed writer left in `folders`: the
    /// caller holds the folder's lock, so no live writer owns them.
    static func removeStaleTemporaries(in folders: [String]) {
        let fm = FileManager.default
        for folder in folders {
            for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
                try? fm.removeItem(atPath: folder + "/" + name)
            }
        }
    }

    /// Writes `contents` to a temporary file beside `path`, fsyncs it, renames it over `path`
    /// and fsyncs the folder, so a crash leaves either the old file or the new one.
    static func write(_ contents: String, to path: String) throws {
        try write(Array(contents.utf8), to: path)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: errnoText()) }
        var ok = bytes.withUnsafeBytes { writeAll(fd, $0) }
        ok = ok && fsync(fd) == 0
        let err = errnoText()
        close(fd)
        guard ok else {
            unlink(tmp)
            throw WriteError(path: path, reason: err)
        }
        guard rename(tmp, path) == 0 else {
            let e = errnoText()
            unlink(tmp)
            throw WriteError(path: path, reason: e)
        }
        syncDirectory(dir)
    }

    /// Writes every byte, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < raw.count {
            let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// Makes a rename or a new file in `dir` durable.
    static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Creates `path` and its parents if missing.
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: path, reason: Say.cannotCreateFolder)
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
