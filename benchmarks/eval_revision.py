"""An evaluation set with whichever agentops comes first on PYTHONPATH: what
`agentops eval --classes` prints, for comparing revisions in one script.

    cd /tmp && PYTHONPATH=/tmp/before python /path/to/benchmarks/eval_revision.py evals/wild.yaml

Run it from outside the checkout (the current directory comes before PYTHONPATH). To score an
older revision on a structured set, drop this revision's agentops/evaluate.py into its copy
(`git archive REV agentops | tar -x -C /tmp/before`). Memory is off; only aggregates print.
"""

import sys
import time
from pathlib import Path

import agentops
from agentops.evaluate import load_eval_file, print_by_tag, print_miss_classes, print_report, run_eval

try:  # an older revision's evaluate.py may not have them
    from agentops.evaluate import print_key_misses
except ImportError:
    print_key_misses = None
try:
    from agentops.evaluate import print_tag_miss_classes
except ImportError:
    print_tag_miss_classes = None
from agentops.spec import Workspace


def main() -> None:
    path = Path(sys.argv[1]).resolve()
    print("agentops from", agentops.__file__)
    evalset = load_eval_file(path)
    workspace = (Workspace.find(evalset.repository) if evalset.repository
                 else Workspace.find(path.parent))
    start = time.time()
    reports = run_eval(evalset.items, workspace)
    print_report(reports)
    print_miss_classes(reports)
    print_by_tag(reports)
    if print_key_misses is not None:
        print_key_misses(reports)
    if print_tag_miss_classes is not None:
        print_tag_miss_classes(reports)
    print(f"{time.time() - start:.0f}s")


if __name__ == "__main__":
    main()
