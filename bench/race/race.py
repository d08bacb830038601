"""The race: runner against PyTorch, Keras, scikit-learn and Optuna on the same workloads.

    bench/race/run [workload ...] [--rounds N] [--seeds N] [--quick] [--no-record] [--runner-kernels portable|native]

Started by bench/race/run (which builds the release runner and the peers' virtual
environment); see bench/race/README.md for what is measured and how.
"""

import argparse
import datetime
import fcntl
import gzip
import json
import math
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

import fashion

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RUNNER = os.path.join(REPO, ".build", "release", "runner")
PYTHON = sys.executable
HZ = os.sysconf("SC_CLK_TCK")
# Unset only inside the timed commands (the environment keeps them for everything else).
UNSET = ["env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE"]

TRAINING = ["mlp_sgd32", "mlp_sgd256", "mlp_adam32", "small_cnn", "notebook_cnn"]
ORDER = TRAINING + ["search", "fashion_cnn", "fashion_cnn_busy"]
# The contestants of each workload, in the order they run within a round.
CONTESTANTS = {name: ["runner", "torch", "keras"] for name in TRAINING}
CONTESTANTS.update(search=["runner", "sklearn", "torch"], fashion_cnn=["runner"], fashion_cnn_busy=["runner"])
SHOWN = {"runner": "runner", "torch": "PyTorch", "keras": "Keras", "sklearn": "scikit-learn"}
TITLES = {
    "mlp_sgd32": "MLP 784-300-100-10, SGD 0.01, batch 32",
    "mlp_sgd256": "same MLP, SGD, batch 256",
    "mlp_adam32": "same MLP, Adam 1e-3, batch 32",
    "small_cnn": "small CNN (fashion_cnn.yaml's), Adam, batch 64",
    "notebook_cnn": "notebook CNN (64 7×7 … 256), SGD, batch 32",
    "search": "notebook search (10 trials × 3 folds, 5 epochs, 10k)",
    "fashion_cnn": "runner experiments/fashion_cnn.yaml, end to end",
    "fashion_cnn_busy": "the same with one other busy process (disturbed on purpose)",
}


# --seeds: runner's mean test accuracy over the seeds should be within this of each peer's.
TOLERANCE = 0.01
PEER_SEED = 42  # peer_torch.py's and peer_keras.py's default --seed


def usual_seed(workload, framework):
    """The seed a contestant trains a workload with when given none: the timed rounds' seed."""
    if framework != "runner":
        return PEER_SEED
    with open(os.path.join(HERE, "workloads", workload + ".yaml")) as f:
        return int(re.search(r"^seed: (\d+)", f.read(), re.M).group(1))


def seeds(workload, framework, n):
    """The n seeds of a contestant's accuracy runs (--seeds): its usual one first (round 1's timed
    run counts as seed 1), then 2, 3, … skipping the usual one. runner's is `seed: 1`, so it
    trains seeds 1..n; the peers 42, 2..n."""
    first = usual_seed(workload, framework)
    return [first] + [s for s in range(2, n + 2) if s != first][:n - 1]


def shown(framework, workload):
    if workload == "search" and framework == "torch":
        return "Optuna+PyTorch"
    return SHOWN[framework]


# ---------------------------------------------------------------------------------------------
# Measuring one command


