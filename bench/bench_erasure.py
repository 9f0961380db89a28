#!/usr/bin/env python3
"""Speed of the erasure of one person, next to Odoo's privacy_lookup.

Creates a fresh database with crm_gdpr and privacy_lookup from the Odoo this
machine has (config from ODOO_RC or ~/.odoorc), without demo data, and at
three sizes (near-empty, 100,000 and 1,000,000 messages of other people,
with 20,000 and 200,000 other contacts and leads) erases a realistic
person: her contact, a second contact under her employer with her address,
a bank account, three leads (two only by e-mail), notes and an inbound
e-mail mentioning her, a file, a queued e-mail and a meeting. It prints the
time and SQL query count of ``gdpr.erasure.preview`` and ``erase``, and of
privacy_lookup (lookup, then deletion of its lines) on the same footprint of
a twin person. At 100,000 messages it also erases 500 people in one call.
It records how long the search indexes take to build at each size and
their size on disk.

Other people's data is inserted with set-based SQL (INSERT ... SELECT
generate_series): their number, not how they were made, is what the
erasure must not depend on. Messages are about 600 characters each.

    python3 bench/bench_erasure.py [--sizes 0,100000,1000000] [--people 500]

Targets: preview + erase under 1 s at 1,000,000 messages with the same
number of queries at every size; 500 people in one call under 60 s.
"""

import argparse
import time

from benchlib import fresh_database, open_registry, run_child

TARGET_ONE = 1.0
TARGET_MANY = 60.0
# other contacts and leads per 100,000 messages
CONTACTS_PER_100K = 20000


def make_person(env, tag, employer):
    """A person as a CRM holds her, made through the ORM as users do."""
    name = f"Zofia Benchowska{tag}"
    email = f"zofia.benchowska{tag}@example.pl"
    phone = f"+48 601 {tag:03d} 333"
    partner = env["res.partner"].create(
        {"name": name, "email": email, "phone": phone, "street": f"ul. Bench {tag}"}
    )
    env["res.partner"].create(
        {"name": name, "email": email, "parent_id": employer.id, "type": "contact"}
    )
    env["res.partner.bank"].create(
        {"partner_id": partner.id, "acc_number": f"PL611090101400007121981{tag:05d}"}
    )
    leads = env["crm.lead"].create(
        [
            {"name": f"Offer {tag}", "partner_id": partner.id},
            {"name": f"Fair {tag}", "contact_name": name, "email_from": email},
            {"name": f"Form {tag}", "email_from": email.upper(), "phone": phone},
        ]
    )
    env["mail.message"].create(
        {
            "model": "res.partner",
            "res_id": employer.id,
            "message_type": "comment",
            "body": f"<p>Called {name} on {phone}: she wants the offer.</p>",
        }
    )
    employer.message_post(
        body="<p>Please send the pallets next week.</p>",
        author_id=partner.id,
        email_from=f'"{name}" <{email}>',
        message_type="email",
    )
    env["ir.attachment"].create(
        {
            "name": f"intake_{tag}.txt",
            "res_model": "crm.lead",
            "res_id": leads[0].id,
            "raw": f"Intake form of {name}, {email}".encode(),
        }
    )
    env["mail.mail"].create(
        {"email_to": email, "subject": "Your offer", "body_html": f"<p>Dear {name}</p>"}
    )
    env["calendar.event"].create(
        {
            "name": f"Meeting with {name}",
            "start": "2030-01-01 10:00:00",
            "stop": "2030-01-01 11:00:00",
            "partner_ids": [(6, 0, [partner.id])],
        }
    )
    env.flush_all()
    env.cr.precommit.run()
    return partner, name, email


