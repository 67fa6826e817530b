#!/usr/bin/env python3
"""The reconciliation a team would write instead of running Tally: Stripe's official library, 8 threads.

For every customer with a subscription, fetch the meter's daily event summaries over the range and compare
them with the app's own usage summed per customer and UTC day (SQLite, the sample app's schema). Prints the
customer-days that differ as JSON lines, then a summary line with the wall time and the number of API calls.

    python3 reconcile_peer.py --api-base http://127.0.0.1:12111 --api-key sk_test_x --meter mtr_1 \
        --database app.sqlite --start 2026-11-01 --end 2026-11-02 [--threads 8]

It is the honest baseline for `tally-bench peer`: the obvious code, and nothing Tally does beyond comparing day
totals (no drill-down to the hour or the row, no bad-row checks, no run record). The library retries network
errors, 409s and 5xx itself (`max_network_retries`) but raises `RateLimitError` on a 429 unless Stripe sends
`Stripe-Should-Retry: true`, so 429s are retried here with the exponential backoff and jitter Stripe's rate-limit
guide recommends, as a user would add after the first crash.
"""
import argparse
import calendar
import datetime
import json
import sqlite3
import sys
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import stripe

DAY = 86400


def unix_day(text):
    return calendar.timegm(datetime.datetime.strptime(text, "%Y-%m-%d").timetuple())


def local_usage(database, start, end):
    """Tokens per (customer, day) from the app's own table, as the default usage query reads it."""
    connection = sqlite3.connect(database)
    rows = connection.execute(
        """
        SELECT t.stripe_customer_id,
               (u.created_at / 86400) * 86400 AS day,
               SUM(u.tokens)
        FROM (SELECT team_id, tokens,
                     CASE WHEN typeof(created_at) = 'integer' THEN created_at
                          ELSE CAST(strftime('%s', created_at) AS INTEGER) END AS created_at
              FROM token_usage) u
        JOIN teams t ON t.id = u.team_id
        WHERE u.created_at >= ? AND u.created_at < ? AND t.stripe_customer_id IS NOT NULL
        GROUP BY 1, 2
        """,
        (start, end),
    ).fetchall()
    connection.close()
    return {(customer, day): tokens for customer, day, tokens in rows}


def with_backoff(request, attempts=10):
    """Runs `request`, retrying a 429 after 0.25 s, 0.5 s, 1 s, ... (capped at 4 s), each with jitter."""
    for attempt in range(attempts):
        try:
            return request()
        except stripe.RateLimitError:
            if attempt == attempts - 1:
                raise
            time.sleep(min(4.0, 0.25 * 2 ** attempt) * (0.5 + random.random() / 2))


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = 0

    def add(self, n=1):
        with self.lock:
            self.calls += n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--meter", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--start", required=True, help="first UTC day, YYYY-MM-DD")
    parser.add_argument("--end", required=True, help="day after the last, YYYY-MM-DD")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    began = time.monotonic()
    client = stripe.StripeClient(args.api_key, base_addresses={"api": args.api_base}, max_network_retries=8)
    calls = Counter()
    start, end = unix_day(args.start), unix_day(args.end)

    # Customers with a subscription (any status), all pages.
    customers = set()
    params = {"status": "all", "limit": 100}
    while True:
        page = with_backoff(lambda: client.v1.subscriptions.list(params=params))
        calls.add()
        for subscription in page.data:
            customers.add(subscription.customer)
        if not page.has_more:
            break
        params["starting_after"] = page.data[-1].id

    local = local_usage(args.database, start, end)

    def summaries(customer):
        found = {}
        params = {"customer": customer, "start_time": start, "end_time": end, "value_grouping_window": "day", "limit": 100}
        while True:
            page = with_backoff(lambda: client.v1.billing.meters.event_summaries.list(args.meter, params=params))
            calls.add()
            for summary in page.data:
                found[(customer, summary.start_time)] = int(round(summary.aggregated_value))
            if not page.has_more:
                return found
            params["starting_after"] = page.data[-1].id

    stripe_days = {}
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        for found in pool.map(summaries, sorted(customers)):
            stripe_days.update(found)

    differing = []
    for key in sorted(set(local) | set(stripe_days)):
        customer, day = key
        if customer not in customers:
            continue
        app, billed = local.get(key, 0), stripe_days.get(key, 0)
        if app != billed:
            differing.append({"customer": customer, "day": datetime.datetime.utcfromtimestamp(day).strftime("%Y-%m-%d"),
                              "app": app, "stripe": billed})
    for row in differing:
        print(json.dumps(row))
    print(json.dumps({"summary": True, "customers": len(customers), "differing_customer_days": len(differing),
                      "calls": calls.calls, "seconds": round(time.monotonic() - began, 3)}), file=sys.stderr)


if __name__ == "__main__":
    main()
