#!/usr/bin/env python3
"""Speed of the access / portability export of one person.

Creates a fresh database with crm_gdpr from the Odoo this machine has
(config from ODOO_RC or ~/.odoorc), makes a person with 3 leads and 200
messages, and times ``gdpr.subject.export.export_person`` as the
administrator (a DPO): first in the near-empty database, then again after
adding 20,000 contacts and 100,000 messages of other people. It prints the
median time and the SQL query count of each: the target is under one
second, with the same number of queries at both sizes.

    python3 bench/bench_subject_export.py [--contacts 20000] [--messages 100000]
"""

import argparse
import statistics
import time

from benchlib import fresh_database, open_registry, run_child

TARGET_SECONDS = 1.0
ROUNDS = 5


def make_person(env):
    partner = env["res.partner"].create(
        {
            "name": "Bench Person",
            "email": "bench.person@example.com",
            "phone": "+48 600 000 001",
            "street": "Bench Street 1",
        }
    )
    env["crm.lead"].create(
        [
            {"name": "Lead 1", "partner_id": partner.id},
            {"name": "Lead 2", "email_from": "bench.person@example.com"},
            {"name": "Lead 3", "partner_id": partner.id, "type": "opportunity"},
        ]
    )
    env["mail.message"].create(
        [
            {
                "model": "res.partner",
                "res_id": partner.id,
                "author_id": partner.id,
                "message_type": "comment",
                "body": f"<p>Message {n} of the person</p>",
            }
            for n in range(200)
        ]
    )
    return partner


def add_others(cr, contacts, messages):
    """Other people's contacts and messages, inserted with SQL: their number,
    not how they were made, is what the export must not depend on."""
    cr.execute(
        """INSERT INTO res_partner (name, complete_name, email, email_normalized, phone,
                                    type, active, create_date, write_date)
           SELECT 'Other ' || n, 'Other ' || n, 'other' || n || '@example.org',
                  'other' || n || '@example.org', '+40 21 ' || n, 'contact', true,
                  now(), now()
             FROM generate_series(1, %s) AS n""",
        [contacts],
    )
    cr.execute("SELECT MIN(id) FROM res_partner WHERE name = 'Other 1'")
    first = cr.fetchone()[0]
    cr.execute(
        """INSERT INTO mail_message (model, res_id, author_id, message_type, body,
                                     date, create_date, write_date)
           SELECT 'res.partner', %s + n %% %s, %s + n %% %s, 'comment',
                  '<p>Hello ' || n || '</p>', now(), now(), now()
             FROM generate_series(1, %s) AS n""",
        [first, contacts, first, contacts, messages],
    )
    cr.execute("ANALYZE res_partner; ANALYZE mail_message; ANALYZE crm_lead")


def measure(env, partner_id):
    Export = env["gdpr.subject.export"]
    times, queries = [], []
    for _round in range(ROUNDS):
        env.invalidate_all()
        before = env.cr.sql_log_count
        start = time.perf_counter()
        data = Export.export_person(partner_id)
        times.append(time.perf_counter() - start)
        queries.append(env.cr.sql_log_count - before)
    # her 200 messages, and the chatter of her leads the erasure would delete
    assert len(data["messages"]) >= 200 and len(data["records"]["crm.lead"]) == 3
    return statistics.median(times), statistics.median(queries)


def run(db, addons_path, contacts, messages):
    from odoo import api

    registry = open_registry(db, addons_path)
    with registry.cursor() as cr:
        env = api.Environment(cr, 2, {})
        partner = make_person(env)
        cr.commit()
        small = measure(env, partner.id)
        add_others(cr, contacts, messages)
        cr.commit()
        large = measure(env, partner.id)
        cr.execute("SELECT COUNT(*) FROM res_partner")
        partner_count = cr.fetchone()[0]
        cr.execute("SELECT COUNT(*) FROM mail_message")
        message_count = cr.fetchone()[0]
        cr.rollback()
    print(f"{'database':44} {'time':>9} {'queries':>8}")
    print(f"{'near-empty':44} {small[0]:8.3f}s {small[1]:8.0f}")
    label = f"{partner_count} contacts, {message_count} messages"
    print(f"{label:44} {large[0]:8.3f}s {large[1]:8.0f}")
    print()
    verdict = large[0] < TARGET_SECONDS and large[1] == small[1]
    print(
        f"target: under {TARGET_SECONDS:.0f} s, same query count at both sizes: "
        + ("met" if verdict else "NOT met")
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=20000)
    parser.add_argument("--messages", type=int, default=100000)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--run", nargs=2, metavar=("DB", "ADDONS_PATH"))
    args = parser.parse_args()
    if args.run:
        return run(*args.run, args.contacts, args.messages)
    with fresh_database("bench_export", "crm_gdpr", keep=args.keep_db) as (db, path):
        run_child(
            __file__, "--run", db, path, "--contacts", args.contacts,
            "--messages", args.messages,
        )  # fmt: skip


if __name__ == "__main__":
    main()