def busy_jiffies():
    """CPU time of the whole machine not spent idle or waiting for I/O, in clock ticks."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return user + nice + system + irq + softirq + steal


class Lock:
    """flock(2) on the build lock for the duration of a timed run: no other agent compiles
    meanwhile. A path whose folder does not exist, or "none", means no lock."""

    def __init__(self, path):
        self.path = path if path != "none" and os.path.isdir(os.path.dirname(path) or ".") else None

    def __enter__(self):
        if self.path:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"  (waiting for {self.path})", flush=True)
                fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        if self.path:
            os.close(self.fd)  # releases the lock


def run_once(cmd, log_path, lock, busy=False):
    """Runs `cmd`, timestamping each output line as it arrives; returns what was measured."""
    with lock:
        other = subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) if busy else None
        try:
            self0 = resource.getrusage(resource.RUSAGE_SELF)
            jiffies0 = busy_jiffies()
            t0 = time.monotonic()
            proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    env=dict(os.environ, PYTHONUNBUFFERED="1"))
            lines = [(time.monotonic() - t0, raw.decode(errors="replace").rstrip("\n")) for raw in proc.stdout]
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            wall = time.monotonic() - t0
            jiffies1 = busy_jiffies()
            self1 = resource.getrusage(resource.RUSAGE_SELF)
        finally:
            if other:
                other.kill()
                other.wait()
    own = usage.ru_utime + usage.ru_stime
    driver = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
    foreign = max(0.0, ((jiffies1 - jiffies0) / HZ - own - driver) / wall)
    with open(log_path, "w") as f:
        f.write("$ " + shlex.join(cmd) + "\n")
        f.writelines(f"{t:9.3f} {line}\n" for t, line in lines)
    return dict(exit=proc.returncode, wall_s=wall, own_cpu_s=own, foreign_cores=foreign,
                peak_rss_mib=usage.ru_maxrss / 1024, lines=lines)


# ---------------------------------------------------------------------------------------------
# The contestants' commands and what is read from their output


class Race:
    def __init__(self, args, folder, data, work):
        self.args = args
        self.folder = folder  # the runs' logs
        self.data = data  # the IDX folder every contestant reads
        self.work = work  # temporary files
        self.lock = Lock(args.lock)
        self.n_train = idx_count(data, "train-labels-idx1-ubyte")

    def command(self, workload, framework, out, result, seed=None):
        quick = self.args.quick
        if framework == "runner":
            sets = [f"data.path={self.data}"]
            if workload in TRAINING:
                cmd = [RUNNER, f"bench/race/workloads/{workload}.yaml"]
                sets += ["fit.epochs=1"] if quick else []
            elif workload == "search":
                q = fashion.workload("search", True)
                cmd = [RUNNER, "bench/race/workloads/search.yaml", "--no-refit"]
                sets += [f"search.trials={q['trials']}", f"fit.epochs={q['epochs']}", f"data.limit={q['subset']}"] if quick else []
            else:
                cmd = [RUNNER, "experiments/fashion_cnn.yaml"]
                sets += ["search.trials=2", "fit.epochs=1", "data.limit=1500"] if quick else []
            cmd += ["--out", out, "--kernels", self.args.runner_kernels] + [a for s in sets for a in ("--set", s)]
            cmd += ["--seed", str(seed)] if seed is not None else []
        else:
            script = {"torch": "peer_torch.py", "keras": "peer_keras.py", "sklearn": "peer_sklearn.py"}[framework]
            cmd = [PYTHON, os.path.join(HERE, script), workload, "--data", self.data, "--result", result]
            cmd += ["--quick"] if quick else []
            cmd += ["--seed", str(seed)] if seed is not None else []
        return UNSET + cmd

    def run(self, workload, framework, round_, seed=None):
        """A timed run of a round, or (seed given) an extra run of --seeds for its test accuracy
        only: untimed, so not rerun when disturbed (its foreign load is still recorded)."""
        timed = seed is None
        tag = f"{workload}-{framework}-{round_}" if timed else f"{workload}-{framework}-seed{seed}"
        attempts = []
        for attempt in range(self.args.retries + 1 if timed else 1):
            out = os.path.join(self.work, tag + f"-{attempt}")
            result = out + ".json"
            cmd = self.command(workload, framework, out, result, seed)
            m = run_once(cmd, os.path.join(self.folder, tag + ".log"), self.lock, busy=workload == "fashion_cnn_busy")
            if m["exit"] != 0:
                tail = "\n".join(line for _, line in m["lines"][-15:])
                raise SystemExit(f"race: {tag} failed (exit {m['exit']}):\n{tail}\nlog: {self.folder}/{tag}.log")
            attempts.append(dict(wall_s=round(m["wall_s"], 3), foreign_cores=round(m["foreign_cores"], 3)))
            disturbed = m["foreign_cores"] > self.args.max_load and workload != "fashion_cnn_busy"
            if not disturbed:
                break
            if attempt < self.args.retries and timed:
                print(f"  {tag}: other processes used {m['foreign_cores']:.2f} cores: again", flush=True)
        record = dict(workload=workload, framework=framework, shown=shown(framework, workload), round=round_,
                      timed=timed, seed=usual_seed(workload, framework) if timed and workload in TRAINING else seed,
                      wall_s=m["wall_s"], own_cpu_s=m["own_cpu_s"], foreign_cores=m["foreign_cores"],
                      peak_rss_mib=m["peak_rss_mib"], attempts=attempts, retries=len(attempts) - 1,
                      disturbed=disturbed, command=shlex.join(cmd))
        if framework == "runner":
            record.update(self.read_runner(workload, m["lines"], out))
        else:
            with open(result) as f:
                peer = json.load(f)
            peer["library"] = peer.pop("framework")
            if "search_seconds" in peer:
                peer["search_s"] = peer.pop("search_seconds")
            if "epoch_seconds" in peer:
                peer["train_s"] = sum(peer["epoch_seconds"])
            record.update(peer)
        if "train_s" in record:
            record["samples_per_s"] = record["samples"] / record["train_s"]
        shutil.rmtree(out, ignore_errors=True)
        return record

    def read_runner(self, workload, lines, out):
        r = dict(version=runner_version(), kernels=runner_kernels(out))
        if r["kernels"]["mode"] != self.args.runner_kernels:
            raise SystemExit(f"race: runner ran with {r['kernels']['mode']} kernels, not {self.args.runner_kernels} "
                             f"(its resolved.yaml: {r['kernels']['kernels']})")
        if workload in TRAINING:
            seconds = [float(m.group(1)) for _, line in lines if (m := re.search(r"epoch \d+/\d+: .*, ([0-9.]+) s$", line))]
            epochs = 1 if self.args.quick else fashion.WORKLOADS[workload]["epochs"]
            if len(seconds) != epochs:
                raise SystemExit(f"race: runner printed {len(seconds)} epoch times for {epochs} epochs "
                                 "(a runner older than the per-epoch seconds in its progress lines?)")
            r.update(epoch_seconds=seconds, train_s=sum(seconds), samples=self.n_train * epochs)
        if workload == "search":
            begin = next(t for t, line in lines if re.search(r"\d+ trials × \d+ folds", line))
            end = max(t for t, line in lines if re.search(r"trial \d+/\d+ fold \d+/\d+:", line))
            r["search_s"] = end - begin
            with open(os.path.join(out, "leaderboard.csv")) as f:
                header, first = f.readline().strip().split(","), f.readline().strip().split(",")
            r["best_score"] = float(first[header.index("mean_test_accuracy")])
        else:
            with open(os.path.join(out, "test.csv")) as f:
                header, row = f.readline().strip().split(","), f.readline().strip().split(",")
            r["test_accuracy"] = float(row[header.index("test_accuracy")])
        return r


def idx_count(folder, stem):
    path = os.path.join(folder, stem)
    opener = open if os.path.exists(path) else gzip.open
    with opener(path if opener is open else path + ".gz", "rb") as f:
        return int.from_bytes(f.read(8)[4:8], "big")


def runner_version():
    v = subprocess.run([RUNNER, "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return f"runner {v} ({commit}{', modified' if dirty else ''})"


# ---------------------------------------------------------------------------------------------
# Kernels and machine


def runner_kernels(out):
    """The kernels a runner run computed with, as its resolved.yaml names them:
    {"mode": "native", "kernels": "x86_64, OpenBLAS 0.3.21 SkylakeX, oneDNN 2.6.3 avx512_core_amx"}.
    (In portable mode runner pins OpenBLAS's kernel itself, OPENBLAS_CORETYPE unset or not: only
    its own report says what it ran.)"""
    with open(os.path.join(out, "resolved.yaml")) as f:
        m = re.search(r"kernels: (portable|native) \(([^)]*)\)", f.read())
    if not m:
        raise SystemExit(f"race: no kernels line in {out}/resolved.yaml")
    return dict(mode=m.group(1), kernels=m.group(2))


def isa_matches(mode, found, flags):
    """Whether oneDNN's verbose ISA line in runner's probe agrees with the kernel mode: portable
    caps oneDNN at AVX2; native runs the CPU's best (AVX-512 where the CPU has it)."""
    isa = found["isa"].lower()
    if not isa:
        return False
    if mode == "portable":
        return "avx2" in isa and "avx-512" not in isa and "avx512" not in isa
    if "avx512f" in flags and "DNNL_MAX_CPU_ISA" not in os.environ and "ONEDNN_MAX_CPU_ISA" not in os.environ:
        return "avx-512" in isa or "avx512" in isa
    return True


