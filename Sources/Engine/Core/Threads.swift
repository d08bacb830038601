import CBLAS
import CDNNL
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How the engine uses cores.
///
/// A training step splits its batch into fixed *chunks* (`chunks(of:)`: about 16 samples each,
/// a rule of the batch size alone) and runs the heavy per-sample passes (convolutions, their
/// dense products, activations, pooling) chunk by chunk, on as many threads as the calling thread's budget
/// (`set`). Reductions over the batch are split another fixed way: a convolution kernel's
/// gradient per chunk, summed afterwards in chunk order; a dense kernel's gradient by fixed
/// slices of its rows, each over the whole batch. So the numbers depend on the batch size, never on
/// the number of threads: a unit trained on one core (parallel trials) and the same unit
/// trained on two give the same bits.
///
/// oneDNN always runs single-threaded inside a chunk (OpenMP's team of one: no spin-waiting
/// threads, which made the 2-thread engine collapse when another process was busy); the
/// threads are Dispatch's, which block instead of spinning and take chunks dynamically, so a
/// core shared with another process simply takes fewer chunks. OpenBLAS runs single-threaded
/// too (its idle threads yield-spin), the dense layers' products chunked like the rest.
public enum Threads {
    /// Gives the calling thread a budget of `n` threads for the engine's parallel passes, and
    /// keeps OpenBLAS and oneDNN single-threaded (the chunks are the parallelism). Threads never
    /// set have a budget of 1.
    public static func set(_ n: Int) {
        let n = max(1, n)
        openblas_set_num_threads(1)
        omp_set_num_threads(1)
        budget = n
    }

    /// The calling thread's budget (1 unless `set`).
    public static var budget: Int {
        get { Int(bitPattern: pthread_getspecific(key.value)) == 0 ? 1 : Int(bitPattern: pthread_getspecific(key.value)) }
        set { pthread_setspecific(key.value, UnsafeRawPointer(bitPattern: max(1, newValue))) }
    }

    /// The fixed split of a batch of `n` samples into chunks for the per-sample passes:
    /// ⌊n/16⌋ chunks (at least 1, at most 8) of sizes differing by at most one, larger first.
    /// Depends on `n` alone.
    public static func chunks(of n: Int) -> [Range<Int>] { split(n, minimum: 16) }

    /// `0..<n` split into ⌊n/minimum⌋ ranges (at least 1, at most 8) of sizes differing by at
    /// most one, larger first.
    public static func split(_ n: Int, minimum: Int) -> [Range<Int>] {
        let count = max(1, min(8, n / max(1, minimum)))
        let base = n / count, extra = n % count
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(count)
        var start = 0
        for i in 0..<count {
            let size = base + (i < extra ? 1 : 0)
            ranges.append(start..<(start + size))
            start += size
        }
        return ranges
    }

    /// Runs `body(0)`, …, `body(count − 1)`, on up to `budget` threads (the caller's among them)
    /// when the budget allows, else in order on the calling thread. Bodies must touch disjoint
    /// memory; each runs with a budget of 1 and oneDNN single-threaded.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let saved = budget, threads = min(saved, count)
        if threads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        budget = 1
        defer { budget = saved }
        withoutActuallyEscaping(body) { body in
            let work = Work(body: body)
            let next = Atomic<Int>(0)
            // `threads` workers take the next chunk until none is left: a worker on a core
            // that another process shares takes fewer.
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                omp_set_num_threads(1)
                while true {
                    let i = next.add(1, ordering: .relaxed).oldValue
                    guard i < count else { break }
                    work.body(i)
                }
            }
        }
    }

    private struct Work: @unchecked Sendable { let body: (Int) -> Void }
    private struct Key: @unchecked Sendable { let value: pthread_key_t }
    private static let key: Key = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return Key(value: k)
    }()
}
