#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file helpers over the C library, so the data layer needs no Foundation. Every
/// failure becomes a `DataError` naming the path.
public enum FileBytes {
    /// Whether `path` names an existing regular file (following links).
    static func isFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether `path` names an existing folder (following links).
    static func isFolder(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The machine's physical memory in bytes (`sysconf`), or 8 GiB when it cannot be told.
    public static let physicalMemory: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 8 << 30 }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
        return overflow ? Int.max : bytes
    }()

    /// The C library's message for the current `errno`.
    static func errnoMessage() -> String {
        guard let p = strerror(errno) else { return "error \(errno)" }
        return String(cString: p)
    }

    /// Opens `path` for reading, or throws `missingFile` / `unreadable`.
    static func open(_ path: String, hint: String? = nil) throws(DataError) -> UnsafeMutablePointer<FILE> {
        if isFolder(path) { throw .unreadable(path: path, reason: EngineSay.isFolder) }
        guard let f = fopen(path, "rb") else {
            if errno == ENOENT { throw .missingFile(path: path, hint: hint) }
            throw .unreadable(path: path, reason: errnoMessage())
        }
        return f
    }

    /// The whole content of `path`.
    static func read(_ path: String, hint: String? = nil) throws(DataError) -> [UInt8] {
        let f = try open(path, hint: hint)
        defer { fclose(f) }
        guard fseek(f, 0, SEEK_END) == 0 else { throw .unreadable(path: path, reason: errnoMessage()) }
        let size = ftell(f)
        guard size >= 0, fseek(f, 0, SEEK_SET) == 0 else { throw .unreadable(path: path, reason: errnoMessage()) }
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = size == 0 ? 0 : fread(buffer.baseAddress!, 1, size, f)
        }
        guard bytes.count == size, ferror(f) == 0 else {
            throw .unreadable(path: path, reason: ferror(f) != 0 ? errnoMessage() : EngineSay.shortRead(bytes.count, of: size))
        }
        return bytes
    }

    /// The first `count` bytes of `path` (fewer if the file is shorter).
    static func prefix(_ path: String, _ count: Int) throws(DataError) -> [UInt8] {
        let f = try open(path)
        defer { fclose(f) }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBufferPointer { fread($0.baseAddress!, 1, count, f) }
        return Array(bytes[0..<n])
    }
}