def onednn_impls(text):
    """{primitive kind: sorted implementation names} from oneDNN verbose output, plus the ISA line."""
    kinds = defaultdict(set)
    isa = ""
    for line in text.splitlines():
        fields = line.split(",")
        if "isa:" in line and "verbose" in line and not isa:
            isa = line.split("isa:", 1)[1].strip()
        if "exec" in fields and "cpu" in fields:
            i = fields.index("exec")
            if len(fields) > i + 3 and fields[i + 1] == "cpu":
                if fields[i + 3]:
                    kinds[fields[i + 2]].add(fields[i + 3])
    return dict(isa=isa, primitives={k: sorted(v) for k, v in sorted(kinds.items())})


def probe_onednn(race):
    """A separate, untimed, short run of the small CNN per framework with oneDNN's verbose
    output on (never timed: printing slows it down)."""
    tiny = os.path.join(race.work, "tiny")
    fashion.write_subset(tiny, 512, 256, source=race.data)
    env = dict(os.environ, ONEDNN_VERBOSE="1", DNNL_VERBOSE="1", PYTHONUNBUFFERED="1")
    found = {}
    for framework in ("runner", "torch", "keras"):
        if framework == "runner":
            cmd = [RUNNER, "bench/race/workloads/small_cnn.yaml", "--out", os.path.join(race.work, "probe"),
                   "--kernels", race.args.runner_kernels, "--set", f"data.path={tiny}", "--set", "fit.epochs=1", "--quiet"]
        else:
            script = "peer_torch.py" if framework == "torch" else "peer_keras.py"
            cmd = [PYTHON, os.path.join(HERE, script), "small_cnn", "--data", tiny, "--quick",
                   "--result", os.path.join(race.work, "probe.json")]
        p = subprocess.run(UNSET + cmd, cwd=REPO, env=env, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"race: the oneDNN probe of {framework} failed (exit {p.returncode}):\n{(p.stdout + p.stderr)[-2000:]}")
        found[framework] = onednn_impls(p.stdout + p.stderr)
        if framework == "runner":
            found[framework].update(runner_kernels(os.path.join(race.work, "probe")))
    return found


