"""The plain-restore model in SimPy, as a user would otherwise write it.

The same model as benches/fixtures/plain-restore.yaml: 120 applications go
down at time zero; each is reinstalled by one of 4 engineers
(simpy.Resource(capacity=4)), first come first served in file order; each
reinstall takes lognormal work (mean 4 h, sd 2 h). Per replication it
records what hvsim's compare reports: the first, 50 %, 90 % and 100 %
back, the mean downtime and the total app-hours down.

    python3 benches/simpy_plain_restore.py --runs 2000

prints one line, `simpy: R replications/s ...`, on standard output; the
means of the six metrics follow on stderr, to compare with
`hvsim compare benches/fixtures/plain-restore.yaml --json` (the draws
differ, so the means agree within their confidence intervals, not bit for
bit). benches/vs-simpy.sh runs it and hvsim in the same run.
"""

import argparse
import math
import random
import sys
import time

import simpy

APPS = 120
ENGINEERS = 4
MEAN_H, SD_H = 4.0, 2.0


def lognormal_params(mean, sd):
    """mu and sigma of the normal under lognormal(mean, sd)."""
    sigma2 = math.log(1.0 + (sd * sd) / (mean * mean))
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


MU, SIGMA = lognormal_params(MEAN_H, SD_H)


def app(env, engineers, rng, done, index):
    """One application: waits for an engineer, is reinstalled, is back."""
    with engineers.request() as request:
        yield request
        yield env.timeout(rng.lognormvariate(MU, SIGMA))
    done[index] = env.now


def replication(seed):
    """One replication: the six metrics, in hours."""
    rng = random.Random(seed)
    env = simpy.Environment()
    engineers = simpy.Resource(env, capacity=ENGINEERS)
    done = [0.0] * APPS
    for i in range(APPS):
        env.process(app(env, engineers, rng, done, i))
    env.run()
    done.sort()

    def at(pct):
        return done[-(-APPS * pct // 100) - 1]

    total = sum(done)
    return (done[0], at(50), at(90), at(100), total / APPS, total)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sums = [0.0] * 6
    started = time.process_time()
    for i in range(args.runs):
        for k, v in enumerate(replication(args.seed * 1_000_003 + i)):
            sums[k] += v
    seconds = time.process_time() - started
    print(
        f"simpy: {args.runs / seconds:.1f} replications/s: {args.runs} "
        f"replications in {seconds:.3f} s of CPU (simpy {simpy.__version__})"
    )
    names = ["first back", "50% back", "90% back", "all back", "mean downtime", "app-hours down"]
    for name, s in zip(names, sums):
        print(f"  {name}: {s / args.runs:.2f} h", file=sys.stderr)


if __name__ == "__main__":
    main()
