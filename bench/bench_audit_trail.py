#!/usr/bin/env python3
"""Cost of the audit trail: crm_gdpr against plain Odoo, in the same run.

Creates two fresh databases from the Odoo this machine has (config from
ODOO_RC or ~/.odoorc): one with crm and contacts, one with crm_gdpr on top.
In each, as the administrator (a real user, not the superuser), it times
with commits included:

- creating N partners (default 2,000) in one ``create`` call,
- writing a new e-mail and phone to all of them in one ``write``,
- M single-record writes (default 200), each in its own transaction.

Rounds alternate between the two databases; the median of each is kept.
It prints the times, the SQL query counts and the ratios against the
targets (1.3 for batches, 1.5 for single writes).

    python3 bench/bench_audit_trail.py [--records 2000] [--singles 200] [--rounds 3]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from benchlib import fresh_database, open_registry

TARGETS = {"create": 1.3, "write": 1.3, "singles": 1.5}
LABELS = {
    "create": "create {records} partners in one call",
    "write": "write e-mail and phone to {records}",
    "singles": "{singles} single writes, one commit each",
}


def measure(db, addons_path, records, singles):
    """One round in ``db``; prints its figures as JSON."""
    import odoo as odoo_pkg
    from odoo import api

    registry = open_registry(db, addons_path)
    admin = 2
    tag = f"{os.getpid()}"
    figures = {}

    def timed(name, work):
        with registry.cursor() as cr:
            env = api.Environment(cr, admin, {})
            queries = cr.sql_log_count
            start = time.perf_counter()
            result = work(env)
            cr.commit()
            figures[name] = {
                "seconds": time.perf_counter() - start,
                "queries": cr.sql_log_count - queries,
            }
        return result

    # warm the registry's caches with a small run of the same operations
    timed(
        "warmup",
        lambda env: env["res.partner"].create({"name": "w"}).write({"phone": "1"}),
    )
    ids = timed(
        "create",
        lambda env: (
            env["res.partner"]
            .create(
                [
                    {
                        "name": f"Bench Person {tag}-{i}",
                        "email": f"person{i}.{tag}@example.com",
                        "phone": f"+48 600 {i:06d}",
                        "street": f"Street {i}",
                        "city": "Kraków",
                    }
                    for i in range(records)
                ]
            )
            .ids
        ),
    )
    timed(
        "write",
        lambda env: (
            env["res.partner"]
            .browse(ids)
            .write({"email": f"new.{tag}@example.com", "phone": "+48 22 000 00 00"})
        ),
    )
    start, queries = time.perf_counter(), 0
    for i in range(singles):
        with registry.cursor() as cr:
            before = cr.sql_log_count
            env = api.Environment(cr, admin, {})
            env["res.partner"].browse(ids[i]).write(
                {"email": f"single{i}.{tag}@example.com", "phone": f"+48 22 {i:06d}"}
            )
            cr.commit()
            queries += cr.sql_log_count - before
    figures["singles"] = {"seconds": time.perf_counter() - start, "queries": queries}
    del figures["warmup"]
    odoo_pkg.sql_db.close_all()
    print(json.dumps(figures))


def run_round(db, addons_path, args):
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            db,
            addons_path,
            "--records",
            str(args.records),
            "--singles",
            str(args.singles),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"Round in {db} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--singles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--measure", nargs=2, metavar=("DB", "ADDONS_PATH"))
    args = parser.parse_args()
    if args.measure:
        return measure(*args.measure, args.records, args.singles)

    with (
        fresh_database("bench_plain", "crm,contacts", keep=args.keep_db) as (
            plain,
            path,
        ),
        fresh_database("bench_gdpr", "crm_gdpr", keep=args.keep_db) as (gdpr, _path),
    ):
        rounds = {plain: [], gdpr: []}
        for n in range(args.rounds):
            for db in (plain, gdpr):
                rounds[db].append(run_round(db, path, args))
            print(f"round {n + 1}/{args.rounds} done", flush=True)
    report(rounds[plain], rounds[gdpr], args)


def report(plain_rounds, gdpr_rounds, args):
    def median(rounds, name, key):
        return statistics.median(r[name][key] for r in rounds)

    print()
    header = ("operation", "plain Odoo", "crm_gdpr", "ratio", "target")
    print("{:44} {:>11} {:>11} {:>6} {:>7}".format(*header))
    within = True
    for name, target in TARGETS.items():
        base = median(plain_rounds, name, "seconds")
        ours = median(gdpr_rounds, name, "seconds")
        ratio = ours / base
        within &= ratio <= target
        label = LABELS[name].format(records=args.records, singles=args.singles)
        verdict = "" if ratio <= target else "  OVER"
        print(
            f"{label:44} {base:10.3f}s {ours:10.3f}s {ratio:6.2f} "
            f"{'<= ' + str(target):>7}{verdict}"
        )
        print(
            f"{'  SQL queries':44} {median(plain_rounds, name, 'queries'):11.0f} "
            f"{median(gdpr_rounds, name, 'queries'):11.0f}"
        )
    print()
    print("all ratios within target" if within else "some ratios are over target")


if __name__ == "__main__":
    main()