def add_others(cr, messages, contacts, offset):
    """Other people's contacts, leads and ~600-character messages."""
    cr.execute(
        """INSERT INTO res_partner (name, complete_name, email, email_normalized,
                                    phone, street, type, active, create_date,
                                    write_date)
           SELECT 'Other Person' || n, 'Other Person' || n,
                  'other' || n || '@example.org', 'other' || n || '@example.org',
                  '+48 5' || lpad(n::text, 8, '0'), 'Street ' || n, 'contact', true,
                  now(), now()
             FROM generate_series(%s, %s) AS n""",
        [offset + 1, offset + contacts],
    )
    cr.execute(
        """INSERT INTO crm_lead (name, contact_name, email_from, email_normalized,
                                 phone, type, active, create_date, write_date)
           SELECT 'Lead ' || n, 'Other Person' || n, 'other' || n || '@example.org',
                  'other' || n || '@example.org', '+48 5' || lpad(n::text, 8, '0'),
                  'lead', true, now(), now()
             FROM generate_series(%s, %s) AS n""",
        [offset + 1, offset + contacts],
    )
    cr.execute(
        """INSERT INTO mail_message (model, res_id, author_id, message_type, body,
                                     subject, email_from, date, create_date,
                                     write_date)
           SELECT 'res.partner', ids[1 + n %% cardinality(ids)],
                  ids[1 + n %% cardinality(ids)], 'comment',
                  '<p>Spoke with Other Person' || (n %% %s) || ' (other'
                  || (n %% %s) || '@example.org, +48 5'
                  || lpad((n %% %s)::text, 8, '0') || ') about order '
                  || n || '. ' || repeat(md5(n::text) || ' ', 12) || '</p>',
                  'Order ' || n, 'other' || (n %% %s) || '@example.org',
                  now(), now(), now()
             FROM generate_series(1, %s) AS n,
                  (SELECT array_agg(id) AS ids FROM res_partner
                    WHERE name LIKE 'Other Person%%') AS others""",
        [contacts, contacts, contacts, contacts, messages],
    )


def drop_indexes(cr):
    cr.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%crm_gdpr%%'")
    for (name,) in cr.fetchall():
        cr.execute(f'DROP INDEX "{name}"')


def build_indexes(env):
    """Rebuild the trigram indexes on the loaded data: (seconds, MB)."""
    env.cr.execute("SET maintenance_work_mem = '256MB'")
    start = time.perf_counter()
    env["gdpr.search.index"]._create_indexes()
    seconds = time.perf_counter() - start
    env.cr.execute(
        """SELECT COALESCE(SUM(pg_relation_size(indexname::regclass)), 0)
             FROM pg_indexes WHERE indexname LIKE '%crm_gdpr%'"""
    )
    size = env.cr.fetchone()[0] / 1024 / 1024
    env.cr.execute("ANALYZE")
    return seconds, size


def timed(env, function):
    env.invalidate_all()
    before = env.cr.sql_log_count
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, env.cr.sql_log_count - before, result


def measure_one(env, tag, employer):
    partner, _name, _email = make_person(env, tag, employer)
    env.cr.commit()
    Erasure = env["gdpr.erasure"]
    preview = timed(env, lambda: Erasure.preview(partner_ids=partner.ids))
    erase = timed(env, lambda: Erasure.erase(partner_ids=partner.ids))
    env.cr.commit()
    places = len(preview[2][0]["places"])
    return preview[:2], erase[:2], places


def measure_privacy_lookup(env, tag, employer):
    _partner, name, email = make_person(env, tag, employer)
    env.cr.commit()
    Wizard = env["privacy.lookup.wizard"]

    def lookup():
        wizard = Wizard.create({"name": name, "email": email})
        wizard.action_lookup()
        return wizard

    look = timed(env, lookup)
    wizard = look[2]
    lines = len(wizard.line_ids)

    # the lines of crm_gdpr's own records (the audit trail's key of the
    # person) are left: the trail refuses their deletion
    odoo_lines = wizard.line_ids.filtered(
        lambda line: not line.res_model.startswith("gdpr.")
    )

    def delete():
        try:
            with env.cr.savepoint():
                odoo_lines.action_unlink_all()
            return "ok"
        except Exception as error:  # noqa: BLE001 - reported, not raised
            return type(error).__name__

    unlink = timed(env, delete)
    env.cr.commit()
    return look[:2], unlink[:2], lines, unlink[2]


def measure_many(env, people, employer):
    partners = env["res.partner"]
    for index in range(people):
        partners |= env["res.partner"].create(
            {
                "name": f"Many Benchowski{index}",
                "email": f"many.benchowski{index}@example.pl",
                "phone": f"+48 602 {index:03d} 444",
            }
        )
    env["crm.lead"].create(
        [
            {"name": f"Many {index}", "partner_id": partner.id}
            for index, partner in enumerate(partners)
        ]
    )
    env["mail.message"].create(
        [
            {
                "model": "res.partner",
                "res_id": employer.id,
                "message_type": "comment",
                "body": f"<p>Note about {partner.name}, {partner.email}.</p>",
            }
            for partner in partners
        ]
    )
    env.flush_all()
    env.cr.precommit.run()
    env.cr.commit()
    seconds, queries, results = timed(
        env, lambda: env["gdpr.erasure"].erase(partner_ids=partners.ids)
    )
    env.cr.commit()
    assert all(r["status"] == "erased" for r in results)
    return seconds, queries