# Variables that cap the instruction set of oneDNN (runner, PyTorch, Keras), MKL and ATen (PyTorch):
# set in the race's environment, every contestant inherits them. The section names those set, so a
# race that emulates an AVX2 machine on an AVX-512 one says so.
CAPS = ["ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS", "ATEN_CPU_CAPABILITY"]


def caps():
    return {k: os.environ[k] for k in CAPS if k in os.environ}


def machine():
    with open("/proc/cpuinfo") as f:
        info = f.read()
    model = re.search(r"model name\s*:\s*(.*)", info)
    flags = sorted(set(re.findall(r"\b(avx\S*|fma)\b", info)))
    return dict(model=model.group(1).strip() if model else "unknown", flags=flags, cores=os.cpu_count(),
                kernel=os.uname().release)


def versions():
    """What the venv holds (one import each in a subprocess: keeps this process small)."""
    code = ("import importlib.metadata as m; print(', '.join(f'{p} {m.version(p)}' for p in "
            "['torch', 'tensorflow-cpu', 'keras', 'scikit-learn', 'optuna', 'numpy']))")
    return subprocess.run([PYTHON, "-c", code], capture_output=True, text=True).stdout.strip()


# ---------------------------------------------------------------------------------------------
# The table


def summarize(records, workloads, n_seeds=1):
    """One row per workload: medians over rounds of each contestant's figure; with n_seeds > 1,
    the test accuracy's mean and sd over the seeds too, and runner's mean against each peer's."""
    rows = []
    for w in workloads:
        row = dict(workload=w, title=TITLES[w], contestants={})
        for fw in CONTESTANTS[w]:
            every = [r for r in records if r["workload"] == w and r["framework"] == fw]
            rs = [r for r in every if r["timed"]]
            if not rs:
                continue
            c = dict(shown=rs[0]["shown"], runs=len(rs), peak_rss_mib=max(r["peak_rss_mib"] for r in rs),
                     foreign_cores=max(r["foreign_cores"] for r in rs), retries=sum(r["retries"] for r in rs),
                     disturbed=any(r["disturbed"] for r in rs))
            if w in TRAINING:
                c["samples_per_s"] = statistics.median(r["samples_per_s"] for r in rs)
                c["test_accuracy"] = statistics.median(r["test_accuracy"] for r in rs)
                if n_seeds > 1:
                    ran = [next(r for r in rs if r["round"] == 1)] + [r for r in every if not r["timed"]]
                    c["seed_accuracies"] = [dict(seed=r["seed"], test_accuracy=r["test_accuracy"]) for r in ran]
                    accuracies = [r["test_accuracy"] for r in ran]
                    c["accuracy_mean"] = statistics.mean(accuracies)
                    c["accuracy_sd"] = statistics.stdev(accuracies)  # the sample's (n − 1)
            elif w == "search":
                c["seconds"] = statistics.median(r["search_s"] for r in rs)
                c["best_score"] = statistics.median(r["best_score"] for r in rs)
            else:
                c["seconds"] = statistics.median(r["wall_s"] for r in rs)
                c["test_accuracy"] = statistics.median(r["test_accuracy"] for r in rs)
            row["contestants"][fw] = c
        cs = row["contestants"]
        peers = [c for fw, c in cs.items() if fw != "runner"]
        if "runner" in cs and peers:
            key = "samples_per_s" if w in TRAINING else "seconds"
            row["ratio"] = ratio(w, cs["runner"][key], [c[key] for c in peers])
        if "accuracy_mean" in cs.get("runner", {}):
            r = cs["runner"]
            row["accuracy_check"] = {}
            for fw, c in cs.items():
                if fw != "runner" and "accuracy_mean" in c:
                    difference = r["accuracy_mean"] - c["accuracy_mean"]
                    # The difference of two means of n runs each varies by about this much.
                    error = math.sqrt((r["accuracy_sd"] ** 2 + c["accuracy_sd"] ** 2) / n_seeds)
                    row["accuracy_check"][fw] = dict(difference=difference, standard_error=error,
                                                     within=round(abs(difference), 9) <= TOLERANCE)
        row["round_ratios"] = round_ratios(records, w)
        row["foreign_cores"] = max((c["foreign_cores"] for c in cs.values()), default=0)
        rows.append(row)
    return rows


