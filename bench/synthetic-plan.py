#!/usr/bin/env python3
"""Write a synthetic plan file (the format of crates/demo/data/bromley.toml).

    bench/synthetic-plan.py --actions 150 [--slug synthetic] [--updates] > plan.toml

Four ambitions, three priorities each, statements of up to five actions,
one indicator and one statement measure per action, and (with --updates)
an update for both halves of the year. Every record is marked illustrative.
"""
import argparse

STATUSES = ["on track", "complete", "at risk", "off track", "not started", "deferred"]


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--actions", type=int, default=150)
    p.add_argument("--slug", default="synthetic")
    p.add_argument("--year", default="2024/25")
    p.add_argument("--updates", action="store_true")
    a = p.parse_args()
    start = int(a.year[:4])
    out = []
    w = out.append
    w("# Synthetic plan for benchmarks: every record is illustrative.")
    w("[body]")
    w(f"name = {q('Synthetic Borough Council ' + a.slug)}")
    w(f"slug = {q(a.slug)}")
    w("[strategy]")
    w('title = "Synthetic Strategy"')
    w(f'years = "{start - 2}-{start + 8}"')
    for n in range(1, 5):
        w("[[strategy.ambitions]]")
        w(f"number = {n}")
        w(f"title = {q(f'Synthetic ambition {n} for residents and services')}")
        w("illustrative = true")
    w('[[committees]]\nname = "Synthetic Scrutiny Committee"')
    w('[[portfolios]]\ncode = "SYN"\nname = "Synthetic Services"\ncommittee = "Synthetic Scrutiny Committee"')
    w("[[plans]]")
    w('portfolio = "SYN"')
    w(f"year = {q(a.year)}")
    w("published = true")
    made = 0
    statement = 0
    while made < a.actions:
        for ambition in range(1, 5):
            if made >= a.actions:
                break
            w("[[plans.priorities]]")
            w(f"ambition = {ambition}")
            w(f"title = {q(f'Priority {statement + 1} under ambition {ambition}')}")
            w("illustrative = true")
            for _ in range(3):
                if made >= a.actions:
                    break
                statement += 1
                w("[[plans.priorities.statements]]")
                w(f"number = {statement}")
                w(f"title = {q(f'Statement {statement}: residents get the support they need')}")
                w("illustrative = true")
                for letter in "ABCDE":
                    if made >= a.actions:
                        break
                    made += 1
                    w("[[plans.priorities.statements.actions]]")
                    w(f'ref = "{statement}{letter}"')
                    w(f"title = {q(f'Deliver improvement {made} to services for residents, with partners')}")
                    w(f"lead = {q(f'Assistant Director {made % 9 + 1}')}")
                    w(f'target = "March {start + 1}"')
                    w("illustrative = true")
                    w("[[plans.priorities.statements.actions.measures]]")
                    w(f"indicator = {q(f'Residents supported by improvement {made}')}")
                    w('unit = "people"\ndirection = "up"\nbaseline = 100')
                    w(f'targets = [{{ year = "{a.year}", value = 150 }}]')
                    w("[[plans.priorities.statements.actions.measures]]")
                    w('statement = "Residents say the service has improved"')
                    if a.updates:
                        for half, value in (("H1", 120), ("H2", 140)):
                            status = STATUSES[(made + (half == "H2")) % len(STATUSES)]
                            w("[[plans.priorities.statements.actions.updates]]")
                            w(f'period = "{half} {a.year}"')
                            w(f"status = {q(status)}")
                            w(f"commentary = {q(f'Progress on improvement {made} in {half}: work continues with partners.')}")
                            w(f"author = {q(f'Assistant Director {made % 9 + 1}')}")
                            w("illustrative = true")
                            w(f'actuals = [{{ measure = {q(f"Residents supported by improvement {made}")}, value = {value} }}]')
    print("\n".join(out))


if __name__ == "__main__":
    main()