def run(db, addons_path, sizes, people, many_at=100000):
    from odoo import api

    registry = open_registry(db, addons_path)
    rows = []
    with registry.cursor() as cr:
        env = api.Environment(cr, 2, {"tracking_disable": False})
        employer = env["res.partner"].create(
            {"name": "Bench Employer", "is_company": True, "phone": "+48 12 000 00 00"}
        )
        cr.commit()
        # warm-up: the first erasure makes the suppression salt, fills caches
        measure_one(env, 999, employer)
        loaded = contacts = 0
        many = None
        for tag, size in enumerate(sizes):
            if size > loaded:
                drop_indexes(cr)
                wanted = max(size // 100000 * CONTACTS_PER_100K, 1000)
                print(f"Loading {size - loaded} messages...", flush=True)
                start = time.perf_counter()
                add_others(cr, size - loaded, wanted - contacts, contacts)
                contacts = wanted
                cr.commit()
                print(f"  loaded in {time.perf_counter() - start:.0f} s", flush=True)
                loaded = size
            index_seconds, index_mb = build_indexes(env)
            cr.commit()
            preview, erase, places = measure_one(env, tag * 2, employer)
            look, unlink, lines, outcome = measure_privacy_lookup(
                env, tag * 2 + 1, employer
            )
            cr.execute("SELECT COUNT(*) FROM mail_message")
            messages = cr.fetchone()[0]
            rows.append(
                (messages, index_seconds, index_mb, preview, erase, places, look,
                 unlink, lines, outcome)
            )  # fmt: skip
            print(f"  measured at {messages} messages", flush=True)
            if size == many_at and people:
                many = measure_many(env, people, employer)
    print()
    print(
        f"{'messages':>9} {'index s':>8} {'index MB':>9} | {'preview':>16} "
        f"{'erase':>16} {'places':>6} | {'privacy_lookup':>16} {'its delete':>16} "
        f"{'lines':>5}"
    )
    for (messages, index_s, index_mb, preview, erase, places, look, unlink, lines,
         outcome) in rows:  # fmt: skip
        print(
            f"{messages:>9} {index_s:>8.1f} {index_mb:>9.0f} | "
            f"{preview[0]:>7.3f}s {preview[1]:>4}q   {erase[0]:>7.3f}s {erase[1]:>4}q "
            f"{places:>6} | {look[0]:>7.3f}s {look[1]:>4}q   "
            f"{unlink[0]:>7.3f}s {unlink[1]:>4}q {lines:>5}"
            + ("" if outcome == "ok" else f" (delete failed: {outcome})")
        )
    if many:
        print(f"\n{people} people in one call: {many[0]:.1f} s, {many[1]} queries")
    largest = rows[-1]
    one = largest[3][0] + largest[4][0]
    same = len({(row[3][1], row[4][1]) for row in rows}) == 1
    print(
        f"\ntarget: preview + erase under {TARGET_ONE:.0f} s at the largest size "
        f"({one:.3f} s), same queries at every size ({'yes' if same else 'no'})"
        + (f", {people} people under {TARGET_MANY:.0f} s" if many else "")
        + ": "
        + (
            "met"
            if one < TARGET_ONE and same and (not many or many[0] < TARGET_MANY)
            else "NOT met"
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,100000,1000000")
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument(
        "--many-at", type=int, default=100000, help="size of the many-people run"
    )
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--run", nargs=2, metavar=("DB", "ADDONS_PATH"))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.run:
        return run(*args.run, sizes, args.people, args.many_at)
    with fresh_database(
        "bench_erasure", "crm_gdpr,privacy_lookup", keep=args.keep_db
    ) as (db, path):
        run_child(
            __file__, "--run", db, path, "--sizes", args.sizes,
            "--people", args.people, "--many-at", args.many_at,
        )  # fmt: skip


if __name__ == "__main__":
    main()
