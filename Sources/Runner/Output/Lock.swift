import Foundation

/// An exclusive lock on an output folder, so a second `runner` on the same folder is refused
/// instead of interleaving its results. `flock` is released by the kernel when the process
/// dies, so a crash never leaves a stale lock.
final class FolderLock {
    struct Busy: Error, CustomStringConvertible {
        let folder: String
        let holder: String
        var description: String {
            "\(folder) is in use by another runner\(holder.isEmpty ? "" : " (\(holder))"); wait for it to finish or choose another --out"
        }
    }

    private let fd: Int32

    /// Takes the lock on `folder/name`, or throws `Busy` at once if another process holds it.
    init(folder: String, name: String = ".lock") throws {
        let path = folder + "/" + name
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFile.WriteError(path: path, reason: AtomicFile.errnoText()) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buf = [UInt8](repeating: 0, count: 200)
            let n = pread(fd, &buf, buf.count, 0)
            let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            close(fd)
            throw Busy(folder: folder, holder: holder)
        }
        ftruncate(fd, 0)
        let text = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)\n"
        _ = text.utf8CString.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count - 1, 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