def ratio(w, runner, peers):
    """runner's figure against the best peer's: samples/s ÷ the highest, or for a time (the
    search) seconds ÷ the lowest, runner's share of the fastest peer's."""
    return runner / (max(peers) if w in TRAINING else min(peers))


def round_ratios(records, w):
    """`ratio` within each round, rounds in order: how far the host's speed moved the row's
    ratio. Empty for a row without peers (fashion_cnn)."""
    rounds = defaultdict(dict)
    for rec in records:
        if rec["workload"] == w and rec["timed"]:
            rounds[rec["round"]][rec["framework"]] = rec
    key = "samples_per_s" if w in TRAINING else "search_s"
    return [ratio(w, ran["runner"][key], [rec[key] for fw, rec in ran.items() if fw != "runner"])
            for _, ran in sorted(rounds.items()) if "runner" in ran and len(ran) > 1]


def rounds_text(rows):
    """A line per row raced more than once: its ratio in each round."""
    lines = [f"{row['workload']} {', '.join(f'{x:.2f}×' for x in row['round_ratios'])}"
             for row in rows if len(row["round_ratios"]) > 1]
    if not lines:
        return ""
    return ("Per round, runner ÷ the best peer of that round (the table's ratio is of the medians): "
            + "; ".join(lines) + ".")


def fmt_figure(w, c):
    if c is None:
        return "—"
    if "samples_per_s" in c:
        return f"{c['samples_per_s']:,.0f}/s"
    return f"{c['seconds']:.1f} s"


def fmt_accuracy(c, key):
    if "accuracy_mean" in c:
        return f"{c['accuracy_mean']:.4f} ± {c['accuracy_sd']:.4f}"
    return f"{c[key]:.4f}"


