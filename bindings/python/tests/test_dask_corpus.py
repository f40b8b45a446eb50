# SPDX-License-Identifier: MIT
"""examples/python/dask_bag.py on a distributed.LocalCluster of 2 workers
over the whole development corpus (every file but the *.gold.json
annotations): its JSON Lines and CSV equal a single-process run's, and the
JSON Lines equal `gdprx --jsonl` over the same files."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

from tests.test_gdprx import CHECKOUT, CORPUS, RULES, TOOL, gdprx
from tests.test_pipelines import _csv_text, _dask_python


class TestDaskWholeCorpus(unittest.TestCase):
    def test_local_cluster_equals_single_process(self):
        files = sorted(str(p) for p in Path(CORPUS).iterdir()
                       if p.is_file() and not p.name.endswith(".gold.json")
                       and not p.name.startswith("."))
        self.assertGreaterEqual(len(files), 20)
        with gdprx.RuleSet.load(RULES) as rules:
            docs = list(rules.analyze_paths(files))
        want_jsonl = "".join('{"doc":' + json.dumps(d.name, ensure_ascii=False)
                             + "," + d.to_json()[1:] + "\n" for d in docs)
        want_csv = _csv_text([r for d in docs for r in d.records()])
        self.assertGreater(sum(len(d) for d in docs), 1000)

        with tempfile.TemporaryDirectory() as tmp:
            jsonl, csv_out = Path(tmp, "out.jsonl"), Path(tmp, "out.csv")
            env = dict(os.environ, GDPRX_LIBRARY=gdprx.library_path())
            p = subprocess.run(
                [_dask_python(), str(CHECKOUT / "examples" / "python" / "dask_bag.py"),
                 "--rules", RULES, "--scheduler", "local", "--workers", "2",
                 "--jsonl", str(jsonl), "--out", str(csv_out), CORPUS],
                capture_output=True, text=True, env=env, timeout=900)
            self.assertEqual(p.returncode, 0, p.stderr[-3000:])
            self.assertIn(f"{len(files)} documents (0 failed)", p.stdout)
            got = jsonl.read_text(encoding="utf-8")
            self.assertEqual(got, want_jsonl)
            self.assertEqual(csv_out.read_bytes().decode("utf-8"), want_csv)

            listing = Path(tmp, "files")
            listing.write_text("\n".join(files) + "\n", encoding="utf-8")
            c = subprocess.run([TOOL, "--rules", RULES, "--jsonl", "--files-from",
                                str(listing)], capture_output=True, text=True)
            self.assertEqual(c.returncode, 0, c.stderr)
            self.assertEqual(got, c.stdout)


if __name__ == "__main__":
    unittest.main()
