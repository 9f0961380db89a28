#!/usr/bin/env python3
"""Speed and memory of the marketing consent loop.

Creates a fresh database with crm_gdpr from the Odoo this machine has
(config from ODOO_RC or ~/.odoorc), adds 100,000 contacts, of which 40% gave
the marketing consent (a tenth of them more than 24 months ago, past the
validity the bench sets), 5% withdrew it and 1% are blacklisted, then prints:

* the time to count the contacts with a valid consent (target < 0.5 s);
* the time to judge 100,000 recipients of a mailing for the purpose, each
  address on all the records holding it (target < 2 s);
* the memory of the process after every batch of a consent campaign
  queuing 10,000 contacts (target: flat).

    python3 bench/bench_consent_campaign.py [--contacts 100000] [--campaign 10000]
"""

import argparse
import time

from benchlib import fresh_database, open_registry, rss_mb, run_child

COUNT_TARGET = 0.5
FILTER_TARGET = 2.0


def populate(cr, contacts, purpose_id):
    cr.execute(
        """INSERT INTO res_partner (name, complete_name, email, email_normalized,
                                    type, active, create_date, write_date)
           SELECT 'Person ' || n, 'Person ' || n, 'person' || n || '@example.org',
                  'person' || n || '@example.org', 'contact', true, now(), now()
             FROM generate_series(1, %s) AS n""",
        [contacts],
    )
    cr.execute(
        """INSERT INTO gdpr_consent (partner_id, purpose_id, state, date, valid_until,
                                     channel, create_date, write_date)
           SELECT p.id, %s,
                  CASE WHEN n %% 20 = 0 THEN 'withdrawn' ELSE 'given' END,
                  CASE WHEN n %% 10 = 1 THEN now() - interval '30 months'
                       ELSE now() - interval '2 months' END,
                  CASE WHEN n %% 10 = 1 THEN now() - interval '6 months'
                       ELSE now() + interval '22 months' END,
                  'email', now(), now()
             FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM res_partner
                    WHERE email LIKE 'person%%@example.org') p
            WHERE n %% 5 < 2 OR n %% 20 = 0""",
        [purpose_id],
    )
    cr.execute(
        """INSERT INTO mail_blacklist (email, active, create_date, write_date)
           SELECT 'person' || n || '@example.org', true, now(), now()
             FROM generate_series(1, %s, 100) AS n""",
        [contacts],
    )
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE gdpr_consent")
    cr.execute("ANALYZE mail_blacklist")


def setup(db, addons_path, contacts):
    from odoo import api

    registry = open_registry(db, addons_path)
    with registry.cursor() as cr:
        env = api.Environment(cr, 2, {})
        purpose = env.ref("crm_gdpr.purpose_marketing_email")
        purpose.consent_validity_months = 24
        populate(cr, contacts, purpose.id)


def measure(db, addons_path, campaign_size):
    from odoo import api, fields

    registry = open_registry(db, addons_path)
    with registry.cursor() as cr:
        env = api.Environment(cr, 2, {})
        purpose = env.ref("crm_gdpr.purpose_marketing_email")
        Consent = env["gdpr.consent"]
        start = time.perf_counter()
        valid = Consent.search_count(Consent._valid_domain(purpose))
        elapsed = time.perf_counter() - start
        verdict = "OK" if elapsed < COUNT_TARGET else "TOO SLOW"
        print(
            f"count of valid consents: {valid} in {elapsed:.3f} s "
            f"(target < {COUNT_TARGET} s) {verdict}",
            flush=True,
        )
        cr.execute(
            "SELECT email_normalized FROM res_partner "
            "WHERE email LIKE 'person%%@example.org'"
        )
        emails = {row[0] for row in cr.fetchall()}
        start = time.perf_counter()
        refusals = env["gdpr.purpose"]._gdpr_contact_refusals(purpose, emails)
        elapsed = time.perf_counter() - start
        allowed = len(emails) - len(refusals)
        verdict = "OK" if elapsed < FILTER_TARGET else "TOO SLOW"
        print(
            f"recipient filter of {len(emails)} addresses: {allowed} may be "
            f"mailed, {len(emails) - allowed} left out, in {elapsed:.3f} s "
            f"(target < {FILTER_TARGET} s) {verdict}",
            flush=True,
        )
        cr.execute(
            "SELECT max(id) FROM (SELECT id FROM res_partner WHERE email LIKE "
            "'person%%@example.org' ORDER BY id LIMIT %s) s",
            [campaign_size],
        )
        last_id = cr.fetchone()[0]
        campaign = env["gdpr.consent.campaign"].create(
            {
                "name": "Bench campaign",
                "purpose_ids": [fields.Command.set(purpose.ids)],
                "domain": f"[('email', '=like', 'person%@example.org'), "
                f"('id', '<=', {last_id})]",
                "batch_size": 500,
            }
        )
        start = time.perf_counter()
        campaign.action_launch()
        cr.commit()
        print(
            f"campaign launched: {campaign.count_queued} to ask, "
            f"{campaign.count_excluded} left out, "
            f"in {time.perf_counter() - start:.1f} s; memory {rss_mb():.0f} MB",
            flush=True,
        )
        start = time.perf_counter()

        def report(sent, remaining):
            print(
                f"  batch done: {sent} sent, {remaining} queued, "
                f"{time.perf_counter() - start:.1f} s, memory {rss_mb():.0f} MB",
                flush=True,
            )

        campaign._send_batches(on_batch=report)
        print(f"campaign {campaign.state} in {time.perf_counter() - start:.1f} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--campaign", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        step, db, addons_path = args.child
        if step == "setup":
            setup(db, addons_path, args.contacts)
        else:
            measure(db, addons_path, args.campaign)
        return
    with fresh_database("bench_consent", "crm_gdpr", keep=args.keep) as (
        db,
        addons_path,
    ):
        for step in ("setup", "measure"):
            run_child(
                __file__,
                "--contacts",
                args.contacts,
                "--campaign",
                args.campaign,
                "--child",
                step,
                db,
                addons_path,
            )


if __name__ == "__main__":
    main()
