#!/usr/bin/env python3
"""Speed and memory of a retention review.

Creates a fresh database with crm_gdpr from the Odoo this machine has
(config from ODOO_RC or ~/.odoorc), adds 200,000 contacts of which 10,000
have had no activity for 50 months (due under the shipped purposes), then,
as the scheduled action does, plans the review and runs it a batch per
transaction until done. It prints the time of the plan and of the run,
and the memory of the process after the plan and after every tenth batch:
the target is under 120 seconds in all, with flat memory.

    python3 bench/bench_retention.py [--contacts 200000] [--due 10000]
"""

import argparse
import time

from benchlib import fresh_database, open_registry, rss_mb, run_child

TARGET_SECONDS = 120


def add_contacts(cr, contacts, due):
    """Contacts inserted with SQL: the oldest ``due`` ones last active 50
    months ago, the others this year."""
    cr.execute(
        """INSERT INTO res_partner (name, complete_name, email, email_normalized, phone,
                                    street, city, type, active, create_date, write_date)
           SELECT 'Person ' || n, 'Person ' || n, 'person' || n || '@example.org',
                  'person' || n || '@example.org', '+48 600 ' || n, 'Street ' || n,
                  'Kraków', 'contact', true, d, d
             FROM (SELECT n, CASE WHEN n <= %s THEN now() - interval '50 months'
                                  ELSE now() - interval '2 months' END AS d
                     FROM generate_series(1, %s) AS n) s""",
        [due, contacts],
    )
    cr.execute("ANALYZE res_partner")


def run(db, addons_path, contacts, due):
    from odoo import api

    registry = open_registry(db, addons_path)
    with registry.cursor() as cr:
        add_contacts(cr, contacts, due)
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, 2, {})
        review = env["gdpr.retention.review"].create({})
        review._plan()
        review.state = "running"
        review_id, planned = review.id, review.due_count
    plan_seconds = time.perf_counter() - start
    memory = [("after the plan", rss_mb())]
    batches, remaining = 0, None
    while remaining != 0:
        with registry.cursor() as cr:  # a transaction per batch, as the cron
            env = api.Environment(cr, 2, {})
            _done, remaining = (
                env["gdpr.retention.review"].browse(review_id)._run_batch()
            )
        batches += 1
        if batches % 10 == 0:
            memory.append((f"after batch {batches}", rss_mb()))
    total = time.perf_counter() - start
    with registry.cursor() as cr:
        cr.execute(
            "SELECT state, COUNT(*) FROM gdpr_retention_line "
            "WHERE review_id = %s GROUP BY 1",
            [review_id],
        )
        states = dict(cr.fetchall())
        cr.execute(
            "SELECT COUNT(*) FROM res_partner WHERE gdpr_erased_date IS NOT NULL"
        )
        anonymised = cr.fetchone()[0]
    print(
        f"contacts: {contacts}, due: {planned}, anonymised: {anonymised}, "
        f"lines: {states}"
    )
    print(
        f"plan: {plan_seconds:.1f} s; plan and run in {batches} batches: {total:.1f} s"
    )
    for label, mb in memory:
        print(f"  memory {label}: {mb:.0f} MB")
    verdict = total < TARGET_SECONDS and anonymised == due
    print(
        f"target: under {TARGET_SECONDS} s with flat memory: "
        + ("met" if verdict else "NOT met")
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=200000)
    parser.add_argument("--due", type=int, default=10000)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--run", nargs=2, metavar=("DB", "ADDONS_PATH"))
    args = parser.parse_args()
    if args.run:
        return run(*args.run, args.contacts, args.due)
    with fresh_database("bench_retention", "crm_gdpr", keep=args.keep_db) as (db, path):
        run_child(
            __file__, "--run", db, path, "--contacts", args.contacts, "--due", args.due
        )


if __name__ == "__main__":
    main()
