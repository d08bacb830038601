import Foundation
import Synchronization

/// Ctrl-C, SIGTERM and SIGUSR1 (Slurm's warning before a time limit) all ask the run to stop
/// after the current epoch; finished units are already in the journal, so a rerun resumes.
/// A second Ctrl-C stops at once.
enum StopRequest {
    private static let flag = Atomic<Int32>(0)

    /// The signal that asked to stop, or 0.
    static var signal: Int32 { flag.load(ordering: .relaxed) }
    static var requested: Bool { signal != 0 }

    static func install() {
        // A parent may hand us these signals blocked (the mask survives exec): unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGINT, SIGTERM, SIGUSR1] { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for sig in [SIGINT, SIGTERM, SIGUSR1] {
            Foundation.signal(sig) { s in
                if StopRequest.flag.load(ordering: .relaxed) != 0 && s == SIGINT {
                    _exit(1)
                }
                StopRequest.flag.store(s, ordering: .relaxed)
            }
        }
    }

    static var name: String {
        switch signal {
        case SIGINT: Say.sigint
        case SIGTERM: "SIGTERM"
        case SIGUSR1: Say.sigusr1
        default: Say.signal(signal)
        }
    }
}
