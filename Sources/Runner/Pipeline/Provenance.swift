import ArgumentParser
import Engine
import Foundation

/// Which kernels a process computes with (`--kernels`).
///
/// - `portable`: the same bits on every x86-64 machine with AVX2 and FMA. OpenBLAS runs its
///   Haswell kernel (`OPENBLAS_CORETYPE=Haswell`: the library reads it when it loads, so runner
///   sets it and starts itself again before any work) and oneDNN is capped at AVX2
///   (`dnnl_set_max_cpu_isa`). An older CPU is refused.
/// - `native`: whatever the libraries pick for this CPU (and `OPENBLAS_CORETYPE` or
///   `DNNL_MAX_CPU_ISA`, if set): faster on AVX-512 machines, the same bits only on machines
///   that pick the same kernels.
enum KernelMode: String, ExpressibleByArgument, CaseIterable, Codable, Sendable {
    case portable, native

    /// `portable` on x86-64, where it is defined; `native` elsewhere.
    static var standard: KernelMode { Kernels.architecture == "x86_64" ? .portable : .native }

    static let help: ArgumentHelp = "portable: the same numbers on every x86-64 CPU with AVX2+FMA (OpenBLAS Haswell, oneDNN AVX2; the default on x86-64); native: the kernels this CPU runs fastest, whose last bits differ between CPU generations."
}

/// The kernels this process computes with, as journals record them.
struct Provenance: Equatable, Sendable {
    var mode: KernelMode
    var architecture: String
    /// OpenBLAS's kernel, e.g. "Haswell".
    var blasCore: String
    /// oneDNN's instruction set, e.g. "avx2".
    var dnnlISA: String
    /// The libraries' versions, e.g. "0.3.21" and "2.6.3".
    var blasVersion: String
    var dnnlVersion: String

    /// What decides the bits (the mode aside: a native run that picks Haswell and AVX2
    /// computes what a portable one does).
    var kernels: String { "\(architecture), OpenBLAS \(blasVersion) \(blasCore), oneDNN \(dnnlVersion) \(dnnlISA)" }

    /// Set once, by `enter`, before any work; nil in commands that compute nothing.
    nonisolated(unsafe) private(set) static var current: Provenance?

    /// Makes this process compute with `mode`'s kernels and returns them. For `portable` it
    /// may start the process again (same pid, arguments and standard streams) with
    /// `OPENBLAS_CORETYPE=Haswell`: call it first thing, before any output or thread.
    @discardableResult
    static func enter(_ mode: KernelMode) throws(RunnerError) -> Provenance {
        if mode == .portable {
            let arch = Kernels.architecture
            guard arch == "x86_64" else {
                throw RunnerError.badInput(Say.portableNeedsX86(arch))
            }
            let flags = Kernels.cpuFlags
            let lacking = ["avx2", "fma"].filter { !flags.contains($0) }
            guard lacking.isEmpty else {
                throw RunnerError.failure(Say.portableNeedsFlags(lacking))
            }
            if Kernels.blasCore.lowercased() != "haswell" {
                if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]?.lowercased() == "haswell" {
                    throw RunnerError.failure(Say.openBLASNotPinned(Kernels.blasCore))
                }
                // OpenBLAS chose its kernel when it loaded: only a fresh process can choose again.
                setenv("OPENBLAS_CORETYPE", "Haswell", 1)
                execv("/proc/self/exe", CommandLine.unsafeArgv)
                throw RunnerError.failure(Say.cannotRestart(String(cString: strerror(errno))))
            }
            guard Kernels.capDNNLAtAVX2() else {
                throw RunnerError.failure(Say.oneDNNNotCapped)
            }
        }
        let p = Provenance(mode: mode, architecture: Kernels.architecture, blasCore: Kernels.blasCore, dnnlISA: Kernels.dnnlISA,
                           blasVersion: Kernels.blasVersion, dnnlVersion: Kernels.dnnlVersion)
        if mode == .portable, p.dnnlISA != "avx2" {
            throw RunnerError.failure(Say.oneDNNDispatch(p.dnnlISA))
        }
        current = p
        return p
    }
}

extension JournalHeader {
    /// This header with the kernels of `p` (nil leaves them unrecorded).
    func recording(_ p: Provenance?) -> JournalHeader {
        var h = self
        h.kernels = p?.mode.rawValue
        h.architecture = p?.architecture
        h.openblas = p.map { "\($0.blasVersion) \($0.blasCore)" }
        h.onednn = p.map { "\($0.dnnlVersion) \($0.dnnlISA)" }
        return h
    }

    /// The kernels the journal's units were computed with, as `Provenance.kernels` says it.
    var kernelText: String {
        guard let architecture, let openblas, let onednn else { return Say.unrecordedKernels }
        return "\(architecture), OpenBLAS \(openblas), oneDNN \(onednn)"
    }

    /// The kernels and the mode, for messages: "portable kernels: x86_64, OpenBLAS Haswell, …".
    var kernelDescription: String {
        (kernels.map { "\($0) kernels: " } ?? "") + kernelText
    }
}
