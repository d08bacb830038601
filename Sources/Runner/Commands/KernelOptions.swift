import ArgumentParser

/// `--kernels` and `--mix-kernels`: which kernels compute, and whether units computed by
/// different ones may join one leaderboard. Shared by `run`, `merge` and `slurm`.
struct KernelOptions: ParsableArguments {
    @Option(help: KernelMode.help)
    var kernels: KernelMode?

    @Flag(help: "Accept journals computed with other kernels (another CPU generation in native mode, another library version) instead of refusing them; the leaderboard then gains a `kernels` column.")
    var mixKernels = false

    /// `--kernels` if given, else the default (portable on x86-64).
    var mode: KernelMode { kernels ?? .standard }

    /// The same options as arguments, for generated scripts.
    var arguments: [String] {
        (kernels.map { ["--kernels", $0.rawValue] } ?? []) + (mixKernels ? ["--mix-kernels"] : [])
    }
}
