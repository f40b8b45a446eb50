#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How tests/check_attr_forms.py judges one row, on findings made here (no
gdprx run): !type.subtype forbids one label, !type a whole type, and
polarity= in ATTRS requires a finding of that polarity. Exit 1 on any
wrong verdict."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_attr_forms as caf  # noqa: E402


def finding(label, polarity="affirmed", **attrs):
    t, s = label.split(".")
    return {"type": t, "subtype": s, "polarity": polarity, "attrs": attrs}


def row(label, want=None):
    return (1, "en", label, dict(want or {}), "text")


CASES = [
    # (label, wanted attrs, findings, passes?)
    ("!cookies.analytics", {}, [finding("cookies.control")], True),
    ("!cookies.analytics", {}, [finding("cookies.analytics")], False),
    ("!cookies", {}, [finding("purpose.analytics")], True),
    ("!cookies", {}, [finding("cookies.control")], False),
    ("!cookies", {}, [finding("cookies.essential", "negated")], False),
    ("!cook", {}, [finding("cookies.control")], True),  # a type, not a prefix
    ("recipient.sale", {}, [finding("recipient.sale", "negated")], True),
    ("recipient.sale", {"polarity": "negated"},
     [finding("recipient.sale", "negated")], True),
    ("recipient.sale", {"polarity": "negated"},
     [finding("recipient.sale")], False),
    ("recipient.sale", {"polarity": "affirmed"},
     [finding("recipient.sale", "negated"), finding("recipient.sale")], True),
    ("retention.period", {"duration": "P1Y", "polarity": "affirmed"},
     [finding("retention.period", duration="P12M")], True),
    ("retention.period", {"duration": "P1Y", "polarity": "negated"},
     [finding("retention.period", duration="P12M")], False),
]


def main():
    wrong = 0
    for label, want, findings, passes in CASES:
        err = caf.check(row(label, want), findings)
        if (err is None) != passes:
            wrong += 1
            print(f"{label} {want} on {findings}: "
                  f"{'failed' if err else 'passed'} ({err})")
    print(f"{len(CASES) - wrong} passed, {wrong} failed")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