def table(rows, n_seeds=1):
    """The Markdown table: a row per workload, the peers' columns named in each row."""
    over = f"; training workloads: mean ± sd over {n_seeds} seeds" if n_seeds > 1 else ""
    lines = ["| workload | runner | peer 1 | peer 2 | runner ÷ best peer | foreign load (cores) "
             f"| test accuracy (runner / peers{over}) | peak RSS MiB (runner / peers) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        cs = row["contestants"]
        peers = [fw for fw in CONTESTANTS[row["workload"]] if fw != "runner"]
        cells = [fmt_figure(row["workload"], cs.get("runner"))]
        for fw in peers[:2] + [None] * (2 - len(peers[:2])):
            cells.append(f"{cs[fw]['shown']} {fmt_figure(row['workload'], cs[fw])}" if fw in cs else "—")
        if "ratio" in row:
            ratio = f"**{row['ratio']:.2f}×**" + (" the time" if row["workload"] == "search" else "")
        else:
            ratio = "—"
        order = [fw for fw in CONTESTANTS[row["workload"]] if fw in cs]
        acc_key = "best_score" if row["workload"] == "search" else "test_accuracy"
        acc = " / ".join(fmt_accuracy(cs[fw], acc_key) for fw in order)
        if row["workload"] == "search":
            acc += " (best CV)"
        rss = " / ".join(f"{cs[fw]['peak_rss_mib']:,.0f}" for fw in order)
        load = f"{row['foreign_cores']:.2f}"
        retries = sum(c["retries"] for c in cs.values())
        if retries:
            load += f" ({retries} rerun{'s' if retries > 1 else ''})"
        if any(c["disturbed"] for c in cs.values()) and row["workload"] != "fashion_cnn_busy":
            load += " disturbed"
        title = row["title"] + (f" [{row['workload']}]")
        lines.append(f"| {title} | " + " | ".join(cells + [ratio, load, acc, rss]) + " |")
    return "\n".join(lines)


def accuracy_text(rows, n_seeds):
    """--seeds: for each training workload, runner's mean test accuracy against each peer's."""
    lines = []
    for row in rows:
        if "accuracy_check" not in row:
            continue
        cs = row["contestants"]
        r = cs["runner"]
        against = []
        for fw, check in row["accuracy_check"].items():
            c = cs[fw]
            against.append(f"{c['shown']} {c['accuracy_mean']:.4f} ± {c['accuracy_sd']:.4f}: difference "
                           f"{check['difference']:+.4f} (standard error {check['standard_error']:.4f}), "
                           f"{'within' if check['within'] else '**not within**'} {TOLERANCE}")
        lines.append(f"- {row['workload']}: runner {r['accuracy_mean']:.4f} ± {r['accuracy_sd']:.4f}; " + "; ".join(against))
    if not lines:
        return ""
    return (f"Test accuracy over {n_seeds} seeds (mean ± sd; round 1's timed run is seed 1, each contestant's usual "
            f"seed; the other seeds are untimed runs), runner's mean against each peer's, |difference| ≤ {TOLERANCE}:\n"
            + "\n".join(lines))


def kernels_text(k):
    r = k["onednn"]["runner"]
    lines = [f"- runner `--kernels {r['mode']}`: {r['kernels']} (its resolved.yaml; OpenBLAS is no longer on its "
             "training path: dense layers run on oneDNN matmul)"]
    for fw, found in k["onednn"].items():
        prims = "; ".join(f"{kind}: {', '.join(impls)}" for kind, impls in found["primitives"].items()) or "none seen"
        lines.append(f"- oneDNN in {SHOWN[fw]} (small CNN, verbose run): {prims}" + (f" — ISA {found['isa']}" if found["isa"] else ""))
    return "\n".join(lines)


def record_readme(section):
    """Puts the dated section at the top of bench/README.md's race results."""
    path = os.path.join(REPO, "bench", "README.md")
    marker = "<!-- bench/race/run puts each full race here, newest first -->"
    with open(path) as f:
        text = f.read()
    if marker not in text:
        text = text.rstrip("\n") + ("\n\n## The race (`bench/race/run`)\n\nrunner against PyTorch, Keras, scikit-learn "
                                    "and Optuna on the same data and networks, 2 threads each; how it is measured: "
                                    "bench/race/README.md. Each run's figures: bench/race/results/.\n\n" + marker + "\n")
    text = text.replace(marker, marker + "\n\n" + section.rstrip("\n"), 1)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


# ---------------------------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(prog="bench/race/run", description=__doc__.splitlines()[0])
    p.add_argument("workloads", nargs="*", metavar="workload",
                   help=f"some of: {' '.join(ORDER)} (default: all)")
    p.add_argument("--rounds", type=int, default=2, help="times each contestant runs each workload (default 2)")
    p.add_argument("--seeds", type=int, default=1,
                   help="train each contestant of the training workloads with this many seeds for the test accuracy "
                        "(default 1): round 1 counts as seed 1, the others are extra untimed runs; the table gives "
                        f"mean ± sd and whether runner's mean is within {TOLERANCE} of each peer's")
    p.add_argument("--quick", action="store_true",
                   help="a smoke run: 6,000 training and 2,000 test images, 1 epoch, a smaller search; not recorded")
    p.add_argument("--max-load", type=float, default=0.10,
                   help="rerun a run during which other processes used more cores than this on average (default 0.10)")
    p.add_argument("--retries", type=int, default=3, help="reruns of a disturbed run at most (default 3)")
    p.add_argument("--lock", default="/work/build.lock",
                   help="file flock'ed during each timed run so that no build runs meanwhile ('none': no lock)")
    p.add_argument("--hold-lock", action="store_true",
                   help="hold the lock for the whole race instead of each run (others wait until the end)")
    p.add_argument("--runner-kernels", choices=["portable", "native"], default="native",
                   help="runner's --kernels in every run (default native: the peers' oneDNN runs the CPU's best "
                        "instruction set too; portable caps runner's oneDNN at AVX2 for the same bits everywhere)")
    p.add_argument("--data", default=fashion.DEFAULT_DATA, help="Fashion-MNIST IDX folder")
    p.add_argument("--no-record", action="store_true", help="write no results file and leave bench/README.md alone")
    args = p.parse_args()
    unknown = [w for w in args.workloads if w not in ORDER]
    if unknown:
        p.error(f"unknown workload {', '.join(unknown)}; choose from {' '.join(ORDER)}")
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    if args.seeds < 1:
        p.error("--seeds must be at least 1")
    workloads = [w for w in ORDER if w in (args.workloads or ORDER)]
    record = not (args.quick or args.no_record)

    started = datetime.datetime.now(datetime.timezone.utc)
    stamp = started.strftime("%Y-%m-%dT%H%MZ")
    folder = os.path.join(HERE, "results", "logs", stamp if record else "scratch")
    os.makedirs(folder, exist_ok=True)
    work = tempfile.mkdtemp(prefix="race-")
    whole = Lock(args.lock if args.hold_lock else "none")
    if args.hold_lock:
        args.lock = "none"  # the runs' own locks: already held
    try:
        whole.__enter__()
        data = args.data
        if args.quick:
            data = os.path.join(work, "quick-data")
            fashion.write_subset(data, 6000, 2000, source=args.data)
        race = Race(args, folder, data, work)
        info = dict(date=stamp, machine=machine(), runner=runner_version(), peers=versions(), caps=caps(),
                    command=shlex.join(["bench/race/run"] + sys.argv[1:]),
                    settings=dict(rounds=args.rounds, seeds=args.seeds, quick=args.quick, max_load=args.max_load, retries=args.retries,
                                  data=data, training_samples=race.n_train, threads=2, runner_kernels=args.runner_kernels))
        print(f"race: {', '.join(workloads)}; {args.rounds} round(s)"
              f"{f'; {args.seeds} seeds' if args.seeds > 1 else ''}; runner --kernels {args.runner_kernels}"
              f"{'; quick' if args.quick else ''}", flush=True)
        print(f"  {info['machine']['model']}, {' '.join(info['machine']['flags'])}; {info['runner']}; {info['peers']}", flush=True)
        if info["caps"]:
            print(f"  capped: {caps_text(info['caps'])}", flush=True)
        with race.lock:
            info["kernels"] = dict(runner=args.runner_kernels, onednn=probe_onednn(race))
        print(kernels_text(info["kernels"]), flush=True)
        if not isa_matches(args.runner_kernels, info["kernels"]["onednn"]["runner"], info["machine"]["flags"]):
            raise SystemExit(f"race: runner's oneDNN ISA ({info['kernels']['onednn']['runner']['isa'] or 'not printed'}) "
                             f"is not what --runner-kernels {args.runner_kernels} should run on this CPU")

        records = []
        for w in workloads:
            rounds = 1 if w == "fashion_cnn_busy" else args.rounds
            for r in range(1, rounds + 1):
                for fw in CONTESTANTS[w]:
                    rec = race.run(w, fw, r)
                    records.append(rec)
                    figure = (f"{rec['samples_per_s']:,.0f} samples/s" if "samples_per_s" in rec
                              else f"{rec.get('search_s', rec['wall_s']):.1f} s")
                    acc = rec.get("test_accuracy", rec.get("best_score"))
                    print(f"  {w} round {r} {rec['shown']}: {figure}, accuracy {acc:.4f}, "
                          f"{rec['peak_rss_mib']:,.0f} MiB, wall {rec['wall_s']:.1f} s, "
                          f"other processes {rec['foreign_cores']:.2f} cores"
                          + (f", {rec['retries']} rerun(s)" if rec["retries"] else ""), flush=True)
            # --seeds: the accuracy's other seeds, after the timed rounds, interleaved as they are.
            for i in range(1, args.seeds if w in TRAINING else 1):
                for fw in CONTESTANTS[w]:
                    rec = race.run(w, fw, None, seed=seeds(w, fw, args.seeds)[i])
                    records.append(rec)
                    print(f"  {w} seed {rec['seed']} {rec['shown']}: accuracy {rec['test_accuracy']:.4f}, "
                          f"wall {rec['wall_s']:.1f} s, other processes {rec['foreign_cores']:.2f} cores (untimed"
                          + (": above --max-load, not rerun)" if rec["disturbed"] else ")"), flush=True)
        rows = summarize(records, workloads, args.seeds)
    finally:
        whole.__exit__()
        shutil.rmtree(work, ignore_errors=True)

    main_rows = [r for r in rows if r["workload"] != "fashion_cnn_busy"]
    busy = [r for r in rows if r["workload"] == "fashion_cnn_busy"]
    m = info["machine"]
    section = [f"### {started.strftime('%Y-%m-%d %H:%M UTC')}, runner `--kernels {args.runner_kernels}`"
               f"{' (quick: not a measurement)' if args.quick else ''}", "",
               f"{m['model']}, {m['cores']} cores, flags {' '.join(m['flags'])}; {info['runner']}; {info['peers']}; "
               f"{args.rounds} round(s), medians; 2 threads each. `{info['command']}`."
               + (f" Every contestant's environment capped the instruction set: {caps_text(info['caps'])}." if info["caps"] else ""), "",
               table(main_rows, args.seeds), ""]
    for text in (rounds_text(main_rows), accuracy_text(main_rows, args.seeds)):
        if text:
            section += [text, ""]
    if busy:
        c = busy[0]["contestants"]["runner"]
        section += [f"Disturbed on purpose (one `yes` busy throughout, not a race figure): "
                    f"`runner experiments/fashion_cnn.yaml` {c['seconds']:.1f} s, test accuracy {c['test_accuracy']:.4f}, "
                    f"other processes {c['foreign_cores']:.2f} cores.", ""]
    section += [kernels_text(info["kernels"]), ""]
    print("\n" + "\n".join(section))
    if record:
        path = os.path.join(HERE, "results", stamp + ".json")
        for r in records:
            r.pop("lines", None)
        with open(path, "w") as f:
            json.dump(dict(info, rows=rows, runs=records), f, indent=1)
        record_readme("\n".join(section))
        print(f"wrote {os.path.relpath(path, REPO)} and bench/README.md (logs: {os.path.relpath(folder, REPO)})")


def caps_text(c):
    return " ".join(f"`{k}={v}`" for k, v in c.items())


if __name__ == "__main__":
    main()
