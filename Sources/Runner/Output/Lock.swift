import Foundation

/// A lock on an output folder, so two `runner`s never interleave their results. `flock` is
/// released by the kernel when the process dies, so a crash never leaves a stale lock.
///
/// Every command that writes a folder takes `.lock` in it: exclusively when it owns the whole
/// folder (an unsharded run, `--fresh` of one, `merge`), shared when it is one shard of many
/// (the shards may run together; each also takes its own `.lock-shard-I-of-N` exclusively).
/// So a shard and an unsharded run, a merge or a whole `--fresh` exclude each other, and a
/// live shard's journal is never removed under it.
final class FolderLock {
    struct Busy: Error, CustomStringConvertible {
        let folder: String
        let holder: String
        var description: String {
            Say.folderInUse(folder, holder: holder)
        }
    }

    enum Mode { case exclusive, shared }

    private let fd: Int32
    private let mode: Mode

    /// Takes the lock on `folder/name`, or throws `Busy` at once if another process holds it
    /// in a way that excludes `mode`. An exclusive holder writes its pid and host into the file.
    init(folder: String, name: String = ".lock", mode: Mode = .exclusive) throws {
        let path = folder + "/" + name
        self.mode = mode
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFile.WriteError(path: path, reason: AtomicFile.errnoText()) }
        if flock(fd, (mode == .exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            var buf = [UInt8](repeating: 0, count: 200)
            let n = pread(fd, &buf, buf.count, 0)
            let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            close(fd)
            throw Busy(folder: folder, holder: holder)
        }
        guard mode == .exclusive else { return }
        ftruncate(fd, 0)
        let text = Say.lockHolder(pid: getpid(), host: ProcessInfo.processInfo.hostName) + "\n"
        _ = text.utf8CString.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count - 1, 0) }
    }

    deinit {
        // The holder's line goes with the lock, so a later refusal never names a finished process.
        if mode == .exclusive { ftruncate(fd, 0) }
        flock(fd, LOCK_UN)
        close(fd)
    }
}
